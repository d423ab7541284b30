/**
 * What an official SDK must read out of a fixture's answer: its text and its tool call, taken from the
 * fixture's `expected` OpenAI translation (so the SDK and the adapter are held to the same answer).
 */
import type { Fixture } from '../../runtime/mock/fixture-index.js';

interface Message { content?: string | null; tool_calls?: { function: { name: string; arguments: string } }[] }
interface Delta { content?: string | null; tool_calls?: { index: number; function?: { name?: string; arguments?: string } }[] }

export function expectedText(fixture: Fixture): string {
  const completion = fixture.expected.completion as { choices?: { message: Message }[] } | undefined;
  if (completion !== undefined) return completion.choices?.[0]?.message.content ?? '';
  return (fixture.expected.chunks ?? [])
    .map((chunk) => ((chunk as { choices?: { delta: Delta }[] }).choices?.[0]?.delta.content ?? ''))
    .join('');
}

export interface ExpectedToolCall { readonly name: string; readonly arguments: unknown }

export function expectedToolCall(fixture: Fixture): ExpectedToolCall {
  const completion = fixture.expected.completion as { choices?: { message: Message }[] } | undefined;
  if (completion !== undefined) {
    const call = completion.choices?.[0]?.message.tool_calls?.[0];
    if (call === undefined) throw new Error(`${fixture.provider}/${fixture.case} expects no tool call`);
    return { name: call.function.name, arguments: JSON.parse(call.function.arguments) as unknown };
  }
  let name = '';
  let args = '';
  for (const chunk of fixture.expected.chunks ?? []) {
    for (const call of (chunk as { choices?: { delta: Delta }[] }).choices?.[0]?.delta.tool_calls ?? []) {
      if (call.index !== 0) continue;
      name += call.function?.name ?? '';
      args += call.function?.arguments ?? '';
    }
  }
  return { name, arguments: JSON.parse(args) as unknown };
}

/** A string of JSON or an object, as SDKs differ: compared as values. */
export function parsedArguments(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}
