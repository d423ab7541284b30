/**
 * Fastify's `schemaController` option for apps whose routes declare no schema: every body is checked by
 * a precompiled validator of ours (request-validator.ts, the manifest's), so Fastify's own compilers
 * (ajv and fast-json-stringify, about 115 modules) are never needed. Naming compilers here keeps
 * Fastify from loading its defaults (about 5 MB of every gateway's resident memory, issue 8's
 * 1 000-stream run); a route that does declare a schema fails at `ready()` and says why.
 */
import type { FastifyServerOptions } from 'fastify';

function refuse(kind: string): never {
  throw new Error(`aigw routes declare no Fastify ${kind} schema (bodies are checked by precompiled validators); add the check there instead`);
}

export const NO_ROUTE_SCHEMAS: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator: () => () => refuse('validation'),
    buildSerializer: () => () => refuse('response'),
  },
};
