/**
 * OpenAI chat request → Cohere v2 chat request (providers.md §6.6): roles map one to one (developer →
 * system), content parts and tool calls keep OpenAI's shape, `top_p` → `p`, `top_k` → `k`, `stop` →
 * `stop_sequences`, `tool_choice` → REQUIRED / NONE.
 * @see https://docs.cohere.com/reference/chat
 */
import type { ChatCompletionRequest, FunctionTool, ResponseFormat, ToolChoice } from '../../openai/wire.js';
import type { BuildOptions, BuildResult, TargetContext } from '../contract.js';
import { fillDefaults } from '../fill-defaults.js';
import { unsupportedParameter, type ParamTable } from '../param-table.js';
import { OPENAI_DEFAULT_VALUES } from '../openai-default-values.js';
import { missingCredential, RequestTranslationError, translateRequest } from '../request-translation.js';
import { invalidRequest } from '../error-common.js';
import { toCohereMessages } from './messages.js';
import type { ChatRequest, CohereResponseFormat, CohereTool } from './wire.js';

/**
 * What Cohere can honour, with its own ranges (p 0.01–0.99, k 0–500, penalties 0–1): outside them a
 * 400 or a recorded drop, never a clamp. Anything not listed is unsupported.
 * @see https://docs.cohere.com/reference/chat#request.body
 */
export const cohereParams: ParamTable = {
  unknown: 'unsupported',
  rules: {
    ...OPENAI_DEFAULT_VALUES,
    temperature: { kind: 'supported' },
    top_p: { kind: 'range', min: 0.01, max: 0.99 },
    top_k: { kind: 'range', min: 0, max: 500 },
    max_tokens: { kind: 'supported' },
    max_completion_tokens: { kind: 'supported' },
    stop: { kind: 'supported' },
    seed: { kind: 'supported' },
    frequency_penalty: { kind: 'range', min: 0, max: 1 },
    presence_penalty: { kind: 'range', min: 0, max: 1 },
    response_format: { kind: 'supported' },
    tools: { kind: 'supported' },
    tool_choice: { kind: 'supported' },
    parallel_tool_calls: { kind: 'unsupported', reason: 'Cohere cannot forbid parallel tool calls', when: (value) => value === false },
    n: { kind: 'unsupported', reason: 'Cohere returns one choice', when: (value) => value !== 1 },
    logit_bias: { kind: 'unsupported', reason: 'Cohere has no logit bias' },
    logprobs: { kind: 'unsupported', reason: 'log probabilities are not translated for Cohere', when: (value) => value === true },
    top_logprobs: { kind: 'unsupported', reason: 'log probabilities are not translated for Cohere' },
    user: { kind: 'unsupported', reason: 'Cohere has no end-user field' },
  },
};

export function buildChatRequest(request: ChatCompletionRequest, target: TargetContext, options: BuildOptions = {}): BuildResult {
  return translateRequest(request, target, cohereParams, (checked, policy) => {
    if (options.prefill !== undefined) {
      throw new RequestTranslationError(unsupportedParameter('prefill', target.providerId, 'Cohere does not continue an assistant prefill'));
    }
    const secret = target.credentials['api_key'];
    if (secret === undefined) throw new RequestTranslationError(missingCredential(target.providerId, 'api_key'));
    const stream = checked.stream === true;
    const maxTokens = checked.max_completion_tokens ?? checked.max_tokens;
    const body: ChatRequest = {
      model: target.model,
      messages: toCohereMessages(checked.messages, policy),
      ...tools(checked.tools, checked.tool_choice),
      ...responseFormat(checked.response_format),
      ...(checked.temperature === undefined ? {} : { temperature: checked.temperature }),
      ...(checked.top_p === undefined ? {} : { p: checked.top_p }),
      ...(typeof checked['top_k'] === 'number' ? { k: checked['top_k'] } : {}),
      ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
      ...(checked.stop === undefined ? {} : { stop_sequences: typeof checked.stop === 'string' ? [checked.stop] : checked.stop }),
      ...(checked.seed === undefined ? {} : { seed: checked.seed }),
      ...(checked.frequency_penalty === undefined ? {} : { frequency_penalty: checked.frequency_penalty }),
      ...(checked.presence_penalty === undefined ? {} : { presence_penalty: checked.presence_penalty }),
      // The SDK always sends the flag; chatStream sets it true.
      stream,
    };
    return {
      method: 'POST',
      url: `${target.baseUrl}/v2/chat`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fillDefaults({ ...body }, target.defaults)),
      auth: { kind: 'bearer', secret },
      stream: stream ? { framing: 'sse' } : false,
    };
  });
}

/**
 * Tools keep OpenAI's shape. `tool_choice`: auto → omitted (Cohere's default), required → REQUIRED,
 * none → NONE; a named function has no equivalent, so the tools are narrowed to that one and the
 * call is REQUIRED. `strict` maps to Cohere's request-wide `strict_tools` when every tool asks for it.
 * @see https://docs.cohere.com/docs/tool-use-usage-patterns#forcing-tool-usage
 */
function tools(list: readonly FunctionTool[] | undefined, choice: ToolChoice | undefined): Pick<ChatRequest, 'tools' | 'tool_choice' | 'strict_tools'> {
  let selected = list ?? [];
  if (typeof choice === 'object') {
    selected = selected.filter((tool) => tool.function.name === choice.function.name);
    if (selected.length === 0) {
      throw new RequestTranslationError(invalidRequest('tool_choice.function.name', `tool_choice names '${choice.function.name}', which is not among the tools.`));
    }
  }
  const strict = selected.length > 0 && selected.every((tool) => tool.function.strict === true);
  const native = choice === 'required' || typeof choice === 'object' ? 'REQUIRED' : choice === 'none' ? 'NONE' : undefined;
  return {
    ...(list === undefined ? {} : { tools: selected.map(toTool) }),
    ...(strict ? { strict_tools: true } : {}),
    ...(native === undefined ? {} : { tool_choice: native }),
  };
}

function toTool(tool: FunctionTool): CohereTool {
  const { name, description, parameters } = tool.function;
  return {
    type: 'function',
    function: { name, ...(description === undefined ? {} : { description }), parameters: parameters ?? { type: 'object', properties: {} } },
  };
}

/**
 * json_object → `{type: json_object}`, json_schema → `{type: json_object, json_schema}`; text is the
 * default and is left out.
 * @see https://docs.cohere.com/docs/structured-outputs
 */
function responseFormat(format: ResponseFormat | undefined): { response_format?: CohereResponseFormat } {
  if (format === undefined || format.type === 'text') return {};
  if (format.type === 'json_object') return { response_format: { type: 'json_object' } };
  const schema = format.json_schema.schema;
  return { response_format: { type: 'json_object', ...(schema === undefined ? {} : { json_schema: schema }) } };
}
