/**
 * Starts `aigw mock` on a socket (127.0.0.1 by default) and hands back its URL, its request log and a
 * way to change its global faults, for the CLI and for tests that need real sockets.
 */
import type { AddressInfo } from 'node:net';
import { realClock } from '../clock.js';
import { buildMockApp, type MockAppOptions } from './build-mock-app.js';
import { createFaultBook, parseFault, type FaultSpec } from './faults.js';
import { createRequestLog, type MockLogEntry } from './request-log.js';

export interface StartMockOptions extends Omit<MockAppOptions, 'requestLog' | 'faultBook' | 'fixtures'> {
  /** 0 = a free port (default). */
  readonly port?: number;
  /** Default 127.0.0.1: the mock never listens on every interface unless told to. */
  readonly host?: string;
  /** A fixtures folder (default: the bundled fixtures). */
  readonly fixturesDir?: string;
  readonly fixtures?: MockAppOptions['fixtures'];
}

export interface RunningMock {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The request log, oldest first (live entries: read them after the exchange ends). */
  log(): readonly MockLogEntry[];
  clearLog(): void;
  /** Replaces the global faults (counters restart). */
  setFaults(faults: readonly (FaultSpec | string)[]): void;
  close(): Promise<void>;
}

export async function startMock(options: StartMockOptions = {}): Promise<RunningMock> {
  const requestLog = createRequestLog();
  const clock = options.clock ?? realClock;
  const faultBook = createFaultBook([], () => clock.monotonic());
  const fixtures = options.fixtures ?? options.fixturesDir;
  const app = buildMockApp({
    ...(fixtures === undefined ? {} : { fixtures }),
    ...(options.speed === undefined ? {} : { speed: options.speed }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    clock,
    requestLog,
    faultBook,
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  // A TCP listener always reports an AddressInfo (a string only for pipes).
  const address = app.server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    log: () => requestLog.entries(),
    clearLog: () => requestLog.clear(),
    setFaults: (faults) => faultBook.replace(faults.map((fault) => (typeof fault === 'string' ? parseFault(fault) : fault))),
    close: () => app.close(),
  };
}
