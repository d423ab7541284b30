/**
 * OpenAI chat request → Gemini `generateContent` body, shared by the Gemini API and Vertex AI adapters
 * (same JSON, different URL and auth). Pure and deterministic: same input, same body string.
 * @see https://ai.google.dev/api/generate-content#request-body
 * @see /work/shared/providers.md §4.2 and §4.6
 */
import type { BuildOptions, BuildResult, NativeRequest, TargetContext } from '../contract.js';
import { fillDefaults } from '../fill-defaults.js';
import { invalidRequest } from '../error-common.js';
import { RequestTranslationError, translateRequest, type DropPolicy } from '../request-translation.js';
import type { ChatCompletionRequest, FunctionTool, ResponseFormat, ToolChoice } from '../../openai/wire.js';
import { convertMessages } from './messages.js';
import { geminiParams } from './params.js';
import { newInliningBudget, toGeminiSchema, type GeminiSchema, type InliningBudget } from './schema.js';
import type { GeminiFunctionDeclaration, GeminiGenerationConfig, GeminiRequestBody, GeminiToolConfig } from './wire.js';

/**
 * The whole build frame: param table, body translation, then `toNative` (URL and auth differ between
 * the Gemini API and Vertex AI) turns the body into the request.
 */
export function translateGeminiRequest(
  request: ChatCompletionRequest,
  target: TargetContext,
  options: BuildOptions,
  toNative: (body: GeminiRequestBody) => NativeRequest,
  api: GeminiApi,
): BuildResult {
  return translateRequest(request, target, geminiParams, (checked, policy) => toNative(buildGeminiBody(checked, request.stream === true, target, policy, options, api)));
}

/** What the API version the request goes to offers beyond the common body. */
export interface GeminiApi {
  /** The VALIDATED function-calling mode: the Gemini API's v1beta and Vertex AI's v1beta1, not Vertex's v1. */
  readonly validatedMode: boolean;
}

/** VALIDATED is in the beta versions' FunctionCallingConfig.Mode (Vertex AI v1 has AUTO, ANY, NONE only). */
export function geminiApiOf(version: string): GeminiApi {
  return { validatedMode: version.includes('beta') };
}

/** Throws RequestTranslationError for what cannot be expressed; `request` has passed the param table. */
export function buildGeminiBody(request: ChatCompletionRequest, stream: boolean, target: TargetContext, policy: DropPolicy, options: BuildOptions, api: GeminiApi): GeminiRequestBody {
  if (stream && request.n !== undefined && request.n > 1) {
    // A chunk stream here carries one choice; several candidates would need interleaved choice indexes.
    policy.unsupported('n', 'n > 1 is not supported with stream on Gemini');
  }
  const candidateCount = stream && request.n !== undefined && request.n > 1 ? undefined : request.n;
  const messages = convertMessages(request.messages, policy, target.model);
  const contents = [...messages.contents];
  if (options.prefill !== undefined && options.prefill !== '') {
    // Stream continuation: a trailing model turn the model continues. Used only when the manifest enables
    // prefill for the target; Gemini's supportsPrefill is false by default (not verified for every model).
    contents.push({ role: 'model', parts: [{ text: options.prefill }] });
  }
  // One inlining budget for every schema of the request (tools and response_format).
  const budget = newInliningBudget();
  const tools = functionDeclarations(request.tools, budget);
  const toolConfig = toolConfigFor(request.tool_choice, request.tools, api, policy);
  const generationConfig = generationConfigFor(request, candidateCount, budget);

  const body: Record<string, unknown> = {};
  if (messages.systemInstruction !== undefined) body['systemInstruction'] = messages.systemInstruction;
  body['contents'] = contents;
  if (tools !== undefined) body['tools'] = [{ functionDeclarations: tools }];
  if (toolConfig !== undefined && tools !== undefined) body['toolConfig'] = toolConfig;
  if (Object.keys(generationConfig).length > 0) body['generationConfig'] = generationConfig;
  // Provider defaults (e.g. safetySettings, generationConfig.topK) fill only what the request left unset.
  return fillDefaults(body, target.defaults) as GeminiRequestBody; // body keys are GeminiRequestBody's
}

function schemaOrThrow(schema: Readonly<Record<string, unknown>>, param: string, label: string, budget: InliningBudget): GeminiSchema | undefined {
  const converted = toGeminiSchema(schema, param, budget);
  if (!converted.ok) throw new RequestTranslationError(invalidRequest(converted.param, `${label}: ${converted.reason}.`));
  return converted.schema;
}

function functionDeclarations(tools: readonly FunctionTool[] | undefined, budget: InliningBudget): GeminiFunctionDeclaration[] | undefined {
  if (tools === undefined || tools.length === 0) return undefined;
  return tools.map((tool, index) => {
    const { name, description, parameters } = tool.function;
    const converted = parameters === undefined ? undefined : schemaOrThrow(parameters, `tools[${index}].function.parameters`, `Tool '${name}'`, budget);
    return {
      name,
      ...(description === undefined ? {} : { description }),
      ...(converted === undefined ? {} : converted.type === 'schema' ? { parameters: converted.schema } : { parametersJsonSchema: converted.schema }),
    };
  });
}

/**
 * A tool with OpenAI's `strict: true` asks that calls match its schema: the VALIDATED mode (text or
 * calls, calls held to their schema) where the model chooses, and ANY, which holds calls to their
 * schema already, where a call is forced. An API version without VALIDATED cannot honour it there.
 * @see https://ai.google.dev/api/caching#FunctionCallingConfig
 */
function toolConfigFor(choice: ToolChoice | undefined, tools: readonly FunctionTool[] | undefined, api: GeminiApi, policy: DropPolicy): GeminiToolConfig | undefined {
  const strict = (tools ?? []).some((tool) => tool.function.strict === true);
  if (choice === undefined || choice === 'auto') {
    if (strict && api.validatedMode) return { functionCallingConfig: { mode: 'VALIDATED' } };
    if (strict) policy.unsupported('tools[].function.strict', 'this API version has no mode that holds tool calls to their schema (Vertex AI: api_version v1beta1 has VALIDATED)');
    return choice === undefined ? undefined : { functionCallingConfig: { mode: 'AUTO' } };
  }
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  const name = choice.function.name;
  if (!(tools ?? []).some((tool) => tool.function.name === name)) {
    throw new RequestTranslationError(invalidRequest('tool_choice', `tool_choice names '${name}', which is not among the request's tools.`));
  }
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
}

/** @see https://ai.google.dev/api/generate-content#generationconfig */
function generationConfigFor(request: ChatCompletionRequest, candidateCount: number | undefined, budget: InliningBudget): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.top_p !== undefined) config.topP = request.top_p;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (request.stop !== undefined) config.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (request.seed !== undefined) config.seed = request.seed;
  if (candidateCount !== undefined) config.candidateCount = candidateCount;
  if (request.presence_penalty !== undefined) config.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty !== undefined) config.frequencyPenalty = request.frequency_penalty;
  return { ...config, ...responseFormat(request.response_format, budget) };
}

/**
 * text → nothing (the default); json_object → JSON mime type; json_schema → plus `responseSchema`, or
 * `responseJsonSchema` when the Schema subset cannot express it (schema.ts).
 */
function responseFormat(format: ResponseFormat | undefined, budget: InliningBudget): GeminiGenerationConfig {
  if (format === undefined || format.type === 'text') return {};
  const schema = format.type === 'json_schema' && format.json_schema.schema !== undefined
    ? schemaOrThrow(format.json_schema.schema, 'response_format.json_schema.schema', 'response_format', budget)
    : undefined;
  if (schema === undefined) return { responseMimeType: 'application/json' };
  return schema.type === 'schema'
    ? { responseMimeType: 'application/json', responseSchema: schema.schema }
    : { responseMimeType: 'application/json', responseJsonSchema: schema.schema };
}
