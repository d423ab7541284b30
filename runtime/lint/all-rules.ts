/** Every lint rule, in report order within a position (the registry holds their ids and hints). */
import type { LintRule } from './rule.js';
import { auditBadRedactPatternRule } from './rules/audit/bad-redact-pattern.js';
import { auditBadSinkRule } from './rules/audit/bad-sink.js';
import { auditQuadraticRedactPatternRule } from './rules/audit/quadratic-redact-pattern.js';
import { auditSlowRedactPatternRule } from './rules/audit/slow-redact-pattern.js';
import { credentialBadKeyHashRule } from './rules/credential/bad-key-hash.js';
import { credentialDuplicateIdRule } from './rules/credential/duplicate-id.js';
import { credentialDuplicateKeyRule } from './rules/credential/duplicate-key.js';
import { credentialNoneRule } from './rules/credential/none.js';
import { credentialQuotaBelowRequestRule } from './rules/credential/quota-below-request.js';
import { credentialUnknownRouteRule } from './rules/credential/unknown-route.js';
import { providerBadBaseUrlRule } from './rules/provider/bad-base-url.js';
import { providerLiteralSecretRule } from './rules/provider/literal-secret.js';
import { providerMissingSettingRule } from './rules/provider/missing-setting.js';
import { providerUnknownIdRule } from './rules/provider/unknown-id.js';
import { providerUnsupportedSettingRule } from './rules/provider/unsupported-setting.js';
import { providerUnusedRule } from './rules/provider/unused.js';
import { routeDuplicateNameRule } from './rules/route/duplicate-name.js';
import { routeDuplicateTargetRule } from './rules/route/duplicate-target.js';
import { routeFallbackFormatRule } from './rules/route/fallback-format.js';
import { routeFallbackRepeatsTargetRule } from './rules/route/fallback-repeats-target.js';
import { routeLatencyExceedsTimeoutRule } from './rules/route/latency-exceeds-timeout.js';
import { routeUnreachableRule } from './rules/route/unreachable.js';
import { routeWeightInvalidRule } from './rules/route/weight-invalid.js';
import { routeWeightsAllZeroRule } from './rules/route/weights-all-zero.js';

export const LINT_RULES: readonly LintRule[] = [
  providerUnknownIdRule,
  providerLiteralSecretRule,
  providerUnusedRule,
  providerMissingSettingRule,
  providerUnsupportedSettingRule,
  providerBadBaseUrlRule,
  routeDuplicateNameRule,
  routeUnreachableRule,
  routeWeightsAllZeroRule,
  routeWeightInvalidRule,
  routeDuplicateTargetRule,
  routeFallbackFormatRule,
  routeFallbackRepeatsTargetRule,
  routeLatencyExceedsTimeoutRule,
  credentialBadKeyHashRule,
  credentialUnknownRouteRule,
  credentialDuplicateIdRule,
  credentialDuplicateKeyRule,
  credentialQuotaBelowRequestRule,
  credentialNoneRule,
  auditBadRedactPatternRule,
  auditSlowRedactPatternRule,
  auditQuadraticRedactPatternRule,
  auditBadSinkRule,
];
