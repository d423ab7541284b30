/**
 * Cohere v2 Chat wire types (snake_case on the wire): what the adapter writes, and the fields it reads.
 * @see https://docs.cohere.com/reference/chat
 * @see providers.md §6.2–6.5
 */

export type UserContent =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image_url'; readonly image_url: { readonly url: string; readonly detail?: 'auto' | 'low' | 'high' } };

export interface WireToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export type CohereMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string | readonly UserContent[] }
  | { readonly role: 'assistant'; readonly content?: string; readonly tool_calls?: readonly WireToolCall[] }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

export interface CohereTool {
  readonly type: 'function';
  readonly function: { readonly name: string; readonly description?: string; readonly parameters: Readonly<Record<string, unknown>> };
}

export type CohereResponseFormat =
  | { readonly type: 'json_object'; readonly json_schema?: Readonly<Record<string, unknown>> };

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly CohereMessage[];
  readonly tools?: readonly CohereTool[];
  readonly strict_tools?: boolean;
  readonly tool_choice?: 'REQUIRED' | 'NONE';
  readonly response_format?: CohereResponseFormat;
  readonly temperature?: number;
  readonly p?: number;
  readonly k?: number;
  readonly max_tokens?: number;
  readonly stop_sequences?: readonly string[];
  readonly seed?: number;
  readonly frequency_penalty?: number;
  readonly presence_penalty?: number;
  readonly stream: boolean;
}

/** `usage` of a response and of `message-end`: actual tokens and billed units. */
export interface WireUsage {
  readonly tokens?: { readonly input_tokens?: number; readonly output_tokens?: number };
  readonly billed_units?: { readonly input_tokens?: number; readonly output_tokens?: number };
  readonly cached_tokens?: number;
}
