/**
 * The logging surface the admin plane needs: pino's `(fields, message)` call shape, so serve passes
 * its Fastify logger (`app.log`) and tests pass a recorder. Fields never hold key material or
 * manifest values: diagnostics, versions and reasons only.
 */
export interface AdminLogger {
  info(fields: Readonly<Record<string, unknown>>, message: string): void;
  warn(fields: Readonly<Record<string, unknown>>, message: string): void;
  error(fields: Readonly<Record<string, unknown>>, message: string): void;
}

export const silentLogger: AdminLogger = { info: () => {}, warn: () => {}, error: () => {} };
