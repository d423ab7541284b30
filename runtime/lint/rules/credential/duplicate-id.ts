/** credential/duplicate-id: two consumers with one id. */
import { pointerOf } from '../../../manifest/positions.js';
import type { LintRule } from '../../rule.js';
import { repeats } from '../../walk.js';

export const credentialDuplicateIdRule: LintRule = {
  id: 'credential/duplicate-id',
  // The interpolated ids: quotas and audit records use them as served.
  check({ resolved, positions }) {
    const credentials = resolved.credentials ?? [];
    return repeats(credentials, (credential) => credential.id).map(({ index, first }) => ({
      pointer: pointerOf('credentials', index, 'id'),
      message: `credential id "${credentials[index]?.id ?? ''}" is already used on line ${positions.locate(pointerOf('credentials', first, 'id')).line}`,
    }));
  },
};
