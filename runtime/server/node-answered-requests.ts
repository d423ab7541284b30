/**
 * Requests Node's HTTP server would answer itself, before Fastify sees them, with an empty body (or,
 * for CONNECT, no answer at all). Here they get OpenAI's envelope and an x-request-id like every
 * other answer (design §5):
 * - an HTTP/1.1 request without Host: Node's own check is turned off (SERVER_HTTP_OPTIONS) and the
 *   onRequest hook answers the 400 RFC 9112 §3.2 requires (`missingHost`), as invalid_http;
 * - an Expect other than 100-continue: handled as an ordinary request, since RFC 9110 §10.1.1 lets a
 *   server ignore an expectation it does not know instead of answering 417;
 * - CONNECT: the gateway is no proxy; answered like any unknown endpoint, then the socket closes.
 * @see https://nodejs.org/api/http.html#event-checkexpectation
 * @see https://nodejs.org/api/http.html#event-connect
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AigwError, ERRORS } from '../errors.js';
import { writeErrorAndClose } from './client-error.js';

/** Node server options for buildApp: the Host check moves into the gateway (see above). */
export const SERVER_HTTP_OPTIONS = { requireHostHeader: false } as const;

/** An HTTP/1.1 (or later 1.x) request without the Host header every such request must carry. */
export function missingHost(request: IncomingMessage): boolean {
  return request.httpVersionMajor === 1 && request.httpVersionMinor >= 1 && request.headers.host === undefined;
}

export function answerNodeAnsweredRequests(server: Server): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    server.emit('request', request, response);
  });
  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    // The socket of a 'connect' event is the connection's net.Socket.
    writeErrorAndClose(socket as Socket, new AigwError(ERRORS.NOT_FOUND, `Invalid URL (CONNECT ${request.url ?? ''}).`));
  });
}
