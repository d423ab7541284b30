/**
 * Provider credentials unset in simulate's environment. Simulate replays fixtures and never needs a
 * secret, so it routes as if every key were set; serve run with the same environment would skip those
 * targets (auth_error) and send their traffic elsewhere. Naming them keeps the prediction honest
 * (dry-run flags the same per candidate).
 */
import type { ProviderAdapter, ProviderType } from '../../runtime/adapters/contract.js';
import type { Manifest } from '../../runtime/manifest/types.js';
import { explainPlan } from '../../runtime/routing/explain-plan.js';

export interface UnsetCredential {
  readonly provider: string;
  /** The reference as written (`${OPENAI_API_KEY}`), never a value. */
  readonly credential: string;
}

export function unsetCredentials(manifest: Manifest, getAdapter: (type: ProviderType) => ProviderAdapter): UnsetCredential[] {
  const found = new Map<string, UnsetCredential>();
  for (const route of manifest.routes) {
    const explanation = explainPlan(manifest, { model: route.match.model, messages: [{ role: 'user', content: 'Hi' }] }, getAdapter);
    if (!explanation.matched) continue;
    for (const candidate of explanation.candidates) {
      if (candidate.missingCredential === undefined) continue;
      found.set(`${candidate.provider}\n${candidate.missingCredential}`, { provider: candidate.provider, credential: candidate.missingCredential });
    }
  }
  return [...found.values()];
}
