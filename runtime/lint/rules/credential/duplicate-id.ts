/** credential/duplicate-id: two consumers with one id. */
import { pointerOf } from '../../../manifest/positions.js';
import type { LintRule } from '../../rule.js';
import { repeats } from '../../walk.js';

export const credentialDuplicateIdRule: LintRule = {
  id: 'credential/duplicate-id',
  check({ document, positions }) {
    const credentials = document.credentials ?? [];
    return repeats(credentials, (credential) => credential.id).map(({ index, first }) => ({
      pointer: pointerOf('credentials', index, 'id'),
      message: `credential id "${credentials[index]?.id ?? ''}" is already used on line ${positions.locate(pointerOf('credentials', first, 'id')).line}`,
    }));
  },
};
