/**
 * `aigw keys generate --type ed25519|hmac --out PREFIX [--key-id ID]`: makes an admin signing key.
 *
 * - ed25519: PREFIX.key (PKCS#8 PEM private key, 0600) and PREFIX.pub (SPKI PEM public key, 0644:
 *   public by design, as ssh-keygen does). The printed AIGW_ADMIN_KEYS entry holds the public key
 *   only: the gateway never sees the private half.
 * - hmac: PREFIX.key (32 random bytes, base64, 0600). The gateway needs the same secret, so the
 *   printed snippet reads it from the file (`$(cat PREFIX.key)`) instead of printing it: no secret
 *   is ever written to the terminal or CI logs.
 * Existing files are never overwritten (O_EXCL): a rotated key is a new file.
 */
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, open, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { KEY_ID_PATTERN } from '../../runtime/admin/signature-format.js';
import { ExitCode, type Io } from '../io.js';
import { InputError, UsageError } from '../usage-error.js';

export const KEYS_JSON_VERSION = 1;

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  if (args.length > 0) throw new UsageError(`keys generate takes no arguments (got ${args.join(' ')})`);
  const type = options['type'] ?? 'ed25519';
  if (type !== 'ed25519' && type !== 'hmac') throw new UsageError(`--type must be ed25519 or hmac, not ${String(type)}`);
  const format = options['format'] ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${String(format)}`);
  const out = options['out'];
  if (typeof out !== 'string' || out === '') throw new UsageError('keys generate needs --out PREFIX (writes PREFIX.key, and PREFIX.pub for ed25519)');
  const keyId = typeof options['keyId'] === 'string' ? options['keyId'] : basename(out).replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
  if (!KEY_ID_PATTERN.test(keyId)) throw new UsageError(`--key-id must match ${KEY_ID_PATTERN.source}, not "${keyId}"`);

  const privatePath = `${out}.key`;
  const publicPath = `${out}.pub`;
  // Refuse before writing anything, so a half-written pair never stays behind.
  for (const path of type === 'ed25519' ? [privatePath, publicPath] : [privatePath]) {
    if (await exists(resolve(io.cwd, path))) throw new InputError(`${path} already exists; choose another --out (keys are never overwritten)`);
  }
  let gatewayKeys: string;
  let files: string[];
  if (type === 'ed25519') {
    const { privateKey } = generateKeyPairSync('ed25519');
    const publicKey = createPublicKey(privateKey);
    await writeNew(resolve(io.cwd, privatePath), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    await writeNew(resolve(io.cwd, publicPath), publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
    gatewayKeys = `${keyId}:ed25519:${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
    files = [privatePath, publicPath];
  } else {
    await writeNew(resolve(io.cwd, privatePath), `${randomBytes(32).toString('base64')}\n`, 0o600);
    gatewayKeys = `${keyId}:hmac:$(cat ${shellQuote(privatePath)})`;
    files = [privatePath];
  }

  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({
      version: KEYS_JSON_VERSION, type, keyId, files,
      // For hmac this is a shell expression reading the file, never the secret itself.
      gatewayKeys,
      client: { AIGW_ADMIN_KEY_ID: keyId, AIGW_ADMIN_KEY_FILE: privatePath },
    }, null, 2)}\n`);
    return ExitCode.Ok;
  }
  const lines = [
    `wrote ${files.map((file) => `${file} (${file === privatePath ? '0600' : '0644'})`).join(' and ')}`,
    '',
    type === 'ed25519'
      ? '# gateway: the public key only (add it to AIGW_ADMIN_KEYS, comma-separated, or one line of AIGW_ADMIN_KEYS_FILE)'
      : '# gateway: the same secret; this reads it from the file (keep it in a Kubernetes Secret, never in the manifest)',
    `AIGW_ADMIN_KEYS="${gatewayKeys}"`,
    '',
    '# aigw apply / rollback / status / diff --gateway:',
    `AIGW_ADMIN_KEY_ID=${keyId}`,
    `AIGW_ADMIN_KEY_FILE=${shellQuote(privatePath)}`,
    '',
  ];
  io.stdout.write(lines.join('\n'));
  return ExitCode.Ok;
}

/** Creates the file exclusively with `mode` (the umask cannot widen it; chmod pins it exactly). */
async function writeNew(path: string, content: string, mode: number): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', mode);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    if (code === 'EEXIST') throw new InputError(`${path} already exists; choose another --out (keys are never overwritten)`);
    throw new InputError(`cannot create ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  await chmod(path, mode);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9._/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
