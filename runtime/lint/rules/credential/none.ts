/** credential/none: without credentials the gateway is open (fine on a laptop, not beyond). */
import type { LintRule } from '../../rule.js';

export const credentialNoneRule: LintRule = {
  id: 'credential/none',
  check({ document }) {
    if (document.credentials !== undefined) return [];
    return [{ pointer: '', part: 'key', message: 'no credentials: the gateway accepts every request without a key' }];
  },
};
