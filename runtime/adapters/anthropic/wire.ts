/**
 * Anthropic Messages API wire types: what the adapter writes, and the fields it reads back.
 * @see https://docs.claude.com/en/api/messages
 * @see providers.md §3.2–3.5
 */

export type ImageSource =
  | { readonly type: 'base64'; readonly media_type: string; readonly data: string }
  | { readonly type: 'url'; readonly url: string };

export type RequestBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image'; readonly source: ImageSource }
  | { readonly type: 'document'; readonly source: { readonly type: 'base64'; readonly media_type: 'application/pdf'; readonly data: string } }
  | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: unknown }
  | { readonly type: 'tool_result'; readonly tool_use_id: string; readonly content: string };

export interface RequestMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string | readonly RequestBlock[];
}

export interface RequestTool {
  readonly name: string;
  readonly description?: string;
  readonly input_schema: Readonly<Record<string, unknown>>;
  readonly strict?: boolean;
}

export type RequestToolChoice =
  | { readonly type: 'auto' | 'any'; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: 'tool'; readonly name: string; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: 'none' };

export interface MessagesRequest {
  readonly model: string;
  readonly max_tokens: number;
  readonly system?: readonly { readonly type: 'text'; readonly text: string }[];
  readonly messages: readonly RequestMessage[];
  readonly tools?: readonly RequestTool[];
  readonly tool_choice?: RequestToolChoice;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly top_k?: number;
  readonly stop_sequences?: readonly string[];
  readonly metadata?: { readonly user_id: string };
  readonly output_config?: { readonly format: { readonly type: 'json_schema'; readonly schema: Readonly<Record<string, unknown>> } };
  readonly stream?: true;
}

/** Usage as sent in a Message and in `message_start` / `message_delta` (cache fields may be null or absent). */
export interface WireUsage {
  readonly input_tokens?: number | null;
  readonly output_tokens?: number | null;
  readonly cache_creation_input_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
}

export type ResponseBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: unknown }
  /** thinking, redacted_thinking, server tool blocks, …: no OpenAI equivalent, skipped. */
  | { readonly type: string };

export interface MessageResponse {
  readonly id?: string;
  readonly model?: string;
  readonly content: readonly ResponseBlock[];
  readonly stop_reason?: string | null;
  readonly usage?: WireUsage;
}

/** `{"type":"error","error":{"type","message"},"request_id"}`, also the payload of an in-band `event: error`. */
export interface ErrorObject {
  readonly type?: string;
  readonly message?: string;
}
