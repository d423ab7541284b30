import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { lazyChildLogger } from '../../../runtime/server/lazy-child-logger.js';

/** A pino logger writing JSON lines into an array, and a count of the children made from it. */
function recordingLogger(level = 'info'): { logger: FastifyBaseLogger; lines: Array<Record<string, unknown>>; children: () => number } {
  const lines: Array<Record<string, unknown>> = [];
  // Fastify's own pino instance (pino is not a direct dependency).
  const root = Fastify({ logger: { level, stream: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } } }).log;
  let made = 0;
  // A stand-in parent that counts children; the children themselves are pino's own.
  const logger = Object.create(root) as FastifyBaseLogger;
  logger.child = (bindings, options) => {
    made += 1;
    return root.child(bindings, options);
  };
  return { logger, lines, children: () => made };
}

describe('the lazy per-request child logger', () => {
  test('makes no pino child until a line is logged, and reads the parent level meanwhile', () => {
    const { logger, children } = recordingLogger('warn');
    const child = lazyChildLogger(logger, { reqId: 'req_1' }, {});
    assert.equal(child.level, 'warn');
    child.info('below the level');
    assert.equal(children(), 1, 'the first log call makes the child (pino decides the level)');
    const idle = lazyChildLogger(logger, { reqId: 'req_2' }, {});
    assert.equal(idle.level, 'warn');
    assert.equal(children(), 1, 'reading the level makes none');
    // A route's logLevel comes as a child option, and is the level before the child exists.
    assert.equal(lazyChildLogger(logger, { reqId: 'req_3' }, { level: 'error' }).level, 'error');
    assert.equal(children(), 1);
  });

  test('a logged line carries the bindings, and the child is made once', () => {
    const { logger, lines, children } = recordingLogger();
    const child = lazyChildLogger(logger, { reqId: 'req_abc' }, {});
    child.error({ code: 'E1' }, 'first');
    child.warn('second');
    assert.equal(children(), 1);
    assert.deepEqual(lines.map((line) => [line['reqId'], line['msg'], line['code']]), [['req_abc', 'first', 'E1'], ['req_abc', 'second', undefined]]);
  });

  test('setting the level and making grandchildren go to the real child', () => {
    const { logger, lines } = recordingLogger();
    const child = lazyChildLogger(logger, { reqId: 'req_x' }, {});
    child.level = 'error';
    child.warn('dropped');
    assert.equal(child.level, 'error');
    child.child({ step: 'inner' }).error('kept');
    assert.deepEqual(lines.map((line) => [line['reqId'], line['step'], line['msg']]), [['req_x', 'inner', 'kept']]);
  });
});
