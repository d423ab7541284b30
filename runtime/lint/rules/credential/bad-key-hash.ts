/** credential/bad-key-hash: key_sha256 must be a hex sha256 — and a key pasted here must not be echoed. */
import { pointerOf } from '../../../manifest/positions.js';
import type { Finding, LintRule } from '../../rule.js';

export const credentialBadKeyHashRule: LintRule = {
  id: 'credential/bad-key-hash',
  // The interpolated values: a ${VAR:-default} is checked as it will be served.
  check({ resolved: document }) {
    const findings: Finding[] = [];
    for (const [index, credential] of (document.credentials ?? []).entries()) {
      if (/^[0-9a-fA-F]{64}$/.test(credential.key_sha256)) continue;
      // A reference left unresolved (--allow-missing-env): env/missing-variable reports it.
      if (/^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/.test(credential.key_sha256)) continue;
      // The value is never printed: it may be the key itself.
      findings.push({
        pointer: pointerOf('credentials', index, 'key_sha256'),
        message: `key_sha256 of credential "${credential.id}" is not 64 hex characters (it has ${credential.key_sha256.length} characters)`,
      });
    }
    return findings;
  },
};
