/**
 * Mounts the ink live view on the command's Io (loaded lazily by `aigw simulate`, only on a TTY). The
 * driver's events go through a plain EventEmitter to the hook; `finish` leaves the last frame on
 * screen and unmounts, before the report is printed.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { render } from 'ink';
import type { Io } from '../io.js';
import type { SimulationEvent } from '../simulate/driver.js';
import { SimulateLive } from './simulate-live.js';
import { SIMULATION_EVENT } from './use-simulation-state.js';

export interface LiveView {
  readonly listener: (event: SimulationEvent) => void;
  finish(): Promise<void>;
}

/** SGR sequences (colour, bold, dim); ink's cursor movements end in other letters and stay. */
const SGR = /\u001b\[[0-9;]*m/g;

/**
 * ink writes to a stream; this one forwards to the Io, sized from COLUMNS/ROWS (the terminal's, on a TTY).
 * ink's colours come from chalk, which ignores NO_COLOR: without io.color they are dropped here.
 */
function terminalStream(io: Io): NodeJS.WriteStream {
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const text = chunk.toString();
      io.stdout.write(io.color ? text : text.replace(SGR, ''));
      callback();
    },
  });
  // ink reads these three fields of a TTY write stream; the rest of its interface is Writable's.
  Object.assign(stream, { isTTY: true, columns: Number(io.env['COLUMNS'] ?? 100), rows: Number(io.env['LINES'] ?? 30) });
  return stream as unknown as NodeJS.WriteStream;
}

export function mountLiveView(io: Io, total: number): LiveView {
  const events = new EventEmitter();
  const instance = render(<SimulateLive events={events} total={total} />, { stdout: terminalStream(io), patchConsole: false, exitOnCtrlC: false });
  return {
    listener: (event) => events.emit(SIMULATION_EVENT, event),
    async finish() {
      // Let the run-end render reach the terminal before unmounting.
      await new Promise((resolve) => setImmediate(resolve));
      instance.unmount();
      await instance.waitUntilExit().catch(() => undefined);
    },
  };
}
