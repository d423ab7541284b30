/**
 * Which OpenAI request fields Gemini (and Vertex AI, same body) can honour. Everything not listed is
 * a 400 `unsupported_parameter` or, with `drop_params`, a recorded drop.
 * @see https://ai.google.dev/api/generate-content#generationconfig
 * @see /work/shared/providers.md §4.6 and §10.3
 */
import type { ParamTable } from '../param-table.js';
import { OPENAI_DEFAULT_VALUES } from '../openai-default-values.js';

export const geminiParams: ParamTable = {
  unknown: 'unsupported',
  rules: {
    ...OPENAI_DEFAULT_VALUES,
    temperature: { kind: 'range', min: 0, max: 2 },
    top_p: { kind: 'range', min: 0, max: 1 },
    max_tokens: { kind: 'supported' },
    max_completion_tokens: { kind: 'supported' },
    stop: { kind: 'supported' },
    seed: { kind: 'supported' },
    // candidateCount; n > 1 with stream is refused in request.ts (one choice per chunk stream only).
    n: { kind: 'range', min: 1, max: 8 },
    presence_penalty: { kind: 'range', min: -2, max: 2 },
    frequency_penalty: { kind: 'range', min: -2, max: 2 },
    response_format: { kind: 'supported' },
    tools: { kind: 'supported' },
    tool_choice: { kind: 'supported' },
    parallel_tool_calls: {
      kind: 'unsupported',
      reason: 'Gemini cannot disable parallel function calls',
      when: (value) => value === false,
    },
    user: { kind: 'unsupported', reason: 'Gemini has no end-user identifier field' },
    logit_bias: { kind: 'unsupported', reason: 'Gemini has no logit bias' },
    logprobs: { kind: 'unsupported', reason: 'Gemini log-probabilities are not translated by aigw', when: (value) => value === true },
    top_logprobs: { kind: 'unsupported', reason: 'Gemini log-probabilities are not translated by aigw' },
    reasoning_effort: { kind: 'unsupported', reason: 'Gemini thinking settings are model-specific; set generationConfig.thinkingConfig in the provider defaults' },
  },
};
