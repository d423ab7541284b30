/**
 * Converse `stopReason` → OpenAI `finish_reason` (providers.md §10.1). A malformed model output or tool
 * use is not a clean stop (design §10.6: a malformed function call must never pass as `stop`): it is
 * an error the engine can fail over on. Unknown values map to `stop`; the raw value is kept for audit.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_MessageStopEvent.html
 * @see https://github.com/vercel/ai/blob/main/packages/amazon-bedrock/src/map-amazon-bedrock-finish-reason.ts
 */
import type { TranslatedError } from '../contract.js';
import { providerFailure } from '../error-common.js';
import type { FinishReason } from '../../openai/wire.js';
import { ownValue } from '../../own-value.js';

export type BedrockFinish = { readonly type: 'finish'; readonly reason: FinishReason } | { readonly type: 'error'; readonly error: TranslatedError };

const REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

export function mapBedrockStopReason(raw: string | undefined): BedrockFinish {
  if (raw === 'malformed_model_output' || raw === 'malformed_tool_use') {
    return {
      type: 'error',
      error: providerFailure(`Bedrock ended the turn with ${raw}: the model produced output it could not complete.`, raw),
    };
  }
  return { type: 'finish', reason: (raw === undefined ? undefined : ownValue(REASONS, raw)) ?? 'stop' };
}
