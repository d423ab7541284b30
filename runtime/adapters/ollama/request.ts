/**
 * OpenAI chat request → Ollama native `/api/chat` request (providers.md §8.1): sampling and length go
 * into `options` (`max_tokens` → `num_predict`), `response_format` into `format`, and `stream` is always
 * sent because Ollama streams by default.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 */
import type { ChatCompletionRequest, FunctionTool, ResponseFormat } from '../../openai/wire.js';
import type { AuthSpec, BuildOptions, BuildResult, TargetContext } from '../contract.js';
import { fillDefaults } from '../fill-defaults.js';
import type { ParamTable } from '../param-table.js';
import { OPENAI_DEFAULT_VALUES } from '../openai-default-values.js';
import { translateRequest } from '../request-translation.js';
import { toOllamaMessages } from './messages.js';
import type { ChatRequest, OllamaOptions, OllamaTool } from './wire.js';

/**
 * What Ollama can honour. It has no `tool_choice`: `auto` is its behaviour and `none` is honoured by
 * sending no tools; forcing a call is unsupported. Anything not listed is unsupported.
 * @see https://github.com/ollama/ollama/blob/main/docs/modelfile.md#valid-parameters-and-values
 */
export const ollamaParams: ParamTable = {
  unknown: 'unsupported',
  rules: {
    ...OPENAI_DEFAULT_VALUES,
    temperature: { kind: 'supported' },
    top_p: { kind: 'supported' },
    // An extension field (OpenAI has none): a range rule turns a non-number into a 400 instead of a silent skip.
    top_k: { kind: 'range', min: 0, max: Number.MAX_SAFE_INTEGER },
    max_tokens: { kind: 'supported' },
    max_completion_tokens: { kind: 'supported' },
    stop: { kind: 'supported' },
    seed: { kind: 'supported' },
    presence_penalty: { kind: 'supported' },
    frequency_penalty: { kind: 'supported' },
    response_format: { kind: 'supported' },
    tools: { kind: 'supported' },
    tool_choice: { kind: 'unsupported', reason: 'Ollama cannot force a tool call', when: (value) => value !== 'auto' && value !== 'none' },
    parallel_tool_calls: { kind: 'unsupported', reason: 'Ollama cannot forbid parallel tool calls', when: (value) => value === false },
    n: { kind: 'unsupported', reason: 'Ollama returns one choice', when: (value) => value !== 1 },
    logit_bias: { kind: 'unsupported', reason: 'Ollama has no logit bias' },
    logprobs: { kind: 'unsupported', reason: 'log probabilities are not translated for Ollama', when: (value) => value === true },
    top_logprobs: { kind: 'unsupported', reason: 'log probabilities are not translated for Ollama' },
    user: { kind: 'unsupported', reason: 'Ollama has no end-user field' },
  },
};

export function buildChatRequest(request: ChatCompletionRequest, target: TargetContext, options: BuildOptions = {}): BuildResult {
  return translateRequest(request, target, ollamaParams, (checked, policy) => {
    const stream = checked.stream === true;
    const sampling = samplingOptions(checked);
    const format = formatOf(checked.response_format);
    const sendTools = checked.tools !== undefined && checked.tool_choice !== 'none';
    // OpenAI's strict: true holds calls to their schema; Ollama has no such mode (a 400, or a recorded drop).
    if (sendTools && (checked.tools ?? []).some((tool) => tool.function.strict === true)) {
      policy.unsupported('tools[].function.strict', 'Ollama does not hold tool calls to their schema');
    }
    const body: ChatRequest = {
      model: target.model,
      messages: toOllamaMessages(checked.messages, policy, options.prefill),
      ...(sendTools ? { tools: (checked.tools ?? []).map(toTool) } : {}),
      ...(format === undefined ? {} : { format }),
      ...(Object.keys(sampling).length > 0 ? { options: sampling } : {}),
      stream,
    };
    return {
      method: 'POST',
      url: `${target.baseUrl}/api/chat`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fillDefaults({ ...body }, target.defaults)),
      auth: authOf(target),
      stream: stream ? { framing: 'ndjson' } : false,
    };
  });
}

/** Local Ollama needs no key; ollama.com and authenticating proxies take a bearer token when one is configured. */
function authOf(target: TargetContext): AuthSpec {
  const secret = target.credentials['api_key'];
  return secret === undefined ? { kind: 'none' } : { kind: 'bearer', secret };
}

function samplingOptions(request: ChatCompletionRequest): OllamaOptions {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  return {
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.top_p === undefined ? {} : { top_p: request.top_p }),
    ...(typeof request['top_k'] === 'number' ? { top_k: request['top_k'] } : {}),
    ...(maxTokens === undefined ? {} : { num_predict: maxTokens }),
    ...(request.stop === undefined ? {} : { stop: typeof request.stop === 'string' ? [request.stop] : request.stop }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.presence_penalty === undefined ? {} : { presence_penalty: request.presence_penalty }),
    ...(request.frequency_penalty === undefined ? {} : { frequency_penalty: request.frequency_penalty }),
  };
}

function toTool(tool: FunctionTool): OllamaTool {
  const { name, description, parameters } = tool.function;
  return { type: 'function', function: { name, ...(description === undefined ? {} : { description }), parameters: parameters ?? { type: 'object', properties: {} } } };
}

/**
 * json_object → `"json"`, json_schema → the schema itself; text is the default.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#request-structured-outputs
 */
function formatOf(format: ResponseFormat | undefined): ChatRequest['format'] {
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') return 'json';
  return format.json_schema.schema ?? 'json';
}
