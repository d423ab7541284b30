/**
 * Ollama native `/api/chat` wire types: what the adapter writes, and the fields it reads back.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 * @see providers.md §8.1
 */

export interface WireToolCall {
  readonly id?: string;
  /** Arguments are a JSON object, not a string. */
  readonly function: { readonly name: string; readonly arguments: Readonly<Record<string, unknown>> };
}

export interface OllamaMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
  /** Raw base64, without the `data:…;base64,` prefix. */
  readonly images?: readonly string[];
  readonly tool_calls?: readonly WireToolCall[];
  readonly tool_name?: string;
  readonly tool_call_id?: string;
}

export interface OllamaTool {
  readonly type: 'function';
  readonly function: { readonly name: string; readonly description?: string; readonly parameters: Readonly<Record<string, unknown>> };
}

/** Sampling and length options; only the ones the adapter sets. */
export interface OllamaOptions {
  readonly temperature?: number;
  readonly top_p?: number;
  readonly top_k?: number;
  readonly num_predict?: number;
  readonly stop?: readonly string[];
  readonly seed?: number;
  readonly presence_penalty?: number;
  readonly frequency_penalty?: number;
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly OllamaMessage[];
  readonly tools?: readonly OllamaTool[];
  /** `"json"` or a JSON schema. */
  readonly format?: 'json' | Readonly<Record<string, unknown>>;
  readonly options?: OllamaOptions;
  /** Ollama streams unless told otherwise, so the flag is always sent. */
  readonly stream: boolean;
}
