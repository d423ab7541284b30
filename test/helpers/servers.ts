/** Loopback servers for socket tests: listen on 127.0.0.1:0, close in t.after; short keep-alive agents. */
import type { TestContext } from 'node:test';
import { Agent } from 'undici';

export function testAgent(t: TestContext): Agent {
  const agent = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  t.after(() => agent.close());
  return agent;
}
