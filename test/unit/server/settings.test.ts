import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG_PREFIX } from '../../../runtime/admin/redis-config-store.js';
import { SETTINGS, SettingsError, redisKeyPrefixes, resolveSettings, settingsHelp } from '../../../runtime/server/settings.js';

test('flag beats environment beats default; the positional manifest beats AIGW_MANIFEST', () => {
  const defaults = resolveSettings({}, {});
  assert.equal(defaults.port, 8080);
  assert.equal(defaults.host, '127.0.0.1');
  assert.equal(defaults.quotaOnStoreError, 'allow');
  assert.equal(defaults.logPrompts, false);
  const fromEnv = resolveSettings({}, { AIGW_PORT: '9000', AIGW_LOG_PROMPTS: 'yes', AIGW_MANIFEST: 'env.yaml', AIGW_QUOTA_ON_STORE_ERROR: 'deny' });
  assert.equal(fromEnv.port, 9000);
  assert.equal(fromEnv.logPrompts, true);
  assert.equal(fromEnv.manifest, 'env.yaml');
  assert.equal(fromEnv.quotaOnStoreError, 'deny');
  const fromFlag = resolveSettings({ port: '9100', bodyLimit: '1024' }, { AIGW_PORT: '9000', AIGW_MANIFEST: 'env.yaml' }, 'cli.yaml');
  assert.equal(fromFlag.port, 9100);
  assert.equal(fromFlag.bodyLimit, 1024);
  assert.equal(fromFlag.manifest, 'cli.yaml');
  assert.equal(resolveSettings({}, { AIGW_PORT: '' }).port, 8080, 'an empty variable is unset');
});

test('bad values are refused naming their source', () => {
  const cases: [Record<string, unknown>, Record<string, string>, RegExp][] = [
    [{ port: '70000' }, {}, /--port must be a port/],
    [{}, { AIGW_PORT: 'eighty' }, /AIGW_PORT must be a non-negative integer/],
    [{}, { AIGW_QUOTA_ON_STORE_ERROR: 'maybe' }, /AIGW_QUOTA_ON_STORE_ERROR must be one of allow, deny/],
    [{}, { AIGW_DEMO: 'sure' }, /AIGW_DEMO must be true or false/],
    [{ bodyLimit: true }, {}, /--body-limit needs a value/],
    // Past a timer's range Node fires it at once: the drain would end immediately.
    [{}, { AIGW_DRAIN_TIMEOUT_MS: '2147483648' }, /AIGW_DRAIN_TIMEOUT_MS must be at most 2147483647, got 2147483648/],
  ];
  for (const [flags, env, message] of cases) assert.throws(() => resolveSettings(flags, env), (error: unknown) => error instanceof SettingsError && message.test(error.message));
});

test('secrets are environment-only; --help lists every setting with its variable', () => {
  for (const spec of SETTINGS) assert.match(spec.env, /^AIGW_[A-Z_]+$/);
  // A command line is visible to every user of the machine (ps): secrets never come from flags.
  for (const spec of SETTINGS.filter((setting) => setting.secret === true)) assert.equal(spec.flag, undefined, spec.env);
  assert.deepEqual(SETTINGS.filter((setting) => setting.secret === true).map((setting) => setting.env), ['AIGW_ADMIN_KEYS', 'AIGW_REDIS_URL']);
  const help = settingsHelp();
  for (const spec of SETTINGS) assert.ok(help.includes(spec.env), spec.env);
});

test('the Redis namespace defaults to the keys aigw always used, and a gateway can take its own', () => {
  const defaults = resolveSettings({}, {});
  assert.equal(defaults.redisPrefix, 'aigw');
  assert.deepEqual(redisKeyPrefixes(defaults.redisPrefix), { quota: 'aigw:quota:', config: DEFAULT_CONFIG_PREFIX });
  assert.equal(resolveSettings({}, { AIGW_REDIS_PREFIX: 'staging' }).redisPrefix, 'staging');
  assert.equal(resolveSettings({ redisPrefix: 'team-a' }, { AIGW_REDIS_PREFIX: 'staging' }).redisPrefix, 'team-a');
  assert.deepEqual(redisKeyPrefixes('team-a'), { quota: 'team-a:quota:', config: 'team-a:{config}:' });
  for (const bad of ['has space', 'a{b}', 'x'.repeat(65), 'ünï']) {
    assert.throws(() => resolveSettings({}, { AIGW_REDIS_PREFIX: bad }), (error: unknown) => {
      assert.ok(error instanceof SettingsError);
      assert.match(error.message, /AIGW_REDIS_PREFIX must be 1 to 64 letters/);
      return true;
    });
  }
});

test('AIGW_REDIS_URL must be a redis:// or rediss:// URL, and the refusal never quotes it (it holds the password)', () => {
  for (const bad of ['redis//default:s3cret-pw@redis:6379', 'http://default:s3cret-pw@redis:6379', 's3cret-pw']) {
    assert.throws(() => resolveSettings({}, { AIGW_REDIS_URL: bad }), (error: unknown) => error instanceof SettingsError
      && /AIGW_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/.test(error.message) && !error.message.includes('s3cret-pw'));
  }
  for (const good of ['redis://127.0.0.1:6390', 'rediss://user:pw@redis.example:6380/2', 'redis://redis:6379/0?family=6']) {
    assert.equal(resolveSettings({}, { AIGW_REDIS_URL: good }).redisUrl, good);
  }
});
