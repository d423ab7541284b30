/**
 * The prompt as `AIGW_LOG_PROMPTS=true` logs it: rendered as the audit record renders it (`role:
 * content` lines) and put through the manifest's `audit.redact` rules, so turning prompt logging on
 * to debug never writes to the logs a card number or key the audit trail would have redacted.
 */
import { renderMessages } from '../audit/record.js';
import { createRedactor, type Redactor } from '../audit/redact.js';
import type { Manifest } from '../manifest/types.js';
import type { Message } from '../openai/wire.js';

/** One redactor per manifest (a reload makes a new one; the old manifest's goes with it). */
const redactors = new WeakMap<Manifest, Redactor>();

export function promptForLog(messages: readonly Message[], manifest: Manifest): string {
  let redactor = redactors.get(manifest);
  if (redactor === undefined) {
    redactor = createRedactor(manifest.audit);
    redactors.set(manifest, redactor);
  }
  return redactor.redact(renderMessages(messages));
}
