/**
 * A provider's error text with this provider's own secrets taken out. The adapters scrub key-shaped
 * text (scrubMessage), but a key without a known shape (an Azure key is 32 hex digits, a Mistral key
 * 32 letters and digits, an AWS secret has `/` and `+`) passes a shape test. A provider that quotes
 * the key it was sent would then hand it to the app and the audit record. Here the exact values the
 * gateway holds for the provider are removed, and so is any run of 8 or more of their characters (a
 * key echoed cut short or partly masked), from every field of the envelope. This runs on the error
 * path only.
 */
import type { TranslatedError } from '../adapters/contract.js';
import type { ProviderEntry } from '../manifest/types.js';

const REDACTED = '[redacted]';
/** Runs of characters keys are made of (split at dots and "=", so a cut-short echo "abcd1234..." is one run); a run this long that is part of a secret is redacted. */
const TOKEN_RUN = /[A-Za-z0-9_\-+/~]{8,}/g;

export function withoutProviderSecrets(error: TranslatedError, entry: Pick<ProviderEntry, 'credentials'>): TranslatedError {
  const secrets: string[] = [];
  for (const secret of Object.values(entry.credentials)) {
    const value = secret.reveal();
    if (value !== undefined && value.length >= 8) secrets.push(value);
  }
  if (secrets.length === 0) return error;
  // Every field the client reads: a provider may echo its key in `param`, `code` or `type` as well.
  const scrub = (text: string): string => text.replace(TOKEN_RUN, (run) => (secrets.some((secret) => secret.includes(run) || run.includes(secret)) ? REDACTED : run));
  const { message, type, param, code } = error.envelope.error;
  const scrubbed = {
    message: scrub(message),
    type: scrub(type),
    param: param === null ? null : scrub(param),
    code: code === null ? null : scrub(code),
  };
  if (scrubbed.message === message && scrubbed.type === type && scrubbed.param === param && scrubbed.code === code) return error;
  return { ...error, envelope: { ...error.envelope, error: { ...error.envelope.error, ...scrubbed } } };
}
