/**
 * Gemini `generateContent` wire types (Gemini API and Vertex AI share them), only the fields aigw writes
 * or reads. Responses are read as `unknown` and narrowed field by field, so these describe intent.
 * @see https://ai.google.dev/api/generate-content
 * @see /work/shared/providers.md §4.2–§4.5
 */

export interface GeminiFunctionCall {
  readonly id?: string;
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export interface GeminiFunctionResponse {
  /** The id of the call it answers, when Gemini gave that call one. */
  readonly id?: string;
  readonly name: string;
  readonly response: Readonly<Record<string, unknown>>;
}

/** A part carries exactly one data field; `thoughtSignature` may ride along. */
export type GeminiPart =
  | { readonly text: string; readonly thought?: boolean; readonly thoughtSignature?: string }
  | { readonly inlineData: { readonly mimeType: string; readonly data: string } }
  | { readonly fileData: { readonly fileUri: string; readonly mimeType?: string } }
  | { readonly functionCall: GeminiFunctionCall; readonly thoughtSignature?: string }
  | { readonly functionResponse: GeminiFunctionResponse };

export interface GeminiContent {
  readonly role: 'user' | 'model';
  readonly parts: readonly GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  readonly name: string;
  readonly description?: string;
  /** Gemini's `Schema` (OpenAPI subset); exclusive with `parametersJsonSchema` (plain JSON Schema). */
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly parametersJsonSchema?: Readonly<Record<string, unknown>>;
}

export type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED';

export interface GeminiToolConfig {
  readonly functionCallingConfig: {
    readonly mode: GeminiFunctionCallingMode;
    readonly allowedFunctionNames?: readonly string[];
  };
}

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: readonly string[];
  seed?: number;
  candidateCount?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  /** Exclusive with `responseJsonSchema`, as `parameters` is with `parametersJsonSchema`. */
  responseSchema?: Readonly<Record<string, unknown>>;
  responseJsonSchema?: Readonly<Record<string, unknown>>;
}

export interface GeminiRequestBody {
  readonly contents: readonly GeminiContent[];
  readonly systemInstruction?: { readonly parts: readonly { readonly text: string }[] };
  readonly tools?: readonly { readonly functionDeclarations: readonly GeminiFunctionDeclaration[] }[];
  readonly toolConfig?: GeminiToolConfig;
  readonly generationConfig?: GeminiGenerationConfig;
  /** From the provider entry's `defaults` (e.g. safetySettings); other default keys pass as written. */
  readonly [defaultField: string]: unknown;
}

/** `usageMetadata` fields aigw reads (§4.3). */
export interface GeminiUsageMetadata {
  readonly promptTokenCount?: number;
  readonly candidatesTokenCount?: number;
  readonly totalTokenCount?: number;
  readonly thoughtsTokenCount?: number;
  readonly cachedContentTokenCount?: number;
  readonly toolUsePromptTokenCount?: number;
}
