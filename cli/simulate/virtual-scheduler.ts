/**
 * A discrete-event clock for `aigw simulate`: simulated time jumps from one pending timer to the next,
 * so an hour of traffic runs in seconds. Timers sit in a binary heap ordered by (time, creation order),
 * which makes every run with the same inputs fire them in the same order (byte-identical output).
 * After each batch of timers due at the same instant, the scheduler lets every continuation they
 * started run before time moves on: a process.nextTick queued from a microtask runs only once the
 * microtask queue is empty, which is exactly "everything those timers set off has settled" — at a
 * fraction of the cost of a full event-loop turn. Every few hundred batches it yields a real turn, so
 * the live view can draw and output can flush.
 */
import type { SchedulingClock } from '../../runtime/timers.js';

export interface VirtualScheduler extends SchedulingClock {
  /**
   * Runs simulated time until `done` settles; rejects when nothing is left to fire while `done` is
   * still pending (a stuck simulation is a bug to report, never a hang).
   */
  runUntil<T>(done: Promise<T>): Promise<T>;
  /** Timers fired so far (for the benchmark). */
  fired(): number;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  resolve: (() => void) | undefined;
}

/** 2026-01-01T00:00:00Z: a fixed epoch so `created` timestamps are reproducible too. */
export const SIMULATION_EPOCH_MS = 1_767_225_600_000;

/** Batches between two real turns. */
const BATCHES_PER_TURN = 256;

export function createVirtualScheduler(epochMs = SIMULATION_EPOCH_MS): VirtualScheduler {
  const heap: Timer[] = [];
  let now = 0;
  let seq = 0;
  let fired = 0;

  const before = (a: Timer, b: Timer): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
  const push = (timer: Timer): void => {
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index] as Timer, heap[parent] as Timer)) break;
      [heap[index], heap[parent]] = [heap[parent] as Timer, heap[index] as Timer];
      index = parent;
    }
  };
  const pop = (): Timer | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && before(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
      if (right < heap.length && before(heap[right] as Timer, heap[smallest] as Timer)) smallest = right;
      if (smallest === index) break;
      [heap[index], heap[smallest]] = [heap[smallest] as Timer, heap[index] as Timer];
      index = smallest;
    }
    return top;
  };
  /** The earliest live timer (cancelled ones are dropped lazily). */
  const peek = (): Timer | undefined => {
    while (heap.length > 0 && (heap[0] as Timer).resolve === undefined) pop();
    return heap[0];
  };

  return {
    now: () => epochMs + now,
    monotonic: () => now,
    schedule(ms, fire) {
      const timer: Timer = { at: later(now, ms), seq: seq++, resolve: fire };
      push(timer);
      return () => { timer.resolve = undefined; };
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted === true) {
          reject(signal.reason as Error);
          return;
        }
        const timer: Timer = { at: later(now, ms), seq: seq++, resolve: undefined };
        if (signal === undefined) {
          timer.resolve = resolve;
        } else {
          const onAbort = (): void => {
            timer.resolve = undefined;
            reject(signal.reason as Error);
          };
          signal.addEventListener('abort', onAbort, { once: true });
          timer.resolve = () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          };
        }
        push(timer);
      });
    },
    runUntil(done) {
      let settled = false;
      const watched = done.finally(() => { settled = true; });
      watched.catch(() => undefined);
      return new Promise((resolve, reject) => {
        let batches = 0;
        let idleChecked = false;
        // A callback loop rather than an async one: no promise per batch. A tick queued from inside a
        // microtask runs only once the microtask queue is empty (queued from a tick, it would run
        // first), hence queueMicrotask → nextTick.
        const afterSettled = (): void => process.nextTick(step);
        const step = (): void => {
          if (settled) {
            resolve(watched);
            return;
          }
          const next = peek();
          if (next === undefined) {
            // Maybe only real I/O is pending (none should be): give it one real turn, then give up.
            if (idleChecked) {
              reject(new Error('simulation stalled: work is pending but no timer is scheduled'));
              return;
            }
            idleChecked = true;
            setImmediate(step);
            return;
          }
          idleChecked = false;
          now = next.at;
          // Fire everything due at this instant, then let the continuations run.
          let firedNow = 0;
          while (heap.length > 0 && (heap[0] as Timer).at === now) {
            const timer = pop() as Timer;
            const fire = timer.resolve;
            if (fire === undefined) continue;
            timer.resolve = undefined;
            fired += 1;
            fire();
            // Timers that keep re-arming themselves at this same instant would never let time move.
            if ((firedNow += 1) > MAX_FIRES_PER_INSTANT) {
              reject(new Error(`simulation stuck: more than ${MAX_FIRES_PER_INSTANT} timers fired at ${now} ms without time moving (a bug; please report it)`));
              return;
            }
          }
          batches += 1;
          if (batches % BATCHES_PER_TURN === 0) setImmediate(step);
          else queueMicrotask(afterSettled);
        };
        setImmediate(step);
      });
    },
    fired: () => fired,
  };
}

/** Timers fired at one virtual instant before the run is declared stuck (a real run fires a few). */
const MAX_FIRES_PER_INSTANT = 1_000_000;

/**
 * The instant `ms` after `now`. A positive delay too small to change `now` in floating point (a
 * re-armed timer's remainder of 7e-12 ms) still lands strictly later, one step up, so a timer that
 * re-arms itself for "the rest" cannot fire again at the same instant for ever.
 */
function later(now: number, ms: number): number {
  const at = now + Math.max(0, ms);
  return ms > 0 && at === now ? now + Math.max(Number.MIN_VALUE, Math.abs(now) * Number.EPSILON) : at;
}
