/**
 * Provider `defaults` (design §2): native fields the gateway fills in when the translated request leaves
 * them unset, e.g. Gemini `safetySettings`, Anthropic `max_tokens`, Ollama `options.num_ctx`. The request
 * always wins; objects merge key by key, so a default `options.num_ctx` survives a request that set
 * `options.temperature`; arrays and scalars are never merged. Inputs are not mutated.
 */

export function fillDefaults(
  body: Readonly<Record<string, unknown>>,
  defaults: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const filled: Record<string, unknown> = { ...body };
  for (const [key, fallback] of Object.entries(defaults)) {
    const current = filled[key];
    if (current === undefined) filled[key] = fallback;
    else if (isPlainObject(current) && isPlainObject(fallback)) filled[key] = fillDefaults(current, fallback);
  }
  return filled;
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
