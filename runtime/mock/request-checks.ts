/**
 * What the mock checks before answering, per provider, as the real API would: the auth header, the
 * body's required fields, and (for the `reject_prefill` fault) whether the request ends with an
 * assistant prefill. A failed check names the provider's own status and message; provider-errors.ts
 * gives it the provider's body shape.
 * @see /work/shared/providers.md §1.1, §2.2, §3.1–3.2, §4.1–4.2, §4.7, §5.1–5.2, §6.1–6.2, §7.1, §8.1, §9
 */
import type { ProviderType } from '../adapters/contract.js';
import type { Endpoint } from './provider-endpoints.js';
import { providerFamily } from './provider-endpoints.js';
import { verifySigV4, type ReceivedRequest } from './sigv4-verify.js';

export interface Rejection {
  readonly status: number;
  /** 'auth' rejections use the provider's error-401 fixture; 'invalid' ones its error-400. */
  readonly kind: 'auth' | 'invalid';
  readonly message: string;
  readonly awsException?: string;
}

/** What the answer depends on. */
export interface RequestFacts {
  readonly model: string | undefined;
  readonly stream: boolean;
  readonly tools: boolean;
  /** The conversation ends with an assistant (Gemini: model) turn, or asks vLLM to continue it. */
  readonly prefill: boolean;
}

type Body = Readonly<Record<string, unknown>>;

function header(request: ReceivedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearer(request: ReceivedRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}

const present = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';

/**
 * Auth as each API checks it. Any non-empty key is accepted (the mock holds no key list); Bedrock SigV4
 * must verify against the mock's test credentials.
 * @see https://docs.anthropic.com/en/api/versioning (anthropic-version is required)
 */
export async function checkAuth(provider: ProviderType, request: ReceivedRequest, query: URLSearchParams): Promise<Rejection | undefined> {
  const auth = (message: string, status = 401): Rejection => ({ status, kind: 'auth', message });
  switch (providerFamily(provider)) {
    case 'openai':
      // A vLLM server runs without --api-key by default; every hosted API requires a bearer key.
      if (provider === 'vllm' || present(bearer(request))) return undefined;
      return auth("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    case 'mistral':
    case 'cohere':
      return present(bearer(request)) ? undefined : auth('no api key supplied');
    case 'azure':
      if (present(header(request, 'api-key')) || present(bearer(request))) return undefined;
      return auth('Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.');
    case 'anthropic':
      if (!present(header(request, 'x-api-key')) && !present(bearer(request))) return auth('x-api-key header is required');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(header(request, 'anthropic-version') ?? '')) {
        return { status: 400, kind: 'invalid', message: 'anthropic-version: header is required' };
      }
      return undefined;
    case 'google':
      if (present(header(request, 'x-goog-api-key')) || present(query.get('key') ?? undefined)) return undefined;
      if (provider === 'vertex-ai' && present(bearer(request))) return undefined;
      return provider === 'vertex-ai'
        ? auth('Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.')
        : auth("Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", 403);
    case 'bedrock': {
      // Bedrock API keys are bearer tokens; everything else must be a valid SigV4 signature.
      if (present(bearer(request))) return undefined;
      const verdict = await verifySigV4(request);
      return verdict.ok ? undefined : { status: 403, kind: 'auth', message: verdict.message, awsException: verdict.exception };
    }
    case 'ollama':
      return undefined;
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && value.length > 0;
}

/** The body as JSON, or the provider's 400 for a body that is not a JSON object. */
export function parseBody(bytes: Uint8Array): { ok: true; body: Body } | { ok: false; rejection: Rejection } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return { ok: false, rejection: { status: 400, kind: 'invalid', message: 'The request body is not valid JSON.' } };
  }
  if (!isRecord(parsed)) return { ok: false, rejection: { status: 400, kind: 'invalid', message: 'The request body must be a JSON object.' } };
  return { ok: true, body: parsed };
}

function required(field: string, provider: ProviderType): Rejection {
  const message = providerFamily(provider) === 'anthropic' ? `${field}: Field required` : `Missing required parameter: '${field}'.`;
  return { status: 400, kind: 'invalid', message, ...(provider === 'bedrock' ? { awsException: 'ValidationException' } : {}) };
}

/** The fields each API refuses to work without. */
export function checkFields(provider: ProviderType, endpoint: Endpoint, body: Body): Rejection | undefined {
  const family = providerFamily(provider);
  const needsModel = endpoint.pathModel === undefined;
  if (needsModel && typeof body['model'] !== 'string') return required('model', provider);
  switch (family) {
    case 'openai': case 'azure': case 'mistral': case 'cohere': case 'bedrock':
      return nonEmptyArray(body['messages']) ? undefined : required('messages', provider);
    case 'anthropic':
      if (!Number.isInteger(body['max_tokens'])) return required('max_tokens', provider);
      return nonEmptyArray(body['messages']) ? undefined : required('messages', provider);
    case 'google':
      return nonEmptyArray(body['contents']) ? undefined : required('contents', provider);
    case 'ollama':
      return Array.isArray(body['messages']) ? undefined : required('messages', provider);
    default:
      return undefined;
  }
}

function lastRole(turns: unknown): string | undefined {
  if (!Array.isArray(turns)) return undefined;
  const last: unknown = turns[turns.length - 1];
  return isRecord(last) && typeof last['role'] === 'string' ? last['role'] : undefined;
}

function hasTools(provider: ProviderType, body: Body): boolean {
  const family = providerFamily(provider);
  if (family === 'google') {
    return Array.isArray(body['tools']) && body['tools'].some((tool) => isRecord(tool) && nonEmptyArray(tool['functionDeclarations']));
  }
  if (family === 'bedrock') return isRecord(body['toolConfig']) && nonEmptyArray(body['toolConfig']['tools']);
  return nonEmptyArray(body['tools']);
}

export function requestFacts(provider: ProviderType, endpoint: Endpoint, body: Body): RequestFacts {
  const family = providerFamily(provider);
  const stream = endpoint.pathStream ?? (family === 'ollama' ? body['stream'] !== false : body['stream'] === true);
  const role = lastRole(family === 'google' ? body['contents'] : body['messages']);
  return {
    model: endpoint.pathModel ?? (typeof body['model'] === 'string' ? body['model'] : undefined),
    stream,
    tools: hasTools(provider, body),
    prefill: role === 'assistant' || role === 'model' || body['continue_final_message'] === true,
  };
}
