/**
 * Request shapes OpenAI's API has and the gateway does not carry (custom tools, allowed_tools, the
 * legacy function role, refusal parts replayed in history). The schema refuses them like any other
 * wrong shape, and its message would name what the usual shape lacks ("missing
 * 'tools[0].function'"), which misleads: a client sent a valid OpenAI request. Checked only once the
 * schema has failed, so valid requests pay nothing.
 */
import { AigwError, ERRORS } from '../errors.js';

interface Found { readonly param: string; readonly what: string }

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value);
const entries = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

function find(body: Readonly<Record<string, unknown>>): Found | undefined {
  for (const [index, tool] of entries(body['tools']).entries()) {
    if (isObject(tool) && tool['type'] === 'custom') return { param: `tools[${index}].type`, what: "A custom tool (type 'custom')" };
  }
  const choice = body['tool_choice'];
  if (isObject(choice) && (choice['type'] === 'allowed_tools' || choice['type'] === 'custom')) {
    return { param: 'tool_choice.type', what: `A tool_choice of type '${choice['type']}'` };
  }
  for (const [index, message] of entries(body['messages']).entries()) {
    if (!isObject(message)) continue;
    if (message['role'] === 'function') return { param: `messages[${index}].role`, what: "The legacy 'function' role (send tool results as role 'tool' with a tool_call_id)" };
    for (const [callIndex, call] of entries(message['tool_calls']).entries()) {
      if (isObject(call) && call['type'] === 'custom') return { param: `messages[${index}].tool_calls[${callIndex}].type`, what: "A custom tool call (type 'custom')" };
    }
    if (message['role'] !== 'assistant') continue;
    for (const [partIndex, part] of entries(message['content']).entries()) {
      if (isObject(part) && part['type'] === 'refusal') return { param: `messages[${index}].content[${partIndex}].type`, what: "A refusal content part in an assistant message (send it as the message's 'refusal' field or as text)" };
    }
  }
  return undefined;
}

/** A 400 unsupported_parameter naming the OpenAI feature, or undefined when the body uses none. */
export function unsupportedOpenAIShape(body: object): AigwError | undefined {
  const found = find(body as Readonly<Record<string, unknown>>);
  if (found === undefined) return undefined;
  return new AigwError(ERRORS.UNSUPPORTED_PARAMETER, `${found.what} is not supported by the gateway, on any route.`, { param: found.param });
}
