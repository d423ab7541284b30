import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LightAbortSignal } from '../../runtime/stop-signal.js';

test('abort runs each listener once, in the order added, with the reason set before they run', () => {
  const signal = new LightAbortSignal();
  const seen: string[] = [];
  const first = (): void => { seen.push(`first:${String(signal.reason)}`); };
  signal.addEventListener('abort', first);
  signal.addEventListener('abort', first);
  signal.addEventListener('abort', { handleEvent: (event) => { seen.push(`object:${event.type}`); } });
  assert.equal(signal.aborted, false);
  signal.abort('why');
  signal.abort('again');
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, 'why');
  assert.deepEqual(seen, ['first:why', 'object:abort']);
});

test('a removed listener does not run, and one added after the abort never runs', () => {
  const signal = new LightAbortSignal();
  let calls = 0;
  const listener = (): void => { calls += 1; };
  signal.addEventListener('abort', listener);
  signal.removeEventListener('abort', listener);
  signal.removeEventListener('abort', () => undefined);
  signal.abort(new Error('stop'));
  signal.addEventListener('abort', listener);
  assert.equal(calls, 0);
});

test('a throwing listener does not keep the others from running; its error is reported as uncaught', async () => {
  const signal = new LightAbortSignal();
  const ran: string[] = [];
  const reported = new Promise<unknown>((resolve) => {
    const original = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.once('uncaughtException', (error) => {
      for (const listener of original) process.on('uncaughtException', listener);
      resolve(error);
    });
  });
  signal.addEventListener('abort', () => { throw new Error('listener broke'); });
  signal.addEventListener('abort', () => { ran.push('second'); });
  signal.abort('stop');
  assert.deepEqual(ran, ['second']);
  assert.match(String(await reported), /listener broke/);
});

test('undici takes it as a request signal: aborting it aborts the request', async () => {
  const { createServer } = await import('node:http');
  const { request } = await import('undici');
  const server = createServer(() => { /* never answers */ });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const signal = new LightAbortSignal();
    const pending = request(`http://127.0.0.1:${port}/`, { signal });
    setTimeout(() => signal.abort(new Error('attempt stopped')), 20);
    await assert.rejects(pending, /attempt stopped/);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
