/**
 * Circuit breakers across a reload (routing/stale-circuits.ts): kept for targets that stay as they
 * were; dropped for targets no route names any more, and for every target of a provider re-pointed at
 * another endpoint or given other credentials.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { literalSecret } from '../../../runtime/secrets.js';
import { staleCircuits } from '../../../runtime/routing/stale-circuits.js';
import { createTargetHealth } from '../../../runtime/routing/target-health.js';
import { createManualClock } from '../../helpers/virtual-clock.js';
import { entry, manifest, route, target } from './fakes.js';

const openai = entry('openai', 'openai', { credentials: { api_key: literalSecret('sk-one') } });
const anthropic = entry('anthropic', 'anthropic');
const before = manifest([route([target('openai', 'gpt-4o-mini', 1), target('anthropic', 'claude', 1)], { fallback: target('openai', 'gpt-4o', 0) })], [openai, anthropic]);

function openCircuits() {
  const health = createTargetHealth(createManualClock(), { threshold: 1 });
  for (const [provider, model] of [['openai', 'gpt-4o-mini'], ['openai', 'gpt-4o'], ['anthropic', 'claude']] as const) health.acquire(provider, model)?.failure();
  return health;
}

test('a reload that changes only weights or other routes keeps every circuit', () => {
  const health = openCircuits();
  const reweighted = manifest([route([target('openai', 'gpt-4o-mini', 5), target('anthropic', 'claude', 1)], { fallback: target('openai', 'gpt-4o', 0) }), route([target('anthropic', 'claude', 1)], { name: 'more' })], [openai, anthropic]);
  health.forget(staleCircuits(before, reweighted));
  assert.deepEqual([health.state('openai', 'gpt-4o-mini'), health.state('openai', 'gpt-4o'), health.state('anthropic', 'claude')], ['open', 'open', 'open']);
});

test('a provider re-pointed (base_url) or given another key starts closed; the others keep theirs', () => {
  for (const changed of [{ baseUrl: 'https://healthy.example/v1' }, { credentials: { api_key: literalSecret('sk-two') } }, { settings: { api_version: '2025-01-01' } }]) {
    const health = openCircuits();
    const next = manifest(before.routes, [{ ...openai, ...changed }, anthropic]);
    health.forget(staleCircuits(before, next));
    assert.deepEqual([health.state('openai', 'gpt-4o-mini'), health.state('openai', 'gpt-4o'), health.state('anthropic', 'claude')], ['closed', 'closed', 'open'], JSON.stringify(Object.keys(changed)));
  }
});

test('targets no route names any more are forgotten, so removed targets do not pile up over reloads', () => {
  const health = createTargetHealth(createManualClock(), { threshold: 3 });
  let previous = before;
  for (let generation = 0; generation < 2_000; generation += 1) {
    const model = `typo-${generation}`;
    const next = manifest([route([target('openai', model, 1)])], [openai]);
    health.forget(staleCircuits(previous, next));
    health.acquire('openai', model)?.failure(); // one failure: not enough to open, enough to be kept
    previous = next;
  }
  assert.ok(health.size() <= 2, `${health.size()} circuits kept`);
});

test('a call in flight when its circuit was dropped settles without opening anything or announcing it', () => {
  const events: string[] = [];
  const health = createTargetHealth(createManualClock(), { threshold: 3, onTransition: (event) => events.push(event.type) });
  health.acquire('openai', 'gpt-4o-mini')?.failure();
  health.acquire('openai', 'gpt-4o-mini')?.failure();
  const inFlight = health.acquire('openai', 'gpt-4o-mini');
  health.forget(() => true);
  inFlight?.failure(); // the third failure in a row, but of the circuit the reload dropped
  assert.deepEqual(events, []);
  assert.equal(health.state('openai', 'gpt-4o-mini'), 'closed');
  assert.equal(health.size(), 0);
});
