/**
 * A pipelined request's response waits in Node's queue until the responses before it on the same
 * connection are sent. When the connection closes first (a 413 that closes it, a client that hangs
 * up), Node drops the queued response without a 'close' event, so everything that keys off that
 * event (the in-flight gauge, aborting the upstream call, the 499 audit record) would never run.
 * This gives such a response its 'close' when its connection closes. Only pipelined requests pay
 * for it: a response that owns its socket gets Node's own 'close'.
 */
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';

export function closeWhenQueuedConnectionCloses(response: ServerResponse, connection: Socket): void {
  if (response.socket !== null) return;
  let closed = false;
  response.once('close', () => { closed = true; });
  connection.once('close', () => {
    // Node emitted no 'close' for it (it never got its turn): it never will.
    if (!closed) response.emit('close');
  });
}
