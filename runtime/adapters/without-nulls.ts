/**
 * OpenAI reads `null` for an optional parameter as "not set" (the SDKs serialise an unset Python
 * `None` that way), and the request schema accepts it for temperature, top_p, n, seed, stop, … and
 * for a tool's `strict`. The adapters test fields against `undefined`, so a null would be
 * range-checked as a value, or forwarded to a provider that refuses it (Anthropic and Bedrock take
 * `strict` as a boolean). Removing the nulls once, where every adapter's translation starts
 * (applyParamTable), keeps each adapter free of null checks.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import type { ChatCompletionRequest, FunctionTool } from '../openai/wire.js';

/** The request without null parameters; the same object when it has none (the usual case). */
export function withoutNulls(request: ChatCompletionRequest): ChatCompletionRequest {
  const tools = toolsWithoutNullStrict(request.tools);
  let copy: Record<string, unknown> | undefined;
  for (const key in request) {
    if (request[key] !== null) continue;
    copy ??= { ...request };
    delete copy[key];
  }
  if (tools === request.tools) return copy === undefined ? request : copy as ChatCompletionRequest;
  // Same fields as the validated request, minus its nulls.
  return { ...(copy ?? request), tools } as ChatCompletionRequest;
}

function toolsWithoutNullStrict(tools: readonly FunctionTool[] | undefined): readonly FunctionTool[] | undefined {
  // The schema types `tools` but not the type this module sees: a non-array is the schema's to refuse.
  if (!Array.isArray(tools) || !tools.some((tool) => (tool.function.strict as unknown) === null)) return tools;
  return tools.map((tool) => {
    if ((tool.function.strict as unknown) !== null) return tool;
    const { strict: _unset, ...rest } = tool.function;
    return { ...tool, function: rest };
  });
}
