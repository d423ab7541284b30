/**
 * OpenAI Chat Completions wire types: the shapes the gateway accepts and emits.
 * Only the fields the gateway reads or writes are typed; unknown request fields are kept as `unknown`
 * so the parameter table can report them instead of dropping them silently.
 * @see https://platform.openai.com/docs/api-reference/chat
 */

export type Role = 'developer' | 'system' | 'user' | 'assistant' | 'tool';

export interface TextPart { readonly type: 'text'; readonly text: string }
export interface ImagePart {
  readonly type: 'image_url';
  readonly image_url: { readonly url: string; readonly detail?: 'auto' | 'low' | 'high' };
}
export interface AudioPart { readonly type: 'input_audio'; readonly input_audio: { readonly data: string; readonly format: string } }
export interface FilePart { readonly type: 'file'; readonly file: { readonly filename?: string; readonly file_data?: string; readonly file_id?: string } }
export type ContentPart = TextPart | ImagePart | AudioPart | FilePart;

export interface ToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export interface SystemMessage { readonly role: 'system' | 'developer'; readonly content: string | readonly TextPart[]; readonly name?: string }
export interface UserMessage { readonly role: 'user'; readonly content: string | readonly ContentPart[]; readonly name?: string }
export interface AssistantMessage {
  readonly role: 'assistant';
  readonly content?: string | readonly TextPart[] | null;
  readonly refusal?: string | null;
  readonly tool_calls?: readonly ToolCall[];
  readonly name?: string;
}
export interface ToolMessage { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string | readonly TextPart[] }
export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface FunctionTool {
  readonly type: 'function';
  readonly function: { readonly name: string; readonly description?: string; readonly parameters?: Readonly<Record<string, unknown>>; readonly strict?: boolean };
}

export type ToolChoice =
  | 'none' | 'auto' | 'required'
  | { readonly type: 'function'; readonly function: { readonly name: string } };

export type ResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly json_schema: { readonly name: string; readonly schema?: Readonly<Record<string, unknown>>; readonly strict?: boolean; readonly description?: string } };

/** The chat-completions request as validated by `schemas/chat-completions-request.schema.json`. */
export interface ChatCompletionRequest {
  readonly model: string;
  readonly messages: readonly Message[];
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean; readonly include_obfuscation?: boolean };
  readonly temperature?: number;
  readonly top_p?: number;
  readonly max_tokens?: number;
  readonly max_completion_tokens?: number;
  readonly stop?: string | readonly string[];
  readonly seed?: number;
  readonly n?: number;
  readonly presence_penalty?: number;
  readonly frequency_penalty?: number;
  readonly logit_bias?: Readonly<Record<string, number>>;
  readonly logprobs?: boolean;
  readonly top_logprobs?: number;
  readonly user?: string;
  readonly response_format?: ResponseFormat;
  readonly tools?: readonly FunctionTool[];
  readonly tool_choice?: ToolChoice;
  readonly parallel_tool_calls?: boolean;
  readonly reasoning_effort?: string;
  /** Any other field the client sent; the param table decides whether it passes, drops or is a 400. */
  readonly [extra: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details?: { readonly cached_tokens?: number; readonly [key: string]: number | undefined };
  readonly completion_tokens_details?: { readonly reasoning_tokens?: number; readonly [key: string]: number | undefined };
}

/** A citation OpenAI attaches to an answer (web search: `{type: "url_citation", url_citation: {…}}`), relayed as sent. */
export type Annotation = Readonly<Record<string, unknown>>;

export interface CompletionMessage {
  readonly role: 'assistant';
  readonly content: string | null;
  readonly refusal: string | null;
  readonly tool_calls?: readonly ToolCall[];
  readonly annotations?: readonly Annotation[];
}

export interface ChatCompletion {
  readonly id: string;
  readonly object: 'chat.completion';
  readonly created: number;
  readonly model: string;
  readonly choices: readonly {
    readonly index: number;
    readonly message: CompletionMessage;
    readonly logprobs: null;
    readonly finish_reason: FinishReason;
  }[];
  readonly usage?: Usage;
  readonly service_tier?: string | null;
  readonly system_fingerprint?: string | null;
}

export interface ToolCallDelta {
  readonly index: number;
  readonly id?: string;
  readonly type?: 'function';
  readonly function?: { readonly name?: string; readonly arguments?: string };
}

export interface ChunkDelta {
  readonly role?: 'assistant';
  readonly content?: string | null;
  readonly refusal?: string | null;
  readonly tool_calls?: readonly ToolCallDelta[];
  readonly annotations?: readonly Annotation[];
}

export interface ChatCompletionChunk {
  readonly id: string;
  readonly object: 'chat.completion.chunk';
  readonly created: number;
  readonly model: string;
  /** OpenAI's own head fields, in its order; relayed by the OpenAI-compatible family only. */
  readonly service_tier?: string | null;
  readonly system_fingerprint?: string | null;
  readonly choices: readonly {
    readonly index: number;
    readonly delta: ChunkDelta;
    readonly logprobs: null;
    readonly finish_reason: FinishReason | null;
  }[];
  /** `null` on every chunk but the last when the client asked for usage; absent otherwise. */
  readonly usage?: Usage | null;
}

/** OpenAI's error envelope, exactly: all four keys present, `param` and `code` nullable. */
export interface OpenAIErrorEnvelope {
  readonly error: { readonly message: string; readonly type: string; readonly param: string | null; readonly code: string | null };
}
