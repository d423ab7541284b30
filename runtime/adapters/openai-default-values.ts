/**
 * OpenAI request fields that only OpenAI honours, whose default values ask nothing of a provider:
 * `store: false`, `modalities: ["text"]`, `service_tier: "auto"` or `"default"`. Apps and SDK
 * wrappers send them explicitly (`store: false` for privacy), so on a provider without them those
 * values are accepted and not forwarded; any other value cannot be honoured (a 400, or a recorded
 * drop with `drop_params`). Spread into the tables of providers that refuse unknown fields.
 */
import type { ParamRule } from './param-table.js';

export const OPENAI_DEFAULT_VALUES: Readonly<Record<string, ParamRule>> = {
  store: { kind: 'unsupported', reason: 'only OpenAI stores completions; false is accepted', when: (value) => value !== false },
  modalities: {
    kind: 'unsupported',
    reason: 'text output only; ["text"] is accepted',
    when: (value) => !(Array.isArray(value) && value.length === 1 && value[0] === 'text'),
  },
  service_tier: {
    kind: 'unsupported',
    reason: 'no OpenAI service tiers; "auto" and "default" are accepted',
    when: (value) => value !== 'auto' && value !== 'default',
  },
};
