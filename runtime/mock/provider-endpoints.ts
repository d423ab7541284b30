/**
 * The native chat endpoints `aigw mock` answers, per provider, relative to the provider's base path
 * (see mock-base-url.ts), and what the path itself says (model, stream) for the APIs that put them
 * there.
 * @see /work/shared/providers.md §0 (endpoints) and §4.1, §4.7, §5.1, §2.1
 */
import type { ProviderType } from '../adapters/contract.js';

/** Providers that share one wire dialect for errors and bodies. */
export type ProviderFamily = 'openai' | 'azure' | 'mistral' | 'anthropic' | 'google' | 'bedrock' | 'cohere' | 'ollama';

export function providerFamily(type: ProviderType): ProviderFamily {
  switch (type) {
    case 'azure-openai': return 'azure';
    case 'mistral': return 'mistral';
    case 'anthropic': return 'anthropic';
    case 'gemini': case 'vertex-ai': return 'google';
    case 'bedrock': return 'bedrock';
    case 'cohere': return 'cohere';
    case 'ollama': return 'ollama';
    case 'openai': case 'groq': case 'together': case 'fireworks': case 'deepseek': case 'xai':
    case 'perplexity': case 'openrouter': case 'vllm':
      return 'openai';
    default: {
      const unknown: never = type;
      throw new Error(`unknown provider type ${String(unknown)}`);
    }
  }
}

export interface Endpoint {
  /** Model named in the path (Gemini, Vertex, Bedrock, an Azure deployment); otherwise the body's `model`. */
  readonly pathModel?: string;
  /** Stream decided by the path (Gemini, Vertex, Bedrock); otherwise by the body. */
  readonly pathStream?: boolean;
  /** A request the real API rejects before reading the body (e.g. Azure without api-version). */
  readonly problem?: string;
}

const GEMINI = /^\/(?:v1beta|v1|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;
/** Project/location form, or the express-mode form without them. */
const VERTEX = /^\/(?:v1|v1beta1)\/(?:projects\/[^/]+\/locations\/[^/]+\/)?publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;
const BEDROCK = /^\/model\/([^/]+)\/(converse|converse-stream)$/;
const AZURE_DEPLOYMENT = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

function googleEndpoint(match: RegExpExecArray, query: URLSearchParams): Endpoint {
  const stream = match[2] === 'streamGenerateContent';
  return {
    pathModel: decodeURIComponent(match[1] ?? ''),
    pathStream: stream,
    // Without alt=sse the API streams one JSON array; the recorded fixtures are SSE.
    ...(stream && query.get('alt') !== 'sse' ? { problem: 'aigw mock serves streamGenerateContent with alt=sse only' } : {}),
  };
}

/** The endpoint a path (after `/<provider>` and the base path) addresses, or undefined (404). */
export function matchEndpoint(provider: ProviderType, path: string, query: URLSearchParams): Endpoint | undefined {
  switch (providerFamily(provider)) {
    case 'openai':
    case 'mistral':
      return path === '/chat/completions' ? {} : undefined;
    case 'azure': {
      if (path === '/openai/v1/chat/completions') return {};
      const match = AZURE_DEPLOYMENT.exec(path);
      if (match === null) return undefined;
      return {
        pathModel: decodeURIComponent(match[1] ?? ''),
        ...(query.get('api-version') === null ? { problem: 'Missing required query parameter: api-version' } : {}),
      };
    }
    case 'anthropic':
      return path === '/v1/messages' ? {} : undefined;
    case 'google': {
      const match = (provider === 'gemini' ? GEMINI : VERTEX).exec(path);
      return match === null ? undefined : googleEndpoint(match, query);
    }
    case 'bedrock': {
      const match = BEDROCK.exec(path);
      if (match === null) return undefined;
      return { pathModel: decodeURIComponent(match[1] ?? ''), pathStream: match[2] === 'converse-stream' };
    }
    case 'cohere':
      return path === '/v2/chat' ? {} : undefined;
    case 'ollama':
      return path === '/api/chat' ? {} : undefined;
    default:
      return undefined;
  }
}
