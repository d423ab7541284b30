import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTargetHealth, type CircuitEvent } from '../../../runtime/routing/target-health.js';
import { createManualClock } from '../../helpers/virtual-clock.js';

function fail(health: ReturnType<typeof createTargetHealth>, times = 1): void {
  for (let index = 0; index < times; index += 1) health.acquire('anthropic', 'claude')?.failure();
}

test('three consecutive failures open the circuit for 10 s; a success in between resets the count', async () => {
  const clock = createManualClock();
  const health = createTargetHealth(clock);
  fail(health, 2);
  health.acquire('anthropic', 'claude')?.success();
  fail(health, 2);
  assert.equal(health.state('anthropic', 'claude'), 'closed');
  fail(health);
  assert.equal(health.state('anthropic', 'claude'), 'open');
  assert.equal(health.acquire('anthropic', 'claude'), undefined);
  await clock.advance(9_999);
  assert.equal(health.state('anthropic', 'claude'), 'open');
  await clock.advance(1);
  assert.equal(health.state('anthropic', 'claude'), 'half-open');
});

test('half-open lets exactly one probe through; its success closes the circuit', async () => {
  const clock = createManualClock();
  const events: CircuitEvent[] = [];
  const health = createTargetHealth(clock, { onTransition: (event) => events.push(event) });
  fail(health, 3);
  await clock.advance(10_000);
  const probe = health.acquire('anthropic', 'claude');
  assert.equal(probe?.probe, true);
  assert.equal(health.acquire('anthropic', 'claude'), undefined, 'a second request does not probe');
  probe?.success();
  assert.equal(health.state('anthropic', 'claude'), 'closed');
  assert.equal(health.acquire('anthropic', 'claude')?.probe, false);
  assert.deepEqual(events.map((event) => [event.type, event.at]), [['circuit-open', 0], ['circuit-half-open', 10_000], ['circuit-close', 10_000]]);
});

test('each failed probe doubles the open period, up to 120 s', async () => {
  const clock = createManualClock();
  const periods: number[] = [];
  const health = createTargetHealth(clock, { onTransition: (event) => { if (event.type === 'circuit-open') periods.push(event.openMs); } });
  fail(health, 3);
  for (let round = 0; round < 6; round += 1) {
    await clock.advance(periods.at(-1) ?? 0);
    const probe = health.acquire('anthropic', 'claude');
    assert.equal(probe?.probe, true);
    probe?.failure();
  }
  assert.deepEqual(periods, [10_000, 20_000, 40_000, 80_000, 120_000, 120_000, 120_000]);
});

test('a probe that proves nothing (abort) frees the probe slot for the next request', async () => {
  const clock = createManualClock();
  const health = createTargetHealth(clock);
  fail(health, 3);
  await clock.advance(10_000);
  health.acquire('anthropic', 'claude')?.release();
  assert.equal(health.acquire('anthropic', 'claude')?.probe, true);
});

test('state is per provider id and model, and options change threshold and periods', async () => {
  const clock = createManualClock();
  const health = createTargetHealth(clock, { threshold: 1, openMs: 500, maxOpenMs: 800 });
  health.acquire('openai', 'a/b')?.failure();
  assert.equal(health.state('openai', 'a/b'), 'open');
  assert.equal(health.state('openai', 'a'), 'closed');
  assert.equal(health.state('openai-eu', 'a/b'), 'closed');
  await clock.advance(500);
  health.acquire('openai', 'a/b')?.failure();
  await clock.advance(800);
  assert.equal(health.state('openai', 'a/b'), 'half-open');
});

test('a forced call (the last candidate) goes through an open circuit; its success closes it', () => {
  const clock = createManualClock();
  const health = createTargetHealth(clock);
  fail(health, 3);
  const forced = health.acquire('anthropic', 'claude', true);
  assert.equal(forced?.probe, true);
  forced?.success();
  assert.equal(health.state('anthropic', 'claude'), 'closed');
});

test('targets that reloads added and removed leave no circuit behind once they answered', () => {
  const health = createTargetHealth(createManualClock());
  for (let index = 0; index < 10_000; index += 1) health.acquire('openai', `model-${index}`)?.success();
  assert.ok(health.size() <= 256, `${health.size()} circuits kept for targets that owe nothing`);
});

test('asking for the state of a target never called keeps nothing', () => {
  const health = createTargetHealth(createManualClock());
  for (let index = 0; index < 1_000; index += 1) assert.equal(health.state('openai', `model-${index}`), 'closed');
  assert.equal(health.size(), 0);
});

test('forgetting idle targets keeps failure counts, open circuits and the circuit of a call in flight', () => {
  const health = createTargetHealth(createManualClock());
  const failTimes = (model: string, times: number): void => {
    for (let index = 0; index < times; index += 1) health.acquire('anthropic', model)?.failure();
  };
  failTimes('failing', 2);
  failTimes('opened', 3);
  const inFlight = health.acquire('anthropic', 'in-flight');
  for (let index = 0; index < 10_000; index += 1) health.acquire('openai', `model-${index}`)?.success();
  failTimes('failing', 1);
  assert.equal(health.state('anthropic', 'failing'), 'open', 'two failures before, one after: three in a row');
  assert.equal(health.state('anthropic', 'opened'), 'open');
  inFlight?.failure();
  failTimes('in-flight', 2);
  assert.equal(health.state('anthropic', 'in-flight'), 'open', 'the failure of the call that was in flight counts');
});
