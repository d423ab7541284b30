/** credential/duplicate-key: two consumers sharing one key cannot be told apart. */
import { pointerOf } from '../../../manifest/positions.js';
import type { LintRule } from '../../rule.js';
import { isUnresolvedReference, repeats } from '../../walk.js';

export const credentialDuplicateKeyRule: LintRule = {
  id: 'credential/duplicate-key',
  // The interpolated values: two "${KEY_A}" and "${KEY_B}" set to one hash collide as served.
  check({ resolved }) {
    const credentials = resolved.credentials ?? [];
    return repeats(credentials, (credential, index) => (isUnresolvedReference(credential.key_sha256) ? `unresolved:${index}` : credential.key_sha256.toLowerCase())).map(({ index, first }) => ({
      pointer: pointerOf('credentials', index, 'key_sha256'),
      message: `credential "${credentials[index]?.id ?? ''}" has the same key_sha256 as credential "${credentials[first]?.id ?? ''}"`,
    }));
  },
};
