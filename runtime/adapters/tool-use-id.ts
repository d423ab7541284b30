/**
 * Tool-call ids in a history may come from any provider (a Gemini id carries its thought signature
 * with `+`, `/` and `=`; clients write their own), but Anthropic and Bedrock accept only
 * `^[a-zA-Z0-9_-]+$` and answer 400 otherwise. Every other character becomes `_`, the same on the call
 * and on its result, so they still pair; ids already valid (OpenAI's, Anthropic's, Bedrock's) are
 * unchanged.
 */
export function portableToolUseId(id: string, maxLength = Number.POSITIVE_INFINITY): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, maxLength);
}
