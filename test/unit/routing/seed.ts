/** The seed manifest of design §2, verbatim (the copy the manifest tests validate). */
import { readFileSync } from 'node:fs';

export const SEED_MANIFEST = readFileSync(new URL('../../manifests/good/001-seed.yaml', import.meta.url), 'utf8');
