/**
 * Base64 `data:` URLs, the form OpenAI clients use for inline images and files
 * (`data:image/png;base64,…`). Providers that take raw base64 plus a media type (Anthropic, Ollama,
 * Gemini, Bedrock) split them here.
 * @see https://www.rfc-editor.org/rfc/rfc2397
 */

export interface DataUrl {
  /** Lower-cased media type, e.g. `image/png`. */
  readonly mimeType: string;
  /** The base64 payload as sent, without the `data:…;base64,` prefix. */
  readonly data: string;
}

const DATA_URL = /^data:([^;,]+)(?:;[^;,=]+=[^;,]*)*;base64,(.*)$/s;

/** The parts of a base64 data URL, or undefined for anything else (https URLs, non-base64 data URLs). */
export function parseDataUrl(url: string): DataUrl | undefined {
  const match = DATA_URL.exec(url);
  if (match === null) return undefined;
  const [, mimeType, data] = match;
  if (mimeType === undefined || data === undefined) return undefined;
  return { mimeType: mimeType.trim().toLowerCase(), data };
}
