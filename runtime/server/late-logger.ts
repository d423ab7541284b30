/**
 * Stores and the audit writer start before the Fastify app exists, but their warnings must reach the
 * app's pino logger. They log through this forwarder, which is pointed at the logger once it exists
 * (nothing is logged before that: stores only warn about failures that happen while serving).
 */
import type { FastifyBaseLogger } from 'fastify';

export interface LateLogger {
  log(level: 'info' | 'warn' | 'error', message: string, fields: Readonly<Record<string, unknown>>): void;
  attach(logger: FastifyBaseLogger): void;
}

export function createLateLogger(): LateLogger {
  let target: FastifyBaseLogger | undefined;
  return {
    log: (level, message, fields) => target?.[level](fields, message),
    attach: (logger) => { target = logger; },
  };
}
