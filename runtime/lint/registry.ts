/**
 * Every manifest rule id in one table (style §A.6, §I.3): default severity, a one-line summary and a
 * fix hint. SARIF `tool.driver.rules`, the README rule table and the parity test are generated from
 * it. Ids are a contract: never rename one, add a new one.
 */
import type { Severity } from './diagnostic.js';

export interface RuleInfo {
  readonly id: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly hint: string;
}

export const RULES = [
  // YAML: the text itself.
  { id: 'yaml/syntax', severity: 'error', summary: 'The file is not valid YAML.', hint: 'Fix the YAML syntax at the position shown; indent with spaces, never tabs.' },
  { id: 'yaml/duplicate-key', severity: 'error', summary: 'A key appears twice in the same mapping.', hint: 'Remove or rename one of the two keys; YAML would silently keep only the last.' },
  { id: 'yaml/alias-limit', severity: 'error', summary: 'Anchors and aliases expand beyond the safety limit (an alias bomb).', hint: 'Use fewer aliases, or write the values out.' },
  { id: 'yaml/too-deep', severity: 'error', summary: 'Nesting is deeper than 64 levels.', hint: 'A manifest needs only a few levels; flatten the structure.' },
  { id: 'yaml/too-large', severity: 'error', summary: 'The file is larger than 1 MiB.', hint: 'Remove generated or unused content (routes no model reaches, providers no route uses); about 2 000 routes with their targets fit.' },
  { id: 'yaml/not-utf8', severity: 'error', summary: 'The file is not UTF-8 text.', hint: 'Save the file as UTF-8.' },
  { id: 'yaml/empty', severity: 'error', summary: 'The file holds no document.', hint: 'A manifest needs at least an ai_routes list; see examples/routes.yaml.' },
  // Schema: shape, from schemas/routes.schema.json.
  { id: 'schema/unknown-key', severity: 'error', summary: 'A key the manifest schema does not define (often a typo).', hint: 'Remove the key or correct its spelling.' },
  { id: 'schema/type', severity: 'error', summary: 'A value has the wrong type.', hint: 'Write the value with the type the schema expects (numbers unquoted, lists as YAML sequences).' },
  { id: 'schema/required', severity: 'error', summary: 'A required key is missing.', hint: 'Add the missing key.' },
  { id: 'schema/enum', severity: 'error', summary: 'A value is not one of the allowed values.', hint: 'Use one of the values listed in the message.' },
  { id: 'schema/format', severity: 'error', summary: 'A value does not have the required form (pattern, regular expression).', hint: 'Rewrite the value in the form the message names.' },
  { id: 'schema/range', severity: 'error', summary: 'A number, string or list is out of its allowed range or length.', hint: 'Use a value within the bounds the message names.' },
  // Environment interpolation.
  { id: 'env/missing-variable', severity: 'error', summary: 'A ${VAR} reference names an unset environment variable.', hint: 'Set the variable, give a default with ${VAR:-default}, or run validate with --allow-missing-env in CI jobs without secrets.' },
  { id: 'env/malformed-reference', severity: 'error', summary: 'A ${...} reference is not of the form ${NAME} or ${NAME:-default}.', hint: 'Write ${NAME} or ${NAME:-default} (NAME: letters, digits, underscore); write $${ for a literal ${.' },
  // Providers.
  { id: 'provider/unknown-id', severity: 'error', summary: 'A provider id is neither a known provider nor a providers entry with a type.', hint: 'Use a known provider id, or declare the entry under providers with `type:` naming a known provider.' },
  { id: 'provider/literal-secret', severity: 'warning', summary: 'A secret is written literally in the manifest.', hint: 'Reference an environment variable instead, e.g. api_key: "${OPENAI_API_KEY}".' },
  { id: 'provider/unused', severity: 'warning', summary: 'A providers entry no route uses.', hint: 'Remove the entry, or reference it from a route target or fallback.' },
  { id: 'provider/missing-setting', severity: 'error', summary: 'A provider lacks a setting it cannot work without (bedrock region, azure-openai resource or base_url).', hint: 'Add the setting to the provider entry.' },
  { id: 'provider/unsupported-setting', severity: 'error', summary: 'A provider entry sets a field its provider type does not read.', hint: 'Remove the field; check that `type:` names the provider you meant.' },
  { id: 'provider/bad-base-url', severity: 'error', summary: 'A base_url is not an absolute http(s) URL, or it carries user:password credentials the gateway would never send.', hint: 'Write the URL with its scheme, e.g. https://api.openai.com/v1.' },
  // Routes.
  { id: 'route/duplicate-name', severity: 'error', summary: 'Two routes have the same name.', hint: 'Give each route a unique name: credentials, metrics and audit records refer to routes by name.' },
  { id: 'route/unreachable', severity: 'error', summary: 'A route matches the same model as an earlier route, so it never matches.', hint: 'Remove the route, or change its match.model; the first matching route wins.' },
  { id: 'route/weights-all-zero', severity: 'error', summary: 'Every target of a route has weight 0, so none can be picked first.', hint: 'Give at least one target a positive weight.' },
  { id: 'route/weight-invalid', severity: 'error', summary: 'A target weight is negative, not an integer, or above 1000000.', hint: 'Use a whole number from 0 to 1000000; weights are relative shares (60/40, 3/1).' },
  { id: 'route/duplicate-target', severity: 'warning', summary: 'A route lists the same provider/model twice.', hint: 'Merge the two targets and add up their weights.' },
  { id: 'route/fallback-format', severity: 'error', summary: 'A fallback is not of the form provider/model.', hint: 'Write fallback: provider/model, e.g. ollama/llama-3.1 (the model part may contain "/").' },
  { id: 'route/fallback-repeats-target', severity: 'error', summary: 'A fallback names a provider/model the route already lists as a target.', hint: 'Targets are tried before the fallback already; choose a different fallback or remove it.' },
  { id: 'route/latency-exceeds-timeout', severity: 'error', summary: "A target's max_latency_ms is above its route's timeout_ms.", hint: 'Lower max_latency_ms below timeout_ms, or raise timeout_ms, so the latency budget can fire.' },
  // Credentials (gateway consumers).
  { id: 'credential/bad-key-hash', severity: 'error', summary: 'A key_sha256 is not 64 hexadecimal characters.', hint: "Write the hex sha256 of the bearer key, e.g. printf %s \"$KEY\" | sha256sum; never the key itself." },
  { id: 'credential/unknown-route', severity: 'error', summary: 'A credential allows a route the manifest does not define.', hint: 'Use the name of a route from ai_routes.' },
  { id: 'credential/duplicate-id', severity: 'error', summary: 'Two credentials have the same id.', hint: 'Give each credential a unique id: quotas and audit records refer to it.' },
  { id: 'credential/duplicate-key', severity: 'error', summary: 'Two credentials have the same key_sha256.', hint: 'Give each consumer its own key; a shared key makes the credential ambiguous.' },
  { id: 'credential/quota-below-request', severity: 'warning', summary: "A credential's tokens_per_minute is below what a request without max_tokens reserves on a route it may use (the route's default_max_tokens).", hint: 'Raise tokens_per_minute, lower the route\'s default_max_tokens, or have the application send max_tokens.' },
  { id: 'credential/none', severity: 'warning', summary: 'No credentials: the gateway accepts every request without a key.', hint: 'Add a credentials list before exposing the gateway beyond localhost.' },
  // Audit.
  { id: 'audit/bad-redact-pattern', severity: 'error', summary: 'A redaction pattern is not a valid regular expression once its ${VAR} references are filled in.', hint: 'Fix the pattern (JavaScript syntax), or the environment variable it is read from.' },
  { id: 'audit/slow-redact-pattern', severity: 'error', summary: 'A redaction pattern repeats a group that itself repeats (`(\\w+\\s?)+`): exponential time on a text that almost matches, on every request.', hint: 'Repeat a single character class instead, starting where its run starts (`(?<![\\w\\s])[\\w\\s]+@corp`), or bound the inner repetition (`\\w{1,64}`).' },
  { id: 'audit/quadratic-redact-pattern', severity: 'warning', summary: 'A redaction pattern begins with an unbounded run and continues after it (`\\w+@corp`): time quadratic in the length of a long stretch of the run\'s characters, on every request.', hint: 'Let a match start only where its run starts, with a lookbehind of the run\'s class: `(?<!\\w)\\w+@corp` finds the same matches (all but one glued to the end of the previous match) in linear time.' },
  { id: 'audit/bad-sink', severity: 'error', summary: 'An Elasticsearch sink has a url that is not an absolute http(s) URL, or an index name Elasticsearch refuses.', hint: 'Write the url with its scheme, e.g. https://es.internal:9200, and a lower-case index name without \\ / * ? " < > | , # : or spaces.' },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof RULES)[number]['id'];

const byId: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((rule) => [rule.id, rule]));

export function ruleInfo(id: RuleId): RuleInfo {
  // Every RuleId is a key of the table by construction.
  return byId.get(id) as RuleInfo;
}

export function isRuleId(id: string): id is RuleId {
  return byId.has(id);
}
