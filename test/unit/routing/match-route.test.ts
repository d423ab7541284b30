import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AigwError } from '../../../runtime/errors.js';
import { explainMatch, matchRoute } from '../../../runtime/routing/match-route.js';
import { entry, envSecret, manifest, route, target } from './fakes.js';

const routes = [
  route([target('openai', 'gpt-4o-mini', 1)], { name: 'first', match: { model: 'gpt-4o-mini' } }),
  route([target('anthropic', 'claude', 1)], { name: 'second', match: { model: 'claude' } }),
  route([target('openai', 'gpt-4o', 1)], { name: 'shadowed', match: { model: 'claude' } }),
];
const providers = [entry('openai', 'openai', { credentials: { api_key: envSecret('OPENAI_API_KEY', 'sk-SECRET') } }), entry('anthropic', 'anthropic')];

test('the first route whose match accepts the model wins', () => {
  const found = matchRoute(manifest(routes, providers), 'claude');
  assert.ok(!(found instanceof AigwError));
  assert.equal(found.name, 'second');
  const explained = explainMatch(manifest(routes, providers), 'claude');
  assert.ok(!(explained instanceof AigwError));
  assert.equal(explained.index, 1);
  assert.match(explained.reason, /match\.model == "claude"/);
});

test('no match is an OpenAI-shaped 404 model_not_found that lists nothing secret', () => {
  const error = matchRoute(manifest(routes, providers), 'gpt-5');
  assert.ok(error instanceof AigwError);
  assert.equal(error.status, 404);
  assert.equal(error.code, 'AIGW_E_MODEL_NOT_FOUND');
  const envelope = error.toEnvelope();
  assert.deepEqual(Object.keys(envelope.error), ['message', 'type', 'param', 'code']);
  assert.equal(envelope.error.code, 'model_not_found');
  assert.equal(envelope.error.type, 'invalid_request_error');
  assert.doesNotMatch(JSON.stringify(envelope), /first|second|openai|anthropic|SECRET/);
});

test('a model names no inherited property: __proto__, constructor and toString are unknown models', () => {
  const known = manifest(routes, providers);
  for (const model of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    assert.ok(matchRoute(known, model) instanceof AigwError, model);
  }
});

test('each manifest answers from its own routes: a reloaded manifest with other routes is not served the old answer', () => {
  const before = manifest(routes, providers);
  const after = manifest([route([target('openai', 'gpt-4o', 1)], { name: 'moved', match: { model: 'claude' } })], providers);
  assert.equal((matchRoute(before, 'claude') as { name: string }).name, 'second');
  assert.equal((matchRoute(after, 'claude') as { name: string }).name, 'moved');
  assert.ok(matchRoute(after, 'gpt-4o-mini') instanceof AigwError);
});
