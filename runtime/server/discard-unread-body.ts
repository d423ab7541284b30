/**
 * An answer sent before the request body was read (a 413 on the announced length, a 401 before the
 * body, a 404 for an unknown path): the connection stays open and the rest of the body is read and
 * thrown away, as nginx's lingering close does. Closing at once makes the client's kernel see a reset
 * while it is still uploading: it reads a broken pipe instead of the answer, and the OpenAI SDK takes
 * that for a network error and uploads the whole body again (twice, by default). Past `maxBytes`
 * more, or `maxMs` after the answer, the connection closes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface DiscardBounds {
  readonly maxBytes: number;
  readonly maxMs: number;
}

/** Well above any body limit in use, and a slow client's upload of that; past them, not worth reading. */
export const DISCARD_BOUNDS: DiscardBounds = { maxBytes: 64 * 1024 * 1024, maxMs: 30_000 };
const CHECK_INTERVAL_MS = 50;

export function discardUnreadBody(request: IncomingMessage, response: ServerResponse, bounds: DiscardBounds = DISCARD_BOUNDS): void {
  if (request.complete) return;
  // Node's own 'finish' handler has run by then: it resumed the unread request, and its parser drops
  // the body's bytes without emitting them, so they are counted on the socket.
  response.once('finish', () => {
    if (request.complete) return;
    const { socket } = request;
    const startBytes = socket.bytesRead;
    const started = performance.now();
    // One exit for every path: a kept-alive connection sees many early answers, and must not keep a
    // listener for each.
    const stop = (): void => {
      clearInterval(check);
      request.off('end', stop);
      socket.off('close', stop);
    };
    const check = setInterval(() => {
      if (request.complete || socket.destroyed) {
        stop();
      } else if (socket.bytesRead - startBytes > bounds.maxBytes || performance.now() - started > bounds.maxMs) {
        stop();
        socket.destroy();
      }
    }, CHECK_INTERVAL_MS);
    check.unref();
    request.once('end', stop);
    socket.once('close', stop);
    // A body the parser had started reading is paused without its listener: keep it flowing.
    request.resume();
  });
}
