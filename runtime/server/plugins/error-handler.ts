/**
 * Every error leaves the gateway as OpenAI's envelope `{error:{message,type,param,code}}` with the
 * right status (design §5). Fastify's own body-parsing errors are mapped by their `code`; anything
 * unexpected is a 500 with a generic message, logged with its stack and the request id.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AigwError, ERRORS, isAigwError } from '../../errors.js';
import { discardUnreadBody } from '../discard-unread-body.js';

/** OpenAI's wording for a body that is not JSON (also json-body-parser.ts). */
export const UNPARSABLE_JSON = 'We could not parse the JSON body of your request. The body must be valid JSON.';

/** Fastify error code → gateway error (body parsing happens before any handler runs). */
function fromFastifyError(error: FastifyError): AigwError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AigwError(ERRORS.BODY_TOO_LARGE, 'Request body is too large.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AigwError(ERRORS.INVALID_JSON, UNPARSABLE_JSON);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AigwError(ERRORS.INVALID_REQUEST, `Unsupported request body: ${error.message}. Send JSON with "Content-Type: application/json".`);
    default:
      // A SyntaxError from the JSON parser carries a 400 status but no FST code.
      if (error instanceof SyntaxError || (error.statusCode === 400 && error.code === undefined)) {
        return new AigwError(ERRORS.INVALID_JSON, UNPARSABLE_JSON);
      }
      return undefined;
  }
}

export function toAigwError(error: unknown): { error: AigwError; unexpected: boolean } {
  if (isAigwError(error)) return { error, unexpected: false };
  const mapped = typeof error === 'object' && error !== null ? fromFastifyError(error as FastifyError) : undefined;
  if (mapped !== undefined) return { error: mapped, unexpected: false };
  return { error: new AigwError(ERRORS.INTERNAL, 'The gateway had an internal error. It has been logged; retrying may help.'), unexpected: true };
}

export function sendError(reply: FastifyReply, error: AigwError): FastifyReply {
  // The audit record names the case (invalid_json, 413, …) as the client's envelope does.
  const trace = reply.request.aigwTrace as { errorCode?: string; errorMessage?: string } | null;
  if (trace !== null && trace !== undefined) {
    trace.errorCode ??= error.code;
    trace.errorMessage ??= error.message;
  }
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.status).type('application/json').send(error.toEnvelope());
}

/**
 * The client closed the connection while its body was being read (Node's "aborted", ECONNRESET): an
 * ordinary event, not the gateway's error; the 'close' listener in build-app.ts audits it as a 499.
 */
function isClientGone(error: unknown, request: FastifyRequest): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return request.raw.destroyed && (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error instanceof Error && error.message === 'aborted'));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (isClientGone(error, request)) {
      request.log.debug('client closed the connection before its request body arrived');
      return sendError(reply, new AigwError(ERRORS.INVALID_REQUEST, 'The connection closed before the request body arrived.'));
    }
    const { error: mapped, unexpected } = toAigwError(error);
    if (unexpected) request.log.error({ err: error }, 'unexpected error');
    // Fastify closes the connection after any body-parsing error, in case more of the body is on
    // its way. A JSON syntax error comes after the whole body arrived, so the connection is still
    // usable: closing it would cost the client a reconnect and drop the requests pipelined after it.
    if (mapped.code === ERRORS.INVALID_JSON.code && request.raw.complete) reply.removeHeader('connection');
    // A body over the limit is refused on its announced length (or part-way): the client is still
    // uploading, and a closed connection would reach it as a broken pipe, not as this 413.
    if (mapped.code === ERRORS.BODY_TOO_LARGE.code && !request.raw.complete) {
      reply.removeHeader('connection');
      discardUnreadBody(request.raw, reply.raw);
    }
    return sendError(reply, mapped);
  });
  app.setNotFoundHandler(sendNotFound);
}

/** OpenAI's 404 for a path no route serves; the path only (a query string may carry a key). */
export function sendNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, new AigwError(ERRORS.NOT_FOUND, `Invalid URL (${request.method} ${request.url.split('?')[0] ?? ''}).`));
}
