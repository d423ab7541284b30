/**
 * Official SDKs as referees of `aigw mock`: each provider's own client, pointed at the mock, must get
 * the fixture's answer for chat, stream and tool call (proof that the fixtures speak the real wire
 * format and that the mock's checks accept what real clients send), and must surface the mock's 429 and
 * 5xx as its own typed errors. SDK retries are off so each fault is seen once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, ServiceUnavailableException, ThrottlingException,
  type ContentBlock, type Message as BedrockMessage, type Tool as BedrockTool,
} from '@aws-sdk/client-bedrock-runtime';
import { ApiError, GoogleGenAI, type FunctionDeclaration } from '@google/genai';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Cohere, CohereClientV2 } from 'cohere-ai';
import { Mistral } from '@mistralai/mistralai';
import * as MistralErrors from '@mistralai/mistralai/models/errors';
import { Ollama } from 'ollama';
import OpenAI, { AzureOpenAI } from 'openai';
import type { ProviderType } from '../../runtime/adapters/contract.js';
import { getAdapter } from '../../runtime/adapters/registry.js';
import { loadFixtureIndex, type Fixture } from '../../runtime/mock/fixture-index.js';
import { mockBaseUrl } from '../../runtime/mock/mock-base-url.js';
import { MOCK_AWS_CREDENTIALS } from '../../runtime/mock/sigv4-verify.js';
import { startMock, type RunningMock } from '../../runtime/mock/start-mock.js';
import { expectedText, expectedToolCall, parsedArguments } from './referee-expectations.js';

const index = loadFixtureIndex();
let mock: RunningMock;

before(async () => {
  mock = await startMock({ speed: 0 });
});
after(() => mock.close());

/** The fixture; a missing one fails (every refereed provider has them), it is never skipped. */
function fixture(provider: ProviderType, caseName: string): Fixture {
  const found = index.get(provider, caseName);
  assert.ok(found, `no fixture ${provider}/${caseName}`);
  return found;
}

/** Providers whose adapter refuses `tools` (Perplexity) have no tool-call fixtures to referee. */
const acceptsTools = (provider: ProviderType): boolean => getAdapter(provider).params.rules['tools']?.kind !== 'unsupported';

const model = (item: Fixture): string => item.target?.model ?? item.recorded_model ?? 'test-model';

/** Runs `call` while the mock answers the provider's next request with `status`; returns what it threw. */
async function underFault(provider: ProviderType, status: number, call: () => Promise<unknown>): Promise<unknown> {
  mock.setFaults([`provider=${provider},status=${status},first=1`]);
  try {
    await call();
  } catch (error) {
    return error;
  } finally {
    mock.setFaults([]);
  }
  return assert.fail(`${provider}: a ${status} fault did not make the SDK throw`);
}

const SYSTEM = 'You are a terse assistant.';
const QUESTION = 'Say hello in one short sentence.';
const WEATHER = 'What is the weather in Boston?';
const WEATHER_PARAMETERS = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

// ---------------------------------------------------------------------------------------------------
// openai (and every OpenAI-compatible profile, and Azure through AzureOpenAI)

const OPENAI_COMPATIBLE: readonly ProviderType[] = ['openai', 'groq', 'together', 'fireworks', 'deepseek', 'xai', 'perplexity', 'openrouter', 'vllm'];
const openaiTool = { type: 'function' as const, function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_PARAMETERS } };

function openaiClient(provider: ProviderType): OpenAI {
  if (provider === 'azure-openai') {
    return new AzureOpenAI({ apiKey: 'test-key', endpoint: mockBaseUrl(provider, mock.url), apiVersion: '2024-10-21', deployment: 'test-deployment', maxRetries: 0 });
  }
  return new OpenAI({ apiKey: 'test-key', baseURL: mockBaseUrl(provider, mock.url), maxRetries: 0 });
}

for (const provider of [...OPENAI_COMPATIBLE, 'azure-openai'] as const) {
  describe(`openai SDK → ${provider}`, () => {
    test('chat', async () => {
      const item = fixture(provider, 'chat');
      const completion = await openaiClient(provider).chat.completions.create({ model: model(item), messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }] });
      assert.equal(completion.choices[0]?.message.content, expectedText(item));
    });

    test('stream', async () => {
      const item = fixture(provider, 'chat-stream');
      const stream = await openaiClient(provider).chat.completions.create({ model: model(item), messages: [{ role: 'user', content: QUESTION }], stream: true, stream_options: { include_usage: true } });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      assert.equal(text, expectedText(item));
    });

    if (acceptsTools(provider)) {
      test('tool call', async () => {
        const item = fixture(provider, 'tool-call');
        const completion = await openaiClient(provider).chat.completions.create({ model: model(item), messages: [{ role: 'user', content: WEATHER }], tools: [openaiTool] });
        const call = completion.choices[0]?.message.tool_calls?.[0];
        assert.ok(call?.type === 'function');
        const expected = expectedToolCall(item);
        assert.equal(call.function.name, expected.name);
        assert.deepEqual(parsedArguments(call.function.arguments), expected.arguments);
      });

      test('tool call stream', async () => {
        const item = fixture(provider, 'tool-call-stream');
        const stream = await openaiClient(provider).chat.completions.create({ model: model(item), messages: [{ role: 'user', content: WEATHER }], tools: [openaiTool], stream: true });
        let name = '';
        let args = '';
        for await (const chunk of stream) {
          for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
            if (call.index !== 0) continue;
            name += call.function?.name ?? '';
            args += call.function?.arguments ?? '';
          }
        }
        const expected = expectedToolCall(item);
        assert.equal(name, expected.name);
        assert.deepEqual(parsedArguments(args), expected.arguments);
      });
    }

    test('429 and 5xx are the SDK\'s RateLimitError and InternalServerError', async () => {
      const item = fixture(provider, 'chat');
      const call = () => openaiClient(provider).chat.completions.create({ model: model(item), messages: [{ role: 'user', content: QUESTION }] });
      assert.ok(await underFault(provider, 429, call) instanceof OpenAI.RateLimitError);
      const serverError = await underFault(provider, 500, call);
      assert.ok(serverError instanceof OpenAI.InternalServerError);
      assert.equal(serverError.status, 500);
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// @anthropic-ai/sdk (newest major: bearer auth and a newer anthropic-version)

describe('@anthropic-ai/sdk → anthropic', () => {
  const client = () => new Anthropic({ apiKey: 'test-key', baseURL: mockBaseUrl('anthropic', mock.url), maxRetries: 0 });
  const tool = { name: 'get_weather', description: 'Current weather for a city', input_schema: WEATHER_PARAMETERS as Anthropic.Tool.InputSchema };

  test('chat, sent with the SDK\'s own auth and version headers', async () => {
    const item = fixture('anthropic', 'chat');
    mock.clearLog();
    const message = await client().messages.create({ model: model(item), max_tokens: 64, system: SYSTEM, messages: [{ role: 'user', content: QUESTION }] });
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    assert.equal(text, expectedText(item));
    const headers = mock.log()[0]?.headers ?? {};
    assert.match(headers['anthropic-version'] ?? '', /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(headers['authorization'] === 'Bearer ****' || headers['x-api-key'] === '****');
  });

  test('stream', async () => {
    const item = fixture('anthropic', 'chat-stream');
    const stream = await client().messages.create({ model: model(item), max_tokens: 64, messages: [{ role: 'user', content: QUESTION }], stream: true });
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    assert.equal(text, expectedText(item));
  });

  test('tool call', async () => {
    const item = fixture('anthropic', 'tool-call');
    const message = await client().messages.create({ model: model(item), max_tokens: 256, messages: [{ role: 'user', content: WEATHER }], tools: [tool] });
    const use = message.content.find((block) => block.type === 'tool_use');
    assert.ok(use?.type === 'tool_use');
    const expected = expectedToolCall(item);
    assert.equal(use.name, expected.name);
    assert.deepEqual(use.input, expected.arguments);
  });

  test('tool call stream', async () => {
    const item = fixture('anthropic', 'tool-call-stream');
    const message = await client().messages.stream({ model: model(item), max_tokens: 256, messages: [{ role: 'user', content: WEATHER }], tools: [tool] }).finalMessage();
    const use = message.content.find((block) => block.type === 'tool_use');
    assert.ok(use?.type === 'tool_use');
    const expected = expectedToolCall(item);
    assert.equal(use.name, expected.name);
    assert.deepEqual(use.input, expected.arguments);
  });

  test('429, 500 and 529 are RateLimitError, InternalServerError and OverloadedError', async () => {
    const item = fixture('anthropic', 'chat');
    const call = () => client().messages.create({ model: model(item), max_tokens: 64, messages: [{ role: 'user', content: QUESTION }] });
    assert.ok(await underFault('anthropic', 429, call) instanceof Anthropic.RateLimitError);
    assert.ok(await underFault('anthropic', 500, call) instanceof Anthropic.InternalServerError);
    const overloaded = await underFault('anthropic', 529, call);
    assert.ok(overloaded instanceof Anthropic.InternalServerError);
    assert.equal(overloaded.status, 529);
  });
});

// ---------------------------------------------------------------------------------------------------
// @google/genai, for the Gemini API and for Vertex AI (express mode: an API key, no project)

const weatherDeclaration: FunctionDeclaration = { name: 'get_weather', description: 'Current weather for a city', parametersJsonSchema: WEATHER_PARAMETERS };

for (const provider of ['gemini', 'vertex-ai'] as const) {
  describe(`@google/genai → ${provider}`, () => {
    const client = () => new GoogleGenAI({
      apiKey: 'test-key',
      ...(provider === 'vertex-ai' ? { vertexai: true } : {}),
      httpOptions: { baseUrl: mockBaseUrl(provider, mock.url), retryOptions: { attempts: 1 } },
    });

    test('chat', async () => {
      const item = fixture(provider, 'chat');
      const response = await client().models.generateContent({ model: model(item), contents: QUESTION, config: { systemInstruction: SYSTEM } });
      assert.equal(response.text, expectedText(item));
    });

    test('stream', async () => {
      const item = fixture(provider, 'chat-stream');
      let text = '';
      for await (const chunk of await client().models.generateContentStream({ model: model(item), contents: QUESTION })) text += chunk.text ?? '';
      assert.equal(text, expectedText(item));
    });

    test('tool call', async () => {
      const item = fixture(provider, 'tool-call');
      const response = await client().models.generateContent({ model: model(item), contents: WEATHER, config: { tools: [{ functionDeclarations: [weatherDeclaration] }] } });
      const call = response.functionCalls?.[0];
      const expected = expectedToolCall(item);
      assert.equal(call?.name, expected.name);
      assert.deepEqual(call?.args, expected.arguments);
    });

    test('tool call stream', async () => {
      const item = fixture(provider, 'tool-call-stream');
      const calls = [];
      for await (const chunk of await client().models.generateContentStream({ model: model(item), contents: WEATHER, config: { tools: [{ functionDeclarations: [weatherDeclaration] }] } })) {
        calls.push(...(chunk.functionCalls ?? []));
      }
      const expected = expectedToolCall(item);
      assert.equal(calls[0]?.name, expected.name);
      assert.deepEqual(calls[0]?.args, expected.arguments);
    });

    test('429 and 5xx are ApiErrors carrying the status', async () => {
      const item = fixture(provider, 'chat');
      const call = () => client().models.generateContent({ model: model(item), contents: QUESTION });
      for (const status of [429, 503]) {
        const error = await underFault(provider, status, call);
        assert.ok(error instanceof ApiError, String(error));
        assert.equal(error.status, status);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// @aws-sdk/client-bedrock-runtime: HTTP/1.1 handler, signed with the mock's test credentials

describe('@aws-sdk/client-bedrock-runtime → bedrock', () => {
  const client = () => new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: mockBaseUrl('bedrock', mock.url),
    credentials: { ...MOCK_AWS_CREDENTIALS },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
  const messages = (text: string): BedrockMessage[] => [{ role: 'user', content: [{ text }] }];
  const tools: BedrockTool[] = [{ toolSpec: { name: 'get_weather', description: 'Current weather for a city', inputSchema: { json: WEATHER_PARAMETERS } } }];

  test('chat, with a SigV4 signature the mock verifies', async () => {
    const item = fixture('bedrock', 'chat');
    const output = await client().send(new ConverseCommand({ modelId: model(item), messages: messages(QUESTION), system: [{ text: SYSTEM }] }));
    const text = (output.output?.message?.content ?? []).map((block: ContentBlock) => block.text ?? '').join('');
    assert.equal(text, expectedText(item));
  });

  test('stream: real event-stream frames', async () => {
    const item = fixture('bedrock', 'chat-stream');
    const output = await client().send(new ConverseStreamCommand({ modelId: model(item), messages: messages(QUESTION) }));
    let text = '';
    let sawMetadata = false;
    for await (const event of output.stream ?? []) {
      text += event.contentBlockDelta?.delta?.text ?? '';
      if (event.metadata !== undefined) sawMetadata = true;
    }
    assert.equal(text, expectedText(item));
    assert.ok(sawMetadata, 'the metadata frame (usage) arrived');
  });

  test('tool call', async () => {
    const item = fixture('bedrock', 'tool-call');
    const output = await client().send(new ConverseCommand({ modelId: model(item), messages: messages(WEATHER), toolConfig: { tools } }));
    const use = (output.output?.message?.content ?? []).find((block: ContentBlock) => block.toolUse !== undefined)?.toolUse;
    const expected = expectedToolCall(item);
    assert.equal(use?.name, expected.name);
    assert.deepEqual(use?.input, expected.arguments);
  });

  test('tool call stream', async () => {
    const item = fixture('bedrock', 'tool-call-stream');
    const output = await client().send(new ConverseStreamCommand({ modelId: model(item), messages: messages(WEATHER), toolConfig: { tools } }));
    let name = '';
    let input = '';
    for await (const event of output.stream ?? []) {
      name += event.contentBlockStart?.start?.toolUse?.name ?? '';
      input += event.contentBlockDelta?.delta?.toolUse?.input ?? '';
    }
    const expected = expectedToolCall(item);
    assert.equal(name, expected.name);
    assert.deepEqual(parsedArguments(input), expected.arguments);
  });

  test('429 and 503 are ThrottlingException and ServiceUnavailableException', async () => {
    const item = fixture('bedrock', 'chat');
    const call = () => client().send(new ConverseCommand({ modelId: model(item), messages: messages(QUESTION) }));
    assert.ok(await underFault('bedrock', 429, call) instanceof ThrottlingException);
    assert.ok(await underFault('bedrock', 503, call) instanceof ServiceUnavailableException);
  });

  test('a request signed with the wrong secret is refused', async () => {
    const item = fixture('bedrock', 'chat');
    const wrong = new BedrockRuntimeClient({
      region: 'us-east-1', endpoint: mockBaseUrl('bedrock', mock.url), maxAttempts: 1, requestHandler: new NodeHttpHandler(),
      credentials: { accessKeyId: MOCK_AWS_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    await assert.rejects(wrong.send(new ConverseCommand({ modelId: model(item), messages: messages(QUESTION) })), (error: unknown) => {
      assert.equal((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 403);
      return true;
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// cohere-ai (v2 client)

describe('cohere-ai → cohere', () => {
  const client = () => new CohereClientV2({ token: 'test-key', environment: mockBaseUrl('cohere', mock.url) });
  const options = { maxRetries: 0 };
  const tool = { type: 'function' as const, function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_PARAMETERS } };

  test('chat', async () => {
    const item = fixture('cohere', 'chat');
    const response = await client().chat({ model: model(item), messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }] }, options);
    const text = (response.message.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
    assert.equal(text, expectedText(item));
  });

  test('stream', async () => {
    const item = fixture('cohere', 'chat-stream');
    let text = '';
    for await (const event of await client().chatStream({ model: model(item), messages: [{ role: 'user', content: QUESTION }] }, options)) {
      if (event.type === 'content-delta') text += event.delta?.message?.content?.text ?? '';
    }
    assert.equal(text, expectedText(item));
  });

  test('tool call', async () => {
    const item = fixture('cohere', 'tool-call');
    const response = await client().chat({ model: model(item), messages: [{ role: 'user', content: WEATHER }], tools: [tool] }, options);
    const call = response.message.toolCalls?.[0];
    const expected = expectedToolCall(item);
    assert.equal(call?.function?.name, expected.name);
    assert.deepEqual(parsedArguments(call?.function?.arguments), expected.arguments);
  });

  test('tool call stream', async () => {
    const item = fixture('cohere', 'tool-call-stream');
    let name = '';
    let args = '';
    for await (const event of await client().chatStream({ model: model(item), messages: [{ role: 'user', content: WEATHER }], tools: [tool] }, options)) {
      if (event.type === 'tool-call-start') {
        name += event.delta?.message?.toolCalls?.function?.name ?? '';
        args += event.delta?.message?.toolCalls?.function?.arguments ?? '';
      }
      if (event.type === 'tool-call-delta') args += event.delta?.message?.toolCalls?.function?.arguments ?? '';
    }
    const expected = expectedToolCall(item);
    assert.equal(name, expected.name);
    assert.deepEqual(parsedArguments(args), expected.arguments);
  });

  test('429 and 500 are TooManyRequestsError and InternalServerError', async () => {
    const item = fixture('cohere', 'chat');
    const call = () => client().chat({ model: model(item), messages: [{ role: 'user', content: QUESTION }] }, options);
    assert.ok(await underFault('cohere', 429, call) instanceof Cohere.TooManyRequestsError);
    assert.ok(await underFault('cohere', 500, call) instanceof Cohere.InternalServerError);
  });
});

// ---------------------------------------------------------------------------------------------------
// @mistralai/mistralai

describe('@mistralai/mistralai → mistral', () => {
  // The SDK's server URL has no version segment; it appends /v1/chat/completions itself.
  const client = () => new Mistral({ apiKey: 'test-key', serverURL: mockBaseUrl('mistral', mock.url).replace(/\/v1$/, ''), retryConfig: { strategy: 'none' } });
  const tool = { type: 'function' as const, function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_PARAMETERS } };

  test('chat', async () => {
    const item = fixture('mistral', 'chat');
    const response = await client().chat.complete({ model: model(item), messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }] });
    assert.equal(response.choices[0]?.message?.content, expectedText(item));
  });

  test('stream', async () => {
    const item = fixture('mistral', 'chat-stream');
    let text = '';
    for await (const event of await client().chat.stream({ model: model(item), messages: [{ role: 'user', content: QUESTION }] })) {
      const content = event.data.choices[0]?.delta.content;
      text += typeof content === 'string' ? content : '';
    }
    assert.equal(text, expectedText(item));
  });

  test('tool call', async () => {
    const item = fixture('mistral', 'tool-call');
    const response = await client().chat.complete({ model: model(item), messages: [{ role: 'user', content: WEATHER }], tools: [tool] });
    const call = response.choices[0]?.message?.toolCalls?.[0];
    const expected = expectedToolCall(item);
    assert.equal(call?.function.name, expected.name);
    assert.deepEqual(parsedArguments(call?.function.arguments), expected.arguments);
  });

  test('tool call stream', async () => {
    const item = fixture('mistral', 'tool-call-stream');
    let name = '';
    let args = '';
    for await (const event of await client().chat.stream({ model: model(item), messages: [{ role: 'user', content: WEATHER }], tools: [tool] })) {
      for (const call of event.data.choices[0]?.delta.toolCalls ?? []) {
        if ((call.index ?? 0) !== 0) continue;
        name += call.function.name;
        args += typeof call.function.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function.arguments);
      }
    }
    const expected = expectedToolCall(item);
    assert.equal(name, expected.name);
    assert.deepEqual(parsedArguments(args), expected.arguments);
  });

  test('429 and 5xx are the SDK\'s errors carrying the status', async () => {
    const item = fixture('mistral', 'chat');
    const call = () => client().chat.complete({ model: model(item), messages: [{ role: 'user', content: QUESTION }] });
    for (const status of [429, 500]) {
      const error = await underFault('mistral', status, call);
      assert.ok(error instanceof MistralErrors.MistralError, String(error));
      assert.equal(error.statusCode, status);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// ollama (native /api/chat, NDJSON)

describe('ollama → ollama', () => {
  const client = () => new Ollama({ host: mockBaseUrl('ollama', mock.url) });
  const tool = { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_PARAMETERS } };

  test('chat', async () => {
    const item = fixture('ollama', 'chat');
    const response = await client().chat({ model: model(item), messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }], stream: false });
    assert.equal(response.message.content, expectedText(item));
  });

  test('stream: NDJSON', async () => {
    const item = fixture('ollama', 'chat-stream');
    let text = '';
    let done = false;
    for await (const part of await client().chat({ model: model(item), messages: [{ role: 'user', content: QUESTION }], stream: true })) {
      text += part.message.content;
      done ||= part.done;
    }
    assert.equal(text, expectedText(item));
    assert.ok(done);
  });

  test('tool call', async () => {
    const item = fixture('ollama', 'tool-call');
    const response = await client().chat({ model: model(item), messages: [{ role: 'user', content: WEATHER }], tools: [tool], stream: false });
    const call = response.message.tool_calls?.[0];
    const expected = expectedToolCall(item);
    assert.equal(call?.function.name, expected.name);
    assert.deepEqual(call?.function.arguments, expected.arguments);
  });

  test('tool call stream', async () => {
    const item = fixture('ollama', 'tool-call-stream');
    const calls = [];
    for await (const part of await client().chat({ model: model(item), messages: [{ role: 'user', content: WEATHER }], tools: [tool], stream: true })) {
      calls.push(...(part.message.tool_calls ?? []));
    }
    const expected = expectedToolCall(item);
    assert.equal(calls[0]?.function.name, expected.name);
    assert.deepEqual(calls[0]?.function.arguments, expected.arguments);
  });

  test('429 and 500 are ResponseErrors carrying the status', async () => {
    const item = fixture('ollama', 'chat');
    const call = () => client().chat({ model: model(item), messages: [{ role: 'user', content: QUESTION }], stream: false });
    for (const status of [429, 500]) {
      const error = await underFault('ollama', status, call) as { name?: string; status_code?: number };
      assert.equal(error.name, 'ResponseError');
      assert.equal(error.status_code, status);
    }
  });
});
