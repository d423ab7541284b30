/**
 * The provider capability matrix for the docs, generated from the adapters' parameter tables (style §H
 * "Params": one table drives the 400s, the drops and the docs), so the README cannot drift from what
 * the gateway enforces. `test/unit/adapters/capability-matrix.test.ts` keeps the README copy in sync.
 */
import { PROVIDER_TYPES, type ProviderType } from './contract.js';
import type { ParamRule, ParamTable } from './param-table.js';
import { getAdapter } from './registry.js';

/** The OpenAI request fields shown, in the order of the OpenAI reference. */
export const MATRIX_PARAMS: readonly string[] = [
  'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stop', 'seed', 'n', 'presence_penalty',
  'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'user', 'response_format', 'tools', 'tool_choice',
  'parallel_tool_calls', 'reasoning_effort', 'store', 'modalities', 'service_tier',
];

type Cell = { readonly mark: string; readonly condition?: string };

function cell(table: ParamTable, param: string): Cell {
  const rule: ParamRule | undefined = table.rules[param];
  if (rule === undefined) return { mark: table.unknown === 'pass' ? '✓' : '✗' };
  switch (rule.kind) {
    case 'supported':
      return { mark: '✓' };
    case 'range':
      return { mark: `${rule.min}–${rule.max}` };
    case 'unsupported':
      return rule.when === undefined ? { mark: '✗' } : { mark: '◐', condition: rule.reason };
    default: {
      const never: never = rule;
      return never;
    }
  }
}

/** Markdown: one row per parameter, one column per provider, then the conditions behind each ◐. */
export function capabilityMatrix(types: readonly ProviderType[] = PROVIDER_TYPES): string {
  const adapters = types.map((type) => getAdapter(type));
  const lines: string[] = [
    `| parameter | ${types.join(' | ')} |`,
    `|---|${types.map(() => ':-:').join('|')}|`,
  ];
  const conditions = new Map<string, ProviderType[]>();
  for (const param of MATRIX_PARAMS) {
    const cells = adapters.map((adapter) => {
      const result = cell(adapter.params, param);
      if (result.condition !== undefined) {
        const key = `\`${param}\`: ${result.condition}`;
        conditions.set(key, [...(conditions.get(key) ?? []), adapter.type]);
      }
      return result.mark;
    });
    lines.push(`| \`${param}\` | ${cells.join(' | ')} |`);
  }
  lines.push(`| prefill (continuation) | ${adapters.map((adapter) => (adapter.supportsPrefill ? '✓' : '—')).join(' | ')} |`);
  lines.push('', '✓ translated or passed · ✗ a 400 `unsupported_parameter` (dropped and recorded with `drop_params: true`) · ◐ refused for some values · a range: refused outside it · prefill: declared stream-continuation support (a manifest may override).', '');
  for (const [condition, providers] of [...conditions].sort(([left], [right]) => left.localeCompare(right))) {
    lines.push(`- ◐ ${condition} (${providers.join(', ')})`);
  }
  return lines.join('\n');
}
