/**
 * Which OpenAI request fields Bedrock Converse can honour. `inferenceConfig` has only maxTokens,
 * temperature, topP and stopSequences; model-specific settings (top_k, seed, penalties, thinking) go in
 * `additionalModelRequestFields`, which differs per model family, so aigw does not guess them: set them
 * in the provider entry's `defaults`.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InferenceConfiguration.html
 * @see /work/shared/providers.md §5.6 and §10.3
 */
import { isRecord } from '../json-value.js';
import type { ParamTable } from '../param-table.js';
import { OPENAI_DEFAULT_VALUES } from '../openai-default-values.js';

const MODEL_SPECIFIC = 'Converse has no field for it; set additionalModelRequestFields in the provider defaults';

export const bedrockParams: ParamTable = {
  unknown: 'unsupported',
  rules: {
    ...OPENAI_DEFAULT_VALUES,
    temperature: { kind: 'range', min: 0, max: 1 },
    top_p: { kind: 'range', min: 0, max: 1 },
    max_tokens: { kind: 'supported' },
    max_completion_tokens: { kind: 'supported' },
    stop: { kind: 'supported' },
    tools: { kind: 'supported' },
    tool_choice: { kind: 'supported' },
    // json_schema → outputConfig.textFormat; json_object has no schema-less JSON mode in Converse.
    response_format: {
      kind: 'unsupported',
      reason: 'Bedrock Converse supports json_schema structured output only',
      when: (value) => isRecord(value) && value['type'] === 'json_object',
    },
    // requestMetadata (invocation-log filters); values outside its character set are refused in request.ts.
    user: { kind: 'supported' },
    // outputConfig.effort takes low | medium | high (xhigh, max too, which OpenAI does not define).
    reasoning_effort: {
      kind: 'unsupported',
      reason: 'Bedrock outputConfig.effort takes low, medium or high',
      when: (value) => value !== 'low' && value !== 'medium' && value !== 'high',
    },
    n: { kind: 'unsupported', reason: 'Bedrock Converse returns one message', when: (value) => value !== 1 },
    seed: { kind: 'unsupported', reason: MODEL_SPECIFIC },
    presence_penalty: { kind: 'unsupported', reason: MODEL_SPECIFIC },
    frequency_penalty: { kind: 'unsupported', reason: MODEL_SPECIFIC },
    logit_bias: { kind: 'unsupported', reason: 'Bedrock has no logit bias' },
    logprobs: { kind: 'unsupported', reason: 'Bedrock Converse returns no log-probabilities', when: (value) => value === true },
    top_logprobs: { kind: 'unsupported', reason: 'Bedrock Converse returns no log-probabilities' },
    parallel_tool_calls: {
      kind: 'unsupported',
      reason: 'Converse cannot disable parallel tool use (model-specific: additionalModelRequestFields)',
      when: (value) => value === false,
    },
  },
};
