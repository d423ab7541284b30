/**
 * OpenAI chat request → Anthropic Messages request (providers.md §3.6): system and developer messages
 * hoisted to `system`, tool turns as `tool_use` / `tool_result` blocks, consecutive same-role turns
 * merged (the API alternates user and assistant), images as `source` blocks, `max_tokens` always set.
 * @see https://docs.claude.com/en/api/messages
 */
import type { ChatCompletionRequest, FunctionTool, ToolChoice } from '../../openai/wire.js';
import type { BuildOptions, BuildResult, TargetContext } from '../contract.js';
import { fillDefaults } from '../fill-defaults.js';
import { isRecord } from '../json-value.js';
import type { ParamTable } from '../param-table.js';
import { OPENAI_DEFAULT_VALUES } from '../openai-default-values.js';
import { missingCredential, RequestTranslationError, translateRequest } from '../request-translation.js';
import { invalidRequest } from '../error-common.js';
import { toAnthropicMessages } from './messages.js';
import type { MessagesRequest, RequestTool, RequestToolChoice } from './wire.js';
import type { Mutable } from '../../mutable.js';

/** The API requires `max_tokens`; used when neither the request nor the provider's `defaults` set one (design §2). */
export const DEFAULT_MAX_TOKENS = 4096;
const DEFAULT_API_VERSION = '2023-06-01';

const notZero = (value: unknown): boolean => value !== 0;

/**
 * What Anthropic can honour. Temperature is 0–1 there (OpenAI allows 0–2): out of range is a 400 or a
 * recorded drop, never a clamp. Anything not listed is unsupported.
 * @see https://docs.claude.com/en/api/messages
 */
export const anthropicParams: ParamTable = {
  unknown: 'unsupported',
  rules: {
    ...OPENAI_DEFAULT_VALUES,
    temperature: { kind: 'range', min: 0, max: 1 },
    top_p: { kind: 'range', min: 0, max: 1 },
    // An extension field (OpenAI has none): a range rule turns a non-number into a 400 instead of a silent skip.
    top_k: { kind: 'range', min: 0, max: Number.MAX_SAFE_INTEGER },
    max_tokens: { kind: 'supported' },
    max_completion_tokens: { kind: 'supported' },
    stop: { kind: 'supported' },
    user: { kind: 'supported' },
    tools: { kind: 'supported' },
    tool_choice: { kind: 'supported' },
    parallel_tool_calls: { kind: 'supported' },
    response_format: {
      kind: 'unsupported',
      reason: 'Anthropic has no JSON mode; use response_format json_schema',
      when: (value) => isRecord(value) && value['type'] === 'json_object',
    },
    seed: { kind: 'unsupported', reason: 'Anthropic has no sampling seed' },
    n: { kind: 'unsupported', reason: 'Anthropic returns one choice', when: (value) => value !== 1 },
    logit_bias: { kind: 'unsupported', reason: 'Anthropic has no logit bias' },
    logprobs: { kind: 'unsupported', reason: 'Anthropic returns no log probabilities', when: (value) => value === true },
    top_logprobs: { kind: 'unsupported', reason: 'Anthropic returns no log probabilities' },
    presence_penalty: { kind: 'unsupported', reason: 'Anthropic has no presence penalty', when: notZero },
    frequency_penalty: { kind: 'unsupported', reason: 'Anthropic has no frequency penalty', when: notZero },
  },
};

export function buildMessagesRequest(request: ChatCompletionRequest, target: TargetContext, options: BuildOptions = {}): BuildResult {
  return translateRequest(request, target, anthropicParams, (checked, policy) => {
    const secret = target.credentials['api_key'];
    if (secret === undefined) throw new RequestTranslationError(missingCredential(target.providerId, 'api_key'));
    const { system, messages } = toAnthropicMessages(checked.messages, policy, options.prefill);
    const stream = checked.stream === true;
    // Members set one by one in the wire order, not spread into a literal (see Mutable).
    const body: Mutable<Partial<MessagesRequest>> = { model: target.model, max_tokens: checked.max_completion_tokens ?? checked.max_tokens ?? defaultMaxTokens(target) };
    if (system.length > 0) body.system = system;
    body.messages = messages;
    if (checked.tools !== undefined) body.tools = checked.tools.map(toTool);
    const choice = toolChoice(checked.tool_choice, checked.parallel_tool_calls, checked.tools !== undefined);
    if (choice !== undefined) body.tool_choice = choice;
    if (checked.temperature !== undefined) body.temperature = checked.temperature;
    if (checked.top_p !== undefined) body.top_p = checked.top_p;
    if (typeof checked['top_k'] === 'number') body.top_k = checked['top_k'];
    if (checked.stop !== undefined) body.stop_sequences = typeof checked.stop === 'string' ? [checked.stop] : checked.stop;
    if (checked.user !== undefined) body.metadata = { user_id: checked.user };
    const output = outputConfig(checked);
    if (output !== undefined) body.output_config = output;
    if (stream) body.stream = true;
    return {
      method: 'POST',
      url: `${target.baseUrl}/v1/messages`,
      headers: { 'content-type': 'application/json', 'anthropic-version': target.settings['api_version'] ?? DEFAULT_API_VERSION },
      body: JSON.stringify(fillDefaults(body, target.defaults)),
      auth: { kind: 'header', name: 'x-api-key', secret },
      stream: stream ? { framing: 'sse' } : false,
    };
  });
}

function defaultMaxTokens(target: TargetContext): number {
  const configured = target.defaults['max_tokens'];
  return typeof configured === 'number' ? configured : DEFAULT_MAX_TOKENS;
}

function toTool(tool: FunctionTool): RequestTool {
  const { name, description, parameters, strict } = tool.function;
  return {
    name,
    ...(description === undefined ? {} : { description }),
    input_schema: inputSchema(parameters),
    ...(strict === undefined ? {} : { strict }),
  };
}

/**
 * Anthropic requires `input_schema.type: "object"` (a 400 "input_schema.type: Field required" otherwise);
 * OpenAI takes a tool without parameters, `{}`, or `properties` without a type, all meaning an object.
 */
function inputSchema(parameters: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, unknown>> {
  if (parameters === undefined || Object.keys(parameters).length === 0) return { type: 'object', properties: {} };
  return parameters['type'] === undefined ? { type: 'object', ...parameters } : parameters;
}

/**
 * `tool_choice` and `parallel_tool_calls` meet in Anthropic's one `tool_choice` object:
 * auto → auto, required → any, none → none, a named function → tool; parallel_tool_calls:false →
 * disable_parallel_tool_use (not allowed with none).
 * @see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use
 */
function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined, hasTools: boolean): RequestToolChoice | undefined {
  const serial = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...serial };
  if (typeof choice === 'object') return { type: 'tool', name: choice.function.name, ...serial };
  // Without tools there is nothing to call in parallel: parallel_tool_calls alone changes nothing.
  if (choice === 'auto' || (parallel === false && hasTools)) return { type: 'auto', ...serial };
  return undefined;
}

/**
 * Structured output: `json_schema` → `output_config.format` (model-gated on Anthropic's side).
 * `json_object` never reaches here (the param table rejects it); `text` is the default.
 * @see https://platform.claude.com/docs/en/build-with-claude/structured-outputs
 */
function outputConfig(request: ChatCompletionRequest): MessagesRequest['output_config'] {
  const format = request.response_format;
  if (format?.type !== 'json_schema') return undefined;
  const schema = format.json_schema.schema;
  if (schema === undefined) throw new RequestTranslationError(invalidRequest('response_format.json_schema.schema', 'response_format json_schema needs a schema.'));
  return { format: { type: 'json_schema', schema } };
}
