/**
 * Real Redis and Elasticsearch for services tests (started by scripts/services.sh). Without their URLs
 * a test is skipped with a loud reason; under CI=true a missing service is a failure, never a skip.
 */
import type { TestContext } from 'node:test';

export type ServiceName = 'redis' | 'elasticsearch';

const VARIABLES: Record<ServiceName, string> = { redis: 'AIGW_TEST_REDIS_URL', elasticsearch: 'AIGW_TEST_ES_URL' };

/**
 * The service URL, or undefined after marking the test skipped (locally) — throws under CI=true.
 * Usage: `const url = requireService(t, 'redis'); if (url === undefined) return;`
 */
export function requireService(t: TestContext, service: ServiceName): string | undefined {
  const variable = VARIABLES[service];
  const url = process.env[variable];
  if (url !== undefined && url !== '') return url;
  const reason = `SKIPPED LOUDLY: ${variable} is not set; run scripts/services.sh to start a real ${service} (see README, "Tests")`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} — under CI=true a missing service is a failure`);
  process.stderr.write(`\n*** ${reason}\n`);
  t.skip(reason);
  return undefined;
}
