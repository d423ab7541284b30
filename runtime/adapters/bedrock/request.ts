/**
 * OpenAI chat request → Bedrock Converse body, URL and auth (providers.md §5.1, §5.2, §5.6).
 * - URL: `{base_url}/model/{modelId}/converse` or `/converse-stream`, the model id (or inference-profile
 *   id, or ARN) path-encoded (`:` → `%3A`, `/` → `%2F`). The transport signs that encoded path.
 * - Auth: a Bedrock API key (`api_key`) with a value → bearer; otherwise SigV4 with service `bedrock`
 *   and the entry's region (access_key_id, secret_access_key, optional session_token).
 * - Tools are always sent when the request has them (`toolConfig.tools[].toolSpec`, schema under
 *   `inputSchema.json`). Converse has no `tool_choice: none`: it is expressed by leaving the tools out.
 * - Converse refuses toolUse/toolResult blocks without a `toolConfig` ("The toolConfig field must be
 *   defined when using toolUse and toolResult content blocks"), so a history with tool calls always
 *   gets one: the request's tools, or, when it sent none (a final "summarise" turn), a minimal spec per
 *   tool name the history uses. Either way the model may then call a tool, so with `tool_choice: none`
 *   that is a 400 (or, with drop_params, tool_choice is dropped and recorded).
 * - `response_format` json_schema → `outputConfig.textFormat` (the schema as a JSON string);
 *   `reasoning_effort` → `outputConfig.effort`; `user` → `requestMetadata.user`.
 * - What Converse lacks (top_k, penalties, thinking, …) is model-specific: provider `defaults` such as
 *   `additionalModelRequestFields` fill the body where the request left it unset.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 */
import type { AuthSpec, BuildOptions, TargetContext, TranslatedError } from '../contract.js';
import { fillDefaults } from '../fill-defaults.js';
import { invalidRequest } from '../error-common.js';
import { missingCredential, RequestTranslationError, type DropPolicy } from '../request-translation.js';
import type { ChatCompletionRequest, FunctionTool, Message, ToolChoice } from '../../openai/wire.js';
import { convertMessages } from './messages.js';
import type { BedrockInferenceConfig, BedrockOutputConfig, BedrockRequestBody, BedrockToolChoice, BedrockToolSpec } from './wire.js';

/** requestMetadata values: up to 256 of these characters (AWS RequestMetadata constraints). */
const METADATA_VALUE = /^[a-zA-Z0-9\s:_@$#=/+,.-]{0,256}$/;

/** Throws RequestTranslationError for what cannot be expressed; `request` has passed the param table. */
export function buildBedrockBody(request: ChatCompletionRequest, target: TargetContext, policy: DropPolicy, options: BuildOptions): BedrockRequestBody {
  const converted = convertMessages(request.messages, policy);
  const messages = [...converted.messages];
  if (options.prefill !== undefined && options.prefill !== '') {
    // Stream continuation as a trailing assistant message (works for Anthropic models on Converse; off by
    // default, enabled per target in the manifest).
    const last = messages.at(-1);
    if (last?.role === 'assistant') messages[messages.length - 1] = { role: 'assistant', content: [...last.content, { text: options.prefill }] };
    else messages.push({ role: 'assistant', content: [{ text: options.prefill }] });
  }
  const body: Record<string, unknown> = {};
  if (converted.system.length > 0) body['system'] = converted.system;
  body['messages'] = messages;
  const inference = inferenceConfig(request);
  if (Object.keys(inference).length > 0) body['inferenceConfig'] = inference;
  const toolConfig = toolConfigFor(request.tools, request.tool_choice, request.messages, policy);
  if (toolConfig !== undefined) body['toolConfig'] = toolConfig;
  const output = outputConfig(request);
  if (Object.keys(output).length > 0) body['outputConfig'] = output;
  if (request.user !== undefined) {
    if (METADATA_VALUE.test(request.user)) body['requestMetadata'] = { user: request.user };
    else policy.unsupported('user', 'Bedrock requestMetadata values allow letters, digits, spaces and :_@$#=/+,.- only (256 at most)');
  }
  return fillDefaults(body, target.defaults) as BedrockRequestBody; // body keys are BedrockRequestBody's
}

function inferenceConfig(request: ChatCompletionRequest): BedrockInferenceConfig {
  const config: BedrockInferenceConfig = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens !== undefined) config.maxTokens = maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.top_p !== undefined) config.topP = request.top_p;
  if (request.stop !== undefined) config.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  return config;
}

/** @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolConfiguration.html */
function toolConfigFor(tools: readonly FunctionTool[] | undefined, choice: ToolChoice | undefined, messages: readonly Message[], policy: DropPolicy):
  { tools: BedrockToolSpec[]; toolChoice?: BedrockToolChoice } | undefined {
  const requested = tools ?? [];
  if (choice === 'none' || requested.length === 0) {
    // No tools would be sent; only a history with tool blocks needs them (see the header).
    const specs = requested.length > 0 ? requested.map(toolSpec) : historyToolNames(messages).map(historyToolSpec);
    if (specs.length === 0 || !hasToolHistory(messages)) return undefined;
    if (choice === 'none') policy.unsupported('tool_choice', 'Converse has no tool_choice none, and a history with tool calls needs the tool definitions');
    return { tools: specs };
  }
  const specs = requested.map(toolSpec);
  if (choice === undefined) return { tools: specs };
  if (choice === 'auto') return { tools: specs, toolChoice: { auto: {} } };
  if (choice === 'required') return { tools: specs, toolChoice: { any: {} } };
  const name = choice.function.name;
  if (!requested.some((tool) => tool.function.name === name)) {
    throw new RequestTranslationError(invalidRequest('tool_choice', `tool_choice names '${name}', which is not among the request's tools.`));
  }
  return { tools: specs, toolChoice: { tool: { name } } };
}

function hasToolHistory(messages: readonly Message[]): boolean {
  return messages.some((message) => message.role === 'tool' || (message.role === 'assistant' && (message.tool_calls ?? []).length > 0));
}

/** Names of the tools the history's assistant messages called, once each, in order of first use. */
function historyToolNames(messages: readonly Message[]): string[] {
  const names = new Set<string>();
  for (const message of messages) {
    if (message.role === 'assistant') for (const call of message.tool_calls ?? []) names.add(call.function.name);
  }
  return [...names];
}

/**
 * A stand-in definition for a tool the history used but the request did not send. Declaring every name
 * the history uses also covers a name check, should Converse make one; the open schema accepts the
 * arguments the history holds.
 */
function historyToolSpec(name: string): BedrockToolSpec {
  return {
    toolSpec: {
      name,
      description: 'Declared by the gateway because this tool appears in the conversation history.',
      inputSchema: { json: { type: 'object' } },
    },
  };
}

function toolSpec(tool: FunctionTool): BedrockToolSpec {
  const { name, description, parameters, strict } = tool.function;
  return {
    toolSpec: {
      name,
      ...(description === undefined ? {} : { description }),
      inputSchema: { json: inputSchema(parameters) },
      ...(strict === undefined ? {} : { strict }),
    },
  };
}

/**
 * Converse requires an input schema, and Claude on Converse its `type: "object"`; OpenAI takes a tool
 * without parameters, `{}`, or `properties` without a type, all meaning an object.
 */
function inputSchema(parameters: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, unknown>> {
  if (parameters === undefined || Object.keys(parameters).length === 0) return { type: 'object', properties: {} };
  return parameters['type'] === undefined ? { type: 'object', ...parameters } : parameters;
}

/** @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_OutputConfig.html */
function outputConfig(request: ChatCompletionRequest): BedrockOutputConfig {
  const config: BedrockOutputConfig = {};
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    const { name, description, schema } = format.json_schema;
    config.textFormat = {
      type: 'json_schema',
      structure: { jsonSchema: { schema: JSON.stringify(schema ?? { type: 'object' }), name, ...(description === undefined ? {} : { description }) } },
    };
  }
  if (typeof request.reasoning_effort === 'string') config.effort = request.reasoning_effort;
  return config;
}

export function bedrockUrl(target: TargetContext, region: string, stream: boolean): string {
  const base = target.baseUrl.replace('{region}', region);
  return `${base}/model/${encodeURIComponent(target.model)}/${stream ? 'converse-stream' : 'converse'}`;
}

export type BedrockAuth = { readonly ok: true; readonly auth: AuthSpec; readonly region: string } | { readonly ok: false; readonly error: TranslatedError };

export function bedrockAuth(target: TargetContext): BedrockAuth {
  const region = target.settings['region'] ?? /bedrock-runtime\.([a-z0-9-]+)\.amazonaws\.com/.exec(target.baseUrl)?.[1];
  if (region === undefined) return { ok: false, error: missingCredential(target.providerId, 'region (settings.region)') };
  const { api_key: apiKey, access_key_id: accessKeyId, secret_access_key: secretAccessKey, session_token: sessionToken } = target.credentials;
  if (apiKey?.present === true || (apiKey !== undefined && (accessKeyId === undefined || secretAccessKey === undefined))) {
    return { ok: true, region, auth: { kind: 'bearer', secret: apiKey } };
  }
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    return { ok: false, error: missingCredential(target.providerId, 'access_key_id and secret_access_key (or api_key)') };
  }
  return {
    ok: true,
    region,
    auth: {
      kind: 'sigv4', service: 'bedrock', region, accessKeyId, secretAccessKey,
      // An unset AWS_SESSION_TOKEN means long-term keys: sign without a token.
      ...(sessionToken?.present === true ? { sessionToken } : {}),
    },
  };
}
