/**
 * Mistral accepts tool-call ids of exactly nine characters from [a-zA-Z0-9]; OpenAI-style `call_…` ids
 * are rejected ("Tool call id was call_0fypS1hVX but must be a-z, A-Z, 0-9, with a length of 9").
 * Ids are rewritten consistently across the assistant `tool_calls` and the `tool` messages of one
 * request, deterministically (same id → same rewrite on every attempt), and ids Mistral itself issued
 * pass unchanged.
 * @see /work/shared/providers.md §7.2
 */
import type { Message } from '../../openai/wire.js';
import { mapToolCallIds } from '../map-tool-call-ids.js';

const VALID = /^[a-zA-Z0-9]{9}$/;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function rewriteToolCallIds(messages: readonly Message[]): readonly Message[] {
  const rewrites = new Map<string, string>();
  const taken = new Set<string>();
  for (const message of messages) {
    if (message.role === 'assistant') for (const call of message.tool_calls ?? []) if (VALID.test(call.id)) taken.add(call.id);
  }
  const rewrite = (id: string): string => {
    if (VALID.test(id)) return id;
    const known = rewrites.get(id);
    if (known !== undefined) return known;
    let candidate = hashId(id);
    for (let salt = 1; taken.has(candidate); salt++) candidate = hashId(`${id}#${salt}`);
    rewrites.set(id, candidate);
    taken.add(candidate);
    return candidate;
  };
  return mapToolCallIds(messages, rewrite);
}

/** Nine base-62 characters from two FNV-1a passes (a stable, dependency-free digest; not security). */
function hashId(text: string): string {
  let high = fnv1a(text, 0x811c9dc5);
  let low = fnv1a(text, 0x01000193 ^ 0x5bd1e995);
  let out = '';
  for (let position = 0; position < 9; position++) {
    // Long division of the 64-bit (high, low) pair by 62, one digit at a time.
    const highRemainder = high % 62;
    high = Math.floor(high / 62);
    const combined = highRemainder * 0x100000000 + low;
    out = ALPHABET[combined % 62] + out;
    low = Math.floor(combined / 62);
  }
  return out;
}

function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
