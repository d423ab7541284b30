/**
 * Answers a connection whose request Node could not parse, or did not receive in time, with OpenAI's
 * error envelope (design §5) instead of Node's or Fastify's own body. No Fastify request exists at
 * this point: the request id is made here, and the connection is closed after the answer, since
 * nothing more can be read from it reliably.
 * @see https://nodejs.org/api/http.html#event-clienterror
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AigwError, ERRORS } from '../errors.js';
import { requestIdFrom } from './plugins/request-id.js';

function toError(error: NodeJS.ErrnoException): AigwError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AigwError(ERRORS.REQUEST_TIMEOUT, 'The request did not arrive in time: its headers and body must be sent within the server\'s request timeout.');
    case 'HPE_HEADER_OVERFLOW':
      return new AigwError(ERRORS.HEADERS_TOO_LARGE, 'The request headers are too large.');
    default:
      return new AigwError(ERRORS.MALFORMED_HTTP, 'The request is not valid HTTP/1.1.');
  }
}

/** Marks a socket whose request Node stopped waiting for, so the request's audit record says 408. */
const TIMED_OUT = Symbol('aigw request timed out');

export function timedOutSocket(socket: Socket | null | undefined): boolean {
  return (socket as (Socket & { [TIMED_OUT]?: boolean }) | null | undefined)?.[TIMED_OUT] === true;
}

/** What Node keeps on a socket for the request it is answering (its in-flight ServerResponse). */
type SocketWithMessage = Socket & { _httpMessage?: { req?: { aigwRequest?: { id?: unknown } } } | null };

/**
 * The id to answer with: the in-flight request's own, when Fastify made one (a body that stopped
 * arriving: its audit record carries that id, so the 408 must too), else a new one. Node keeps the
 * in-flight response on the socket as `_httpMessage` until it finishes, so a kept-alive socket's
 * earlier request is never taken for this one.
 */
function answerRequestId(socket: Socket): string {
  const id = (socket as SocketWithMessage)._httpMessage?.req?.aigwRequest?.id;
  return typeof id === 'string' ? id : requestIdFrom(undefined);
}

/** For Fastify's `clientErrorHandler`; `this` is unused. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection is already gone: nothing to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') (socket as Socket & { [TIMED_OUT]?: boolean })[TIMED_OUT] = true;
  writeErrorAndClose(socket, toError(error), answerRequestId(socket), error);
}

/**
 * Writes `error` as a whole HTTP/1.1 answer straight to the socket (no Fastify request exists) and
 * closes it; `cause` is what the socket is destroyed with.
 */
export function writeErrorAndClose(socket: Socket, error: AigwError, requestId: string = requestIdFrom(undefined), cause?: Error): void {
  if (socket.writable) {
    const body = JSON.stringify(error.toEnvelope());
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  if (cause === undefined) socket.end(() => socket.destroy());
  else socket.destroy(cause);
}
