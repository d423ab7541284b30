/**
 * The prompt as `AIGW_LOG_PROMPTS=true` logs it: rendered as the audit record renders it (`role:
 * content` lines) and put through the manifest's `audit.redact` rules, so turning prompt logging on
 * to debug never writes to the logs a card number or key the audit trail would have redacted.
 */
import { renderMessages } from '../audit/record.js';
import type { Manifest } from '../manifest/types.js';
import type { Message } from '../openai/wire.js';
import { captureSettingsOf } from './audit-trace.js';

export function promptForLog(messages: readonly Message[], manifest: Manifest): string {
  return captureSettingsOf(manifest).redactor.redact(renderMessages(messages));
}
