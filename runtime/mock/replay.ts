/**
 * Writes one answer to the socket on the recorded schedule: the head at `headersAtMs`, each chunk at
 * its `atMs` (scaled by --speed; 0 = no recorded delays), one `write` per chunk so nothing is buffered,
 * with the stream faults applied on the way (delays, stall, cut, reset, malformed chunk, missing
 * terminator). Fault delays are absolute milliseconds, never scaled.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import type { FaultSpec } from './faults.js';
import { malformedChunk, type FixtureWire } from './fixture-wire.js';

export type ReplayEnd = 'completed' | 'cut' | 'reset' | 'no-answer' | 'client-closed';

export interface ReplayOptions {
  readonly clock: Clock;
  /** Monotonic time the request arrived; offsets count from here. */
  readonly startedAt: number;
  readonly speed: number;
  readonly fault: FaultSpec | undefined;
  /** Aborted when the client closes the connection (or the mock shuts down). */
  readonly signal: AbortSignal;
  /** Called once the head is written, and after each chunk. */
  readonly onHead: (status: number) => void;
  readonly onChunk: () => void;
  /** Called just before the mock itself destroys the connection (so it is not logged as a client close). */
  readonly onSelfReset: () => void;
}

export async function replay(response: ServerResponse, wire: FixtureWire, options: ReplayOptions): Promise<ReplayEnd> {
  const { clock, fault, signal } = options;
  const scale = (ms: number): number => (options.speed === 0 ? 0 : ms / options.speed);
  const sleepUntil = async (offset: number): Promise<void> => {
    const remaining = options.startedAt + offset - clock.monotonic();
    if (remaining > 0) await clock.sleep(remaining, signal);
  };
  const destroy = (): ReplayEnd => {
    options.onSelfReset();
    response.socket?.destroy();
    return 'reset';
  };
  try {
    const delayHeaders = fault?.delayHeadersMs ?? 0;
    await sleepUntil(scale(wire.headersAtMs) + delayHeaders);
    if (fault?.reset === true) return destroy();
    if (fault?.noAnswer === true) {
      if (!signal.aborted) await once(signal, 'abort');
      return 'no-answer';
    }
    response.writeHead(wire.status, wire.headers);
    options.onHead(wire.status);
    const shift = delayHeaders + (fault?.delayFirstChunkMs ?? 0);
    if (wire.chunks === undefined) {
      if (fault?.delayFirstChunkMs !== undefined) {
        response.flushHeaders();
        await sleepUntil(scale(wire.headersAtMs) + shift);
      }
      response.end(wire.body);
      return 'completed';
    }
    response.flushHeaders();
    return await writeChunks(response, wire, options, { scale, sleepUntil, destroy, shift });
  } catch (error) {
    if (signal.aborted) return 'client-closed';
    throw error;
  }
}

async function writeChunks(
  response: ServerResponse,
  wire: FixtureWire,
  options: ReplayOptions,
  helpers: { scale: (ms: number) => number; sleepUntil: (offset: number) => Promise<void>; destroy: () => ReplayEnd; shift: number },
): Promise<ReplayEnd> {
  const { fault, signal } = options;
  const all = wire.chunks ?? [];
  const chunks = fault?.noTerminator === true ? all.slice(0, -1) : all;
  let shift = helpers.shift;
  // reset_after destroys the socket only once the chunks before it have left (else they could be lost).
  let flushed: Promise<unknown> = Promise.resolve();
  const resetAfterFlush = async (): Promise<ReplayEnd> => {
    await flushed;
    return helpers.destroy();
  };
  for (const [index, chunk] of chunks.entries()) {
    if (fault?.cutAfter !== undefined && index >= fault.cutAfter) {
      response.end();
      return 'cut';
    }
    if (fault?.resetAfter !== undefined && index >= fault.resetAfter) return resetAfterFlush();
    await helpers.sleepUntil(helpers.scale(chunk.atMs) + shift);
    const bytes = fault?.malformedAt === index + 1 && wire.framing !== undefined ? malformedChunk(chunk.bytes, wire.framing) : chunk.bytes;
    flushed = new Promise((resolve) => response.write(bytes, resolve));
    if (response.writableNeedDrain) await once(response, 'drain', { signal });
    options.onChunk();
    if (fault?.stallMs !== undefined && index + 1 === (fault.stallAfter ?? 1)) shift += fault.stallMs;
  }
  if (fault?.resetAfter === chunks.length) return resetAfterFlush();
  response.end();
  return 'completed';
}
