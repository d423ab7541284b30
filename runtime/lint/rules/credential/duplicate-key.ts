/** credential/duplicate-key: two consumers sharing one key cannot be told apart. */
import { pointerOf } from '../../../manifest/positions.js';
import type { LintRule } from '../../rule.js';
import { repeats } from '../../walk.js';

export const credentialDuplicateKeyRule: LintRule = {
  id: 'credential/duplicate-key',
  check({ document }) {
    const credentials = document.credentials ?? [];
    return repeats(credentials, (credential) => credential.key_sha256.toLowerCase()).map(({ index, first }) => ({
      pointer: pointerOf('credentials', index, 'key_sha256'),
      message: `credential "${credentials[index]?.id ?? ''}" has the same key_sha256 as credential "${credentials[first]?.id ?? ''}"`,
    }));
  },
};
