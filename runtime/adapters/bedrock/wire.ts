/**
 * Bedrock Converse / ConverseStream wire types, only the fields aigw writes or reads. Responses and
 * stream payloads are read as `unknown` and narrowed field by field; these describe what is built.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 * @see /work/shared/providers.md §5.2–§5.5
 */

export type BedrockImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';
export type BedrockDocumentFormat = 'pdf' | 'csv' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'html' | 'txt' | 'md';

export type BedrockContentBlock =
  | { readonly text: string }
  | { readonly image: { readonly format: BedrockImageFormat; readonly source: { readonly bytes: string } | { readonly s3Location: { readonly uri: string } } } }
  | { readonly document: { readonly format: BedrockDocumentFormat; readonly name: string; readonly source: { readonly bytes: string } } }
  | { readonly toolUse: { readonly toolUseId: string; readonly name: string; readonly input: Readonly<Record<string, unknown>> } }
  | { readonly toolResult: { readonly toolUseId: string; readonly content: readonly { readonly text: string }[] } };

export interface BedrockMessage {
  readonly role: 'user' | 'assistant';
  readonly content: readonly BedrockContentBlock[];
}

export interface BedrockToolSpec {
  readonly toolSpec: {
    readonly name: string;
    readonly description?: string;
    readonly inputSchema: { readonly json: Readonly<Record<string, unknown>> };
    readonly strict?: boolean;
  };
}

export type BedrockToolChoice = { readonly auto: Record<string, never> } | { readonly any: Record<string, never> } | { readonly tool: { readonly name: string } };

export interface BedrockInferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: readonly string[];
}

export interface BedrockOutputConfig {
  textFormat?: {
    readonly type: 'json_schema';
    /** `schema` is the JSON Schema serialised as a string (the API's JsonSchemaDefinition). */
    readonly structure: { readonly jsonSchema: { readonly schema: string; readonly name?: string; readonly description?: string } };
  };
  effort?: string;
}

export interface BedrockRequestBody {
  readonly system?: readonly { readonly text: string }[];
  readonly messages: readonly BedrockMessage[];
  readonly inferenceConfig?: BedrockInferenceConfig;
  readonly toolConfig?: { readonly tools: readonly BedrockToolSpec[]; readonly toolChoice?: BedrockToolChoice };
  readonly outputConfig?: BedrockOutputConfig;
  readonly requestMetadata?: Readonly<Record<string, string>>;
  /** From provider `defaults`: additionalModelRequestFields, guardrailConfig, performanceConfig, … */
  readonly [defaultField: string]: unknown;
}
