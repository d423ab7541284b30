/** Golden files under __golden__/ next to the test; AIGW_UPDATE_GOLDEN=1 rewrites them. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function assertGolden(testFileUrl: string, name: string, actual: string): void {
  const file = join(dirname(fileURLToPath(testFileUrl)), '__golden__', name);
  if (process.env['AIGW_UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
    if (process.env['CI'] === 'true' && !existsSync(file)) assert.fail(`golden file missing under CI: ${file}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `golden mismatch: ${file} (AIGW_UPDATE_GOLDEN=1 to rewrite)`);
}
