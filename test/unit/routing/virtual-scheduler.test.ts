/** The simulator's discrete-event clock: order, cancellation, settling between instants, stall detection. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVirtualScheduler, SIMULATION_EPOCH_MS } from '../../../cli/simulate/virtual-scheduler.js';

test('timers fire in time order, ties in creation order, and time jumps straight to each', async () => {
  const clock = createVirtualScheduler();
  const fired: string[] = [];
  const result = await clock.runUntil((async () => {
    await Promise.all([
      clock.sleep(300).then(() => fired.push(`c@${clock.monotonic()}`)),
      clock.sleep(100).then(() => fired.push(`a@${clock.monotonic()}`)),
      clock.sleep(100).then(() => fired.push(`b@${clock.monotonic()}`)),
    ]);
    return clock.now();
  })());
  assert.deepEqual(fired, ['a@100', 'b@100', 'c@300']);
  assert.equal(result, SIMULATION_EPOCH_MS + 300);
});

test('everything a batch sets off settles before time moves on', async () => {
  const clock = createVirtualScheduler();
  const seen: number[] = [];
  await clock.runUntil((async () => {
    await clock.sleep(10);
    // A long chain of awaits after the timer: still at t=10 when it schedules the next timer.
    for (let index = 0; index < 50; index += 1) await Promise.resolve();
    const other = clock.sleep(5).then(() => seen.push(clock.monotonic()));
    await clock.sleep(20);
    await other;
  })());
  assert.deepEqual(seen, [15]);
});

test('a cancelled timer never fires; an aborted sleep rejects at once', async () => {
  const clock = createVirtualScheduler();
  let fired = false;
  const outcome = await clock.runUntil((async () => {
    const cancel = clock.schedule(100, () => { fired = true; });
    cancel();
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    await clock.sleep(50);
    controller.abort(new Error('stop'));
    const message = await sleeping.then(() => 'slept', (error: Error) => error.message);
    return `${message} at ${clock.monotonic()}`;
  })());
  assert.equal(outcome, 'stop at 50');
  assert.equal(fired, false);
});

test('work that waits on nothing the clock can fire is reported as stalled, not left hanging', async () => {
  const clock = createVirtualScheduler();
  await assert.rejects(clock.runUntil(new Promise(() => undefined)), /simulation stalled/);
});

test('a positive delay too small to move the clock in floating point still lands later: a self-re-arming timer ends', async () => {
  const clock = createVirtualScheduler();
  const start = 74_526.899_211_226_12;
  const fires = await clock.runUntil((async () => {
    await clock.sleep(start);
    let count = 0;
    await new Promise<void>((resolve) => {
      const deadline = clock.monotonic() + 1e-9;
      const arm = (ms: number): void => {
        clock.schedule(ms, () => {
          count += 1;
          const remaining = deadline - clock.monotonic();
          if (remaining > 0) arm(7.275_957_614_183_426e-12);
          else resolve();
        });
      };
      arm(7.275_957_614_183_426e-12);
    });
    return count;
  })());
  assert.ok(fires >= 1 && fires < 1_000, `fired ${fires} times`);
});

test('timers that re-arm at the same instant for ever are reported as a stuck simulation, not a hang', async () => {
  const clock = createVirtualScheduler();
  const forever = (): void => { clock.schedule(0, forever); };
  await assert.rejects(clock.runUntil((async () => {
    clock.schedule(0, forever);
    await new Promise(() => undefined);
  })()), /simulation stuck/);
});
