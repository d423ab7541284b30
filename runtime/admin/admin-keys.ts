/**
 * Admin keys. The gateway holds verification keys: HMAC secrets (shared with `aigw apply`) and
 * Ed25519 public keys (the private half never leaves the operator). Several keys may be live at once,
 * each under its own id, so a key rotates without downtime: add the new key, switch the CLI, remove
 * the old one.
 *
 * Gateway format (AIGW_ADMIN_KEYS, comma- or newline-separated; AIGW_ADMIN_KEYS_FILE, one per line,
 * `#` comments allowed):
 *
 *   <key id>:hmac:<base64 secret, at least 32 bytes>
 *   <key id>:ed25519:<base64 public key: DER SubjectPublicKeyInfo, or the raw 32 bytes>
 *
 * Client key file (`aigw apply --key-file`): a PKCS#8 PEM Ed25519 private key, or the base64 HMAC
 * secret on one line — exactly what `aigw keys generate` writes.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { KEY_ID_PATTERN, type SignatureScheme } from './signature-format.js';

/** HMAC secrets shorter than the hash output are guessable; refuse them. */
export const MIN_HMAC_SECRET_BYTES = 32;

export type VerificationKey =
  | { readonly keyId: string; readonly scheme: 'AIGW-HMAC-SHA256'; readonly secret: Buffer }
  | { readonly keyId: string; readonly scheme: 'AIGW-ED25519'; readonly publicKey: KeyObject };

export type SigningKey =
  | { readonly keyId: string; readonly scheme: 'AIGW-HMAC-SHA256'; readonly secret: Buffer }
  | { readonly keyId: string; readonly scheme: 'AIGW-ED25519'; readonly privateKey: KeyObject };

/** A key entry that cannot be used. The message names the entry and key id, never key material. */
export class AdminKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminKeysError';
  }
}

export type AdminKeyRing = ReadonlyMap<string, VerificationKey>;

/**
 * Parses AIGW_ADMIN_KEYS and the contents of AIGW_ADMIN_KEYS_FILE into one key ring. A malformed
 * entry or a duplicated key id throws: a half-understood key configuration must not start.
 */
export function parseAdminKeys(inline: string, fileText?: { readonly text: string; readonly file: string }): AdminKeyRing {
  const keys = new Map<string, VerificationKey>();
  const add = (entry: string, where: string): void => {
    const key = parseEntry(entry, where);
    if (keys.has(key.keyId)) throw new AdminKeysError(`${where}: key id "${key.keyId}" is defined twice`);
    keys.set(key.keyId, key);
  };
  inline.split(/[,\n]/).map((entry) => entry.trim()).forEach((entry, index) => {
    if (entry !== '') add(entry, `AIGW_ADMIN_KEYS entry ${index + 1}`);
  });
  if (fileText !== undefined) {
    fileText.text.split(/\r?\n/).forEach((line, index) => {
      const entry = line.trim();
      if (entry !== '' && !entry.startsWith('#')) add(entry, `${fileText.file}:${index + 1}`);
    });
  }
  return keys;
}

function isPublicKey(bytes: Uint8Array): boolean {
  try {
    createPublicKey({ key: Buffer.from(bytes), format: 'der', type: 'spki' });
    return true;
  } catch {
    return false;
  }
}

function parseEntry(entry: string, where: string): VerificationKey {
  const [keyId = '', type = '', material = '', ...rest] = entry.split(':');
  if (rest.length > 0 || material === '') throw new AdminKeysError(`${where}: expected <key id>:hmac:<base64> or <key id>:ed25519:<base64>`);
  if (!KEY_ID_PATTERN.test(keyId)) throw new AdminKeysError(`${where}: key id must match ${KEY_ID_PATTERN.source}`);
  const bytes = decodeBase64(material);
  if (bytes === undefined) throw new AdminKeysError(`${where} (key "${keyId}"): the key is not valid base64`);
  switch (type.toLowerCase()) {
    case 'hmac':
      if (bytes.length < MIN_HMAC_SECRET_BYTES) {
        throw new AdminKeysError(`${where} (key "${keyId}"): an HMAC secret needs at least ${MIN_HMAC_SECRET_BYTES} bytes (aigw keys generate --type hmac)`);
      }
      // A public key is public: written as an HMAC secret (a wrong type word), anyone holding the .pub
      // file could sign.
      if (isPublicKey(bytes)) {
        throw new AdminKeysError(`${where} (key "${keyId}"): this is a public key, not an HMAC secret; write it as ${keyId}:ed25519:<base64>`);
      }
      return { keyId, scheme: 'AIGW-HMAC-SHA256', secret: bytes };
    case 'ed25519':
      return { keyId, scheme: 'AIGW-ED25519', publicKey: ed25519PublicKey(bytes, `${where} (key "${keyId}")`) };
    default:
      // Parts in the wrong order put the key material here: quote only what looks like a type name.
      throw new AdminKeysError(`${where} (key "${keyId}"): unknown key type${/^[A-Za-z0-9-]{1,16}$/.test(type) ? ` "${type}"` : ''} (hmac or ed25519)`);
  }
}

function ed25519PublicKey(bytes: Buffer, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = bytes.length === 32
      ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') }, format: 'jwk' })
      : createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  } catch {
    throw new AdminKeysError(`${where}: not an Ed25519 public key (DER SubjectPublicKeyInfo or 32 raw bytes, base64)`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AdminKeysError(`${where}: the key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  return key;
}

/** Parses a client key file (PEM Ed25519 private key or base64 HMAC secret) under the given id. */
export function parseSigningKey(keyId: string, text: string, file: string): SigningKey {
  if (!KEY_ID_PATTERN.test(keyId)) throw new AdminKeysError(`key id "${keyId}" must match ${KEY_ID_PATTERN.source}`);
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: trimmed, format: 'pem' });
    } catch {
      throw new AdminKeysError(`${file}: not a readable PEM private key`);
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new AdminKeysError(`${file}: the key is ${privateKey.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
    return { keyId, scheme: 'AIGW-ED25519', privateKey };
  }
  const secret = decodeBase64(trimmed);
  if (secret === undefined || secret.length < MIN_HMAC_SECRET_BYTES) {
    throw new AdminKeysError(`${file}: expected an Ed25519 PEM private key or a base64 HMAC secret of at least ${MIN_HMAC_SECRET_BYTES} bytes`);
  }
  return { keyId, scheme: 'AIGW-HMAC-SHA256', secret };
}

/** The public verification half of a signing key (tests, and `keys generate` for its snippet). */
export function verificationKeyOf(key: SigningKey): VerificationKey {
  return key.scheme === 'AIGW-HMAC-SHA256'
    ? key
    : { keyId: key.keyId, scheme: 'AIGW-ED25519', publicKey: createPublicKey(key.privateKey) };
}

export function schemeOf(type: 'hmac' | 'ed25519'): SignatureScheme {
  return type === 'hmac' ? 'AIGW-HMAC-SHA256' : 'AIGW-ED25519';
}

/** Strict base64 (standard or url alphabet, padding optional): anything else is undefined. */
function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 0 ? undefined : bytes;
}
