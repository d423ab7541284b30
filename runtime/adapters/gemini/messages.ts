/**
 * OpenAI messages → Gemini `systemInstruction` + `contents` (providers.md §4.6):
 * - system and developer messages join `systemInstruction`, in order;
 * - user → role `user`; assistant → role `model` (text, then one `functionCall` part per tool call,
 *   with the thought signature and Gemini's own call id recovered from the tool-call id);
 * - tool → a `functionResponse` part in a `user` turn, named after the assistant tool call whose id it
 *   answers (Gemini matches results by name and position, and OpenAI tool messages carry only the id),
 *   in the order of those calls, with that call's Gemini id when it had one (tool-call-id.ts);
 * - consecutive turns of one role merge into one content, since Gemini expects the results of
 *   parallel calls together and roles to alternate;
 * - for Gemini 3, a model turn whose first call carries no signature (another provider wrote it) gets
 *   Google's placeholder signature (foreign-call-signature.ts).
 * Images: base64 data URLs → `inlineData`; http(s) and gs:// URLs → `fileData` (the Gemini API fetches
 * public and signed URLs itself); anything else is refused, or dropped and recorded with drop_params.
 * @see https://ai.google.dev/api/caching#Content
 * @see https://ai.google.dev/gemini-api/docs/file-input-methods
 */
import { parseDataUrl } from '../data-url.js';
import { mergeTurns, requireTurns } from '../merged-turns.js';
import { assistantText, messageText } from '../message-text.js';
import { invalidRequest } from '../error-common.js';
import { parseToolArguments, RequestTranslationError, type DropPolicy } from '../request-translation.js';
import type { AssistantMessage, ContentPart, Message } from '../../openai/wire.js';
import { signForeignCalls, validatesCallSignatures } from './foreign-call-signature.js';
import { geminiCallIdOf, thoughtSignatureOf } from './tool-call-id.js';
import type { GeminiContent, GeminiFunctionCall, GeminiFunctionResponse, GeminiPart } from './wire.js';
import { ownValue } from '../../own-value.js';

export interface ConvertedMessages {
  readonly systemInstruction: { readonly parts: readonly { readonly text: string }[] } | undefined;
  readonly contents: readonly GeminiContent[];
}

/**
 * Throws RequestTranslationError for what cannot be expressed; unsupported parts go through `policy`.
 * `model` is the target's model id (it decides whether foreign calls need a placeholder signature).
 */
export function convertMessages(messages: readonly Message[], policy: DropPolicy, model: string): ConvertedMessages {
  const toolNames = new Map<string, string>();
  // Each call's position in its assistant message; each function response's, from the call it answers.
  const callOrder = new Map<string, number>();
  const responseOrder = new Map<GeminiPart, number>();
  const merged = mergeTurns<'user' | 'model', GeminiPart>(messages, (message, index) => {
    switch (message.role) {
      case 'user':
        return { role: 'user', items: userParts(message.content, `messages[${index}]`, policy) };
      case 'assistant':
        (message.tool_calls ?? []).forEach((call, ordinal) => {
          toolNames.set(call.id, call.function.name);
          callOrder.set(call.id, ordinal);
        });
        return { role: 'model', items: assistantParts(message, index) };
      case 'tool': {
        const name = toolNames.get(message.tool_call_id);
        if (name === undefined) {
          throw new RequestTranslationError(invalidRequest(`messages[${index}].tool_call_id`,
            `Tool message ${index} answers tool call '${message.tool_call_id}', which no earlier assistant message made; Gemini needs the function name.`));
        }
        const response = { output: messageText(message.content) };
        const geminiId = geminiCallIdOf(message.tool_call_id);
        const functionResponse: GeminiFunctionResponse = geminiId === undefined ? { name, response } : { id: geminiId, name, response };
        const part: GeminiPart = { functionResponse };
        responseOrder.set(part, callOrder.get(message.tool_call_id) ?? 0);
        return { role: 'user', items: [part] };
      }
      default: {
        const never: never = message;
        return never;
      }
    }
  });
  requireTurns(merged, 'Gemini');
  const contents = merged.turns.map((turn) => ({ role: turn.role, parts: inCallOrder(turn.items, responseOrder) }));
  return {
    systemInstruction: merged.system.length === 0 ? undefined : { parts: merged.system.map((text) => ({ text })) },
    contents: validatesCallSignatures(model) ? signForeignCalls(contents) : contents,
  };
}

/**
 * Gemini pairs function responses with the previous turn's calls by position (unless both carry the
 * id Gemini gave the call, which older models and other providers' calls lack), while OpenAI clients
 * may answer parallel calls in any order, pairing by tool_call_id: the responses of a turn are put in
 * the order of the calls they answer.
 */
function inCallOrder(parts: readonly GeminiPart[], responseOrder: ReadonlyMap<GeminiPart, number>): GeminiPart[] {
  const slots: number[] = [];
  parts.forEach((part, index) => {
    if (responseOrder.has(part)) slots.push(index);
  });
  if (slots.length < 2) return [...parts];
  const ordered = slots.map((slot) => parts[slot] as GeminiPart).sort((a, b) => (responseOrder.get(a) ?? 0) - (responseOrder.get(b) ?? 0));
  const out = [...parts];
  slots.forEach((slot, index) => { out[slot] = ordered[index] as GeminiPart; });
  return out;
}

function userParts(content: string | readonly ContentPart[], path: string, policy: DropPolicy): GeminiPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const parts: GeminiPart[] = [];
  content.forEach((part, index) => {
    // Gemini refuses empty text parts; an empty one carries nothing (as empty string content above).
    if (part.type === 'text' && part.text === '') return;
    const converted = userPart(part);
    if (typeof converted === 'string') policy.unsupported(`${path}.content[${index}]`, converted);
    else parts.push(converted);
  });
  return parts;
}

/** The Gemini part for one OpenAI content part, or the reason it cannot be sent. */
function userPart(part: ContentPart): GeminiPart | string {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image_url':
      return imagePart(part.image_url.url);
    case 'input_audio':
      return { inlineData: { mimeType: `audio/${part.input_audio.format}`, data: part.input_audio.data } };
    case 'file': {
      const inline = part.file.file_data === undefined ? undefined : parseDataUrl(part.file.file_data);
      return inline === undefined ? 'Gemini takes files as base64 data URLs only (OpenAI file ids are not portable)' : { inlineData: { mimeType: inline.mimeType, data: inline.data } };
    }
    default: {
      const never: never = part;
      return never;
    }
  }
}

function imagePart(url: string): GeminiPart | string {
  if (url.startsWith('data:')) {
    const inline = parseDataUrl(url);
    return inline === undefined ? 'image data URLs must be base64-encoded' : { inlineData: { mimeType: inline.mimeType, data: inline.data } };
  }
  if (!/^(https?|gs):\/\//i.test(url)) return 'Gemini takes images as base64 data URLs or http(s)/gs:// URLs';
  const mimeType = guessImageMimeType(url);
  return { fileData: mimeType === undefined ? { fileUri: url } : { fileUri: url, mimeType } };
}

/**
 * File extension → image media type Gemini accepts.
 * @see https://ai.google.dev/gemini-api/docs/image-understanding#supported-formats
 */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic', heif: 'image/heif',
};

/** From the URL path's extension (envoy does the same); undefined lets Gemini sniff the type itself. */
function guessImageMimeType(url: string): string | undefined {
  const path = url.replace(/[?#].*$/s, '');
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : ownValue(IMAGE_TYPES, extension);
}

function assistantParts(message: AssistantMessage, index: number): GeminiPart[] {
  const parts: GeminiPart[] = [];
  const text = assistantText(message);
  if (text !== '') parts.push({ text });
  (message.tool_calls ?? []).forEach((call, callIndex) => {
    const args = parseToolArguments(call.function.arguments, index, callIndex, 'Gemini');
    const signature = thoughtSignatureOf(call.id);
    const geminiId = geminiCallIdOf(call.id);
    const functionCall: GeminiFunctionCall = geminiId === undefined ? { name: call.function.name, args } : { id: geminiId, name: call.function.name, args };
    parts.push(signature === undefined ? { functionCall } : { functionCall, thoughtSignature: signature });
  });
  return parts;
}
