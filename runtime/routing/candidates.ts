/**
 * Plan candidates resolved against the manifest and the adapters, and which of them can take part in
 * a phase: every one at first, only prefill-capable ones in a stream continuation (design §3.6).
 */
import type { ProviderAdapter } from '../adapters/contract.js';
import type { ProviderEntry } from '../manifest/types.js';
import type { RunState, Who } from './run-state.js';
import { providerEntry, supportsPrefill } from './target-context.js';
import type { Candidate } from './types.js';

export type Phase = 'initial' | 'continuation';

export interface Resolved { readonly candidate: Candidate; readonly entry: ProviderEntry; readonly adapter: ProviderAdapter; readonly who: Who }

export function resolve(state: RunState, candidate: Candidate): Resolved {
  const entry = providerEntry(state.input.manifest, candidate.target);
  const adapter = state.deps.getAdapter(entry.type);
  return { candidate, entry, adapter, who: { provider: entry.id, providerType: entry.type, model: candidate.target.model } };
}

export function eligible(state: RunState, resolved: Resolved, phase: Phase): boolean {
  return phase === 'initial' || supportsPrefill(resolved.adapter, resolved.entry, resolved.candidate.target);
}

/** Whether a candidate after `index` can still take part in this phase. */
export function hasLaterCandidate(state: RunState, plan: readonly Candidate[], index: number, phase: Phase): boolean {
  return plan.slice(index + 1).some((candidate) => eligible(state, resolve(state, candidate), phase));
}
