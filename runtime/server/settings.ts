/**
 * The one table of server settings (design §5: settings from flags and AIGW_* environment variables;
 * routing policy comes from the manifest). It drives `aigw serve --help`, flag parsing and the
 * deploy/ manifests' env names (a test checks they agree). Flag beats environment beats default.
 */

export type QuotaStoreErrorPolicy = 'allow' | 'deny';

export interface Settings {
  readonly manifest: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly watch: boolean;
  readonly demo: boolean;
  readonly adminPort: number;
  readonly adminHost: string;
  /** Comma-separated `keyId:hmac:<base64 secret>` or `keyId:ed25519:<base64 SPKI public key>`; empty = admin plane off. */
  readonly adminKeys: string;
  /** A file holding adminKeys lines (Kubernetes Secret mount). */
  readonly adminKeysFile: string | undefined;
  readonly redisUrl: string | undefined;
  /** Namespace of every Redis key (quotas, config, nonces), so that several gateways can share one Redis. */
  readonly redisPrefix: string;
  readonly auditFile: string;
  readonly bodyLimit: number;
  /** Browser origins allowed to call the API (CORS): empty = none, `*` = any, else comma-separated. */
  readonly corsOrigins: string;
  readonly quotaOnStoreError: QuotaStoreErrorPolicy;
  readonly drainTimeoutMs: number;
  readonly logLevel: string;
  /** Log prompts (off by default: prompts go to the audit trail under its capture policy). */
  readonly logPrompts: boolean;
  readonly replicaId: string | undefined;
}

export interface SettingSpec {
  readonly key: keyof Settings;
  /** Long flag without dashes; absent = environment only (secrets never on a command line). */
  readonly flag?: string;
  readonly env: string;
  readonly defaultValue: string | number | boolean | undefined;
  readonly description: string;
  readonly kind: 'string' | 'port' | 'integer' | 'boolean' | 'enum';
  readonly choices?: readonly string[];
  /** Secret: printed masked, never taken from a flag. */
  readonly secret?: boolean;
  /** A string setting's shape, and how to say it in an error. */
  readonly pattern?: { readonly test: RegExp; readonly says: string };
  /** An integer setting's largest value (a timer's: 2^31 - 1 ms, past which Node fires it at once). */
  readonly max?: number;
}

/** Node's timers hold at most 2^31 - 1 ms; a longer delay fires after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'manifest', env: 'AIGW_MANIFEST', defaultValue: undefined, kind: 'string', description: 'manifest file (the positional argument wins)' },
  { key: 'port', flag: 'port', env: 'AIGW_PORT', defaultValue: 8080, kind: 'port', description: 'listen port of the OpenAI-compatible API' },
  { key: 'host', flag: 'host', env: 'AIGW_HOST', defaultValue: '127.0.0.1', kind: 'string', description: 'listen address (0.0.0.0 in containers)' },
  { key: 'watch', flag: 'watch', env: 'AIGW_WATCH', defaultValue: false, kind: 'boolean', description: 'reload when the manifest file changes (ConfigMap symlink swaps included)' },
  { key: 'demo', flag: 'demo', env: 'AIGW_DEMO', defaultValue: false, kind: 'boolean', description: 'start the mock providers in-process and point every provider at them' },
  { key: 'adminPort', flag: 'admin-port', env: 'AIGW_ADMIN_PORT', defaultValue: 8081, kind: 'port', description: 'admin plane port (signed reload, config, status)' },
  { key: 'adminHost', flag: 'admin-host', env: 'AIGW_ADMIN_HOST', defaultValue: '127.0.0.1', kind: 'string', description: 'admin plane address' },
  { key: 'adminKeys', env: 'AIGW_ADMIN_KEYS', defaultValue: '', kind: 'string', secret: true, description: 'admin verification keys: keyId:hmac:<base64> or keyId:ed25519:<base64 public key>, comma-separated' },
  { key: 'adminKeysFile', flag: 'admin-keys-file', env: 'AIGW_ADMIN_KEYS_FILE', defaultValue: undefined, kind: 'string', description: 'file with admin verification keys, one per line' },
  { key: 'redisUrl', env: 'AIGW_REDIS_URL', defaultValue: undefined, kind: 'string', secret: true, pattern: { test: /^rediss?:\/\/[^\s/?#]+(\/\d*)?(\?\S*)?$/, says: 'a redis:// or rediss:// URL (redis://[user:password@]host[:port][/db])' }, description: 'Redis for shared quotas and config across replicas (may hold a password: environment only)' },
  { key: 'redisPrefix', flag: 'redis-prefix', env: 'AIGW_REDIS_PREFIX', defaultValue: 'aigw', kind: 'string', pattern: { test: /^[A-Za-z0-9._:-]{1,64}$/, says: '1 to 64 letters, digits, ".", "_", ":" or "-"' }, description: 'namespace of the Redis keys: gateways that must not share quotas or config each take their own' },
  { key: 'auditFile', flag: 'audit-file', env: 'AIGW_AUDIT_FILE', defaultValue: './audit.jsonl', kind: 'string', description: 'JSONL audit file when the manifest names no sink' },
  { key: 'bodyLimit', flag: 'body-limit', env: 'AIGW_BODY_LIMIT', defaultValue: 4 * 1024 * 1024, kind: 'integer', description: 'request body limit in bytes (413 above it)' },
  { key: 'corsOrigins', flag: 'cors-origins', env: 'AIGW_CORS_ORIGINS', defaultValue: '', kind: 'string', pattern: { test: /^\s*(?:(?:\*|https?:\/\/[^\s,/?#]+\/?)\s*(?:,\s*|$))*$/, says: 'empty, * or comma-separated origins like https://app.example.com' }, description: 'browser origins allowed to call the API directly (CORS): comma-separated, or * for any; empty: none' },
  { key: 'quotaOnStoreError', flag: 'quota-on-store-error', env: 'AIGW_QUOTA_ON_STORE_ERROR', defaultValue: 'allow', kind: 'enum', choices: ['allow', 'deny'], description: 'when Redis fails: admit (with a metric and log line) or reject' },
  { key: 'drainTimeoutMs', flag: 'drain-timeout-ms', env: 'AIGW_DRAIN_TIMEOUT_MS', defaultValue: 30_000, kind: 'integer', max: MAX_TIMER_MS, description: 'on SIGTERM, how long in-flight requests and streams may finish' },
  { key: 'logLevel', flag: 'log-level', env: 'AIGW_LOG_LEVEL', defaultValue: 'info', kind: 'enum', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], description: 'JSON log level' },
  { key: 'logPrompts', flag: 'log-prompts', env: 'AIGW_LOG_PROMPTS', defaultValue: false, kind: 'boolean', description: 'include prompts in logs (off: prompts go only to the audit trail)' },
  { key: 'replicaId', flag: 'replica-id', env: 'AIGW_REPLICA_ID', defaultValue: undefined, kind: 'string', description: 'replica name in `aigw status` and the config store (default: hostname-pid); audit records do not carry it' },
];

/**
 * The key prefixes of the Redis stores under one namespace (AIGW_REDIS_PREFIX, default `aigw`):
 * quotas `<ns>:quota:`, config `<ns>:{config}:` (one hash tag: the config keys and the Lua script
 * that moves them together stay on one Redis Cluster slot). The defaults are the keys aigw always used.
 */
export function redisKeyPrefixes(namespace: string): { readonly quota: string; readonly config: string } {
  return { quota: `${namespace}:quota:`, config: `${namespace}:{config}:` };
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** Flag (commander camelCase key) beats environment beats default; values are validated here. */
export function resolveSettings(
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  positionalManifest?: string,
): Settings {
  const values: Record<string, unknown> = {};
  for (const spec of SETTINGS) {
    const flagValue = spec.flag === undefined ? undefined : flags[camelCase(spec.flag)];
    const envValue = env[spec.env];
    let source: string;
    let raw: unknown;
    if (flagValue !== undefined) {
      raw = flagValue;
      source = `--${spec.flag}`;
    } else if (envValue !== undefined && envValue !== '') {
      raw = envValue;
      source = spec.env;
    } else {
      values[spec.key] = spec.defaultValue;
      continue;
    }
    values[spec.key] = parseValue(spec, raw, source);
  }
  if (positionalManifest !== undefined) values['manifest'] = positionalManifest;
  // Every key of Settings was filled from SETTINGS above.
  return values as unknown as Settings;
}

function parseValue(spec: SettingSpec, raw: unknown, source: string): unknown {
  if (typeof raw === 'boolean') {
    if (spec.kind !== 'boolean') throw new SettingsError(`${source} needs a value`);
    return raw;
  }
  const text = String(raw).trim();
  switch (spec.kind) {
    case 'string':
      if (spec.pattern !== undefined && !spec.pattern.test.test(text)) {
        // A secret setting (a Redis URL holds its password) is never quoted back.
        throw new SettingsError(`${source} must be ${spec.pattern.says}${spec.secret === true ? '' : `, got "${text}"`}`);
      }
      return text;
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      throw new SettingsError(`${source} must be true or false, got "${text}"`);
    case 'port':
    case 'integer': {
      if (!/^\d+$/.test(text)) throw new SettingsError(`${source} must be a non-negative integer, got "${text}"`);
      const value = Number(text);
      if (spec.kind === 'port' && value > 65_535) throw new SettingsError(`${source} must be a port (0-65535), got ${value}`);
      if (spec.max !== undefined && value > spec.max) throw new SettingsError(`${source} must be at most ${spec.max}, got ${value}`);
      return value;
    }
    case 'enum':
      if (!(spec.choices ?? []).includes(text)) throw new SettingsError(`${source} must be one of ${(spec.choices ?? []).join(', ')}, got "${text}"`);
      return text;
    default: {
      const never: never = spec.kind;
      return never;
    }
  }
}

function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/** The settings table as help text: flag, environment variable, default. */
export function settingsHelp(): string {
  const rows = SETTINGS.map((spec) => {
    const flag = spec.flag === undefined ? '(env only)' : `--${spec.flag}`;
    const fallback = spec.defaultValue === undefined || spec.defaultValue === '' ? '' : ` (default ${String(spec.defaultValue)})`;
    return `  ${flag.padEnd(26)} ${spec.env.padEnd(28)} ${spec.description}${fallback}`;
  });
  return ['', 'Settings (flag, environment variable, meaning):', ...rows, ''].join('\n');
}

/** The settings table as Markdown (README `runtime` section; a test keeps the two in agreement). */
export function settingsTable(): string {
  const rows = SETTINGS.map((spec) => {
    const flag = spec.flag === undefined ? '(env only)' : `\`--${spec.flag}\``;
    const fallback = spec.defaultValue === undefined || spec.defaultValue === '' ? '' : `\`${String(spec.defaultValue)}\``;
    const choices = spec.choices === undefined ? '' : ` (${spec.choices.map((choice) => `\`${choice}\``).join(', ')})`;
    return `| \`${spec.env}\` | ${flag} | ${fallback} | ${spec.description}${choices} |`;
  });
  return ['| Variable | Flag | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}
