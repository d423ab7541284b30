/** Small test-local fixtures written to a temporary fixtures folder (the real ones are still being written). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export const openaiChat = {
  provider: 'openai',
  case: 'chat',
  description: 'A plain chat answer.',
  source: 'test',
  openai_request: 'chat',
  recorded_model: 'gpt-4o-mini-2024-07-18',
  target: { model: 'gpt-4o-mini' },
  request: { method: 'POST', path: '/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } },
  response: {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-request-id': 'req_1', 'content-length': '999' },
    headers_at_ms: 120,
    body: {
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    },
  },
  expected: { completion: {} },
};

export const openaiChatStream = {
  provider: 'openai',
  case: 'chat-stream',
  description: 'A streamed chat answer.',
  source: 'test',
  openai_request: 'chat-stream',
  recorded_model: 'gpt-4o-mini-2024-07-18',
  request: { method: 'POST', path: '/chat/completions' },
  response: {
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    stream: {
      framing: 'sse',
      chunks: [
        { at_ms: 100, data: 'data: {"id":"c","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":"He"}}]}\n\n' },
        { at_ms: 150, data: 'data: {"id":"c","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"llo"},"finish_reason":"stop"}]}\n\n' },
        { at_ms: 160, data: 'data: [DONE]\n\n' },
      ],
    },
  },
  expected: { chunks: [] },
};

export const openaiError429 = {
  provider: 'openai',
  case: 'error-429',
  description: 'Rate limited.',
  source: 'test',
  request: { method: 'POST', path: '/chat/completions' },
  response: {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': '2' },
    body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
  },
  expected: { error: { status: 429, envelope: {}, failover_class: 'rate_limited', retry_after_ms: 2000 } },
};

export const bedrockStream = {
  provider: 'bedrock',
  case: 'chat-stream',
  description: 'ConverseStream frames.',
  source: 'test',
  request: { method: 'POST', path: '/model/m/converse-stream' },
  response: {
    status: 200,
    headers: {},
    stream: {
      framing: 'aws-eventstream',
      chunks: [
        { at_ms: 10, event: { headers: { ':event-type': 'messageStart', ':content-type': 'application/json', ':message-type': 'event' }, payload: { role: 'assistant' } } },
        { at_ms: 20, event: { headers: { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' }, payload: { contentBlockIndex: 0, delta: { text: 'Hello' } } } },
      ],
    },
  },
  expected: { chunks: [] },
};

export const chatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

/** Writes fixtures (grouped by provider) and canonical requests into a temp folder removed after the test. */
export function writeFixtureDirectory(
  t: TestContext,
  fixtures: readonly { provider: string; case: string }[],
  requests: Record<string, unknown> = { chat: chatRequest, 'chat-stream': { ...chatRequest, stream: true } },
): string {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-fixtures-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  for (const fixture of fixtures) {
    mkdirSync(join(directory, 'providers', fixture.provider), { recursive: true });
    writeFileSync(join(directory, 'providers', fixture.provider, `${fixture.case}.json`), JSON.stringify(fixture, null, 2));
  }
  mkdirSync(join(directory, 'requests'), { recursive: true });
  for (const [name, body] of Object.entries(requests)) writeFileSync(join(directory, 'requests', `${name}.json`), JSON.stringify(body));
  return directory;
}
