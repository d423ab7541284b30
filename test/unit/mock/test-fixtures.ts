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

export const anthropicChatStream = {
  provider: 'anthropic',
  case: 'chat-stream',
  description: 'Messages stream.',
  source: 'test',
  recorded_model: 'claude-haiku-4-5',
  request: { method: 'POST', path: '/v1/messages' },
  response: {
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'request-id': 'req_1' },
    headers_at_ms: 200,
    stream: {
      framing: 'sse',
      chunks: [
        { at_ms: 300, data: 'event: message_start\ndata: {"type":"message_start","message":{"model":"claude-haiku-4-5","usage":{"input_tokens":5,"output_tokens":1}}}\n\n' },
        { at_ms: 400, data: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n' },
        { at_ms: 600, data: 'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}\n\n' },
        { at_ms: 610, data: 'event: message_stop\ndata: {"type":"message_stop"}\n\n' },
      ],
    },
  },
  expected: { chunks: [] },
};

export const anthropicChat = {
  provider: 'anthropic',
  case: 'chat',
  description: 'Messages answer.',
  source: 'test',
  recorded_model: 'claude-haiku-4-5',
  request: { method: 'POST', path: '/v1/messages' },
  response: {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 2 } },
  },
  expected: { completion: {} },
};

export const geminiChat = {
  provider: 'gemini',
  case: 'chat',
  description: 'generateContent answer.',
  source: 'test',
  recorded_model: 'gemini-2.5-flash',
  request: { method: 'POST', path: '/v1beta/models/gemini-2.5-flash:generateContent' },
  response: {
    status: 200,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: { candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }], modelVersion: 'gemini-2.5-flash' },
  },
  expected: { completion: {} },
};

export const bedrockChat = {
  provider: 'bedrock',
  case: 'chat',
  description: 'Converse answer.',
  source: 'test',
  request: { method: 'POST', path: '/model/m/converse' },
  response: {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: { output: { message: { role: 'assistant', content: [{ text: 'Hi' }] } }, stopReason: 'end_turn', usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } },
  },
  expected: { completion: {} },
};

export const ALL_TEST_FIXTURES = [openaiChat, openaiChatStream, openaiError429, anthropicChat, anthropicChatStream, geminiChat, bedrockChat, bedrockStream];
