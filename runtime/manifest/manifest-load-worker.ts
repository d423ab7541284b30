/**
 * The worker side of `createBackgroundLoader`: runs the one loader on the texts it is sent and
 * answers with what crosses threads (diagnostics and the parsed document; the manifest holds
 * secrets and is rebuilt from the document by the caller).
 */
import { parentPort } from 'node:worker_threads';
import { loadManifest } from './load-manifest.js';
import type { WorkerLoadReply, WorkerLoadRequest } from './background-loader.js';

parentPort?.on('message', (request: WorkerLoadRequest) => {
  const result = loadManifest(request.source, request.options);
  const reply: WorkerLoadReply = {
    id: request.id,
    diagnostics: result.diagnostics,
    accepted: result.manifest !== undefined,
    ...(result.document === undefined ? {} : { document: result.document }),
    ...(result.omitted === undefined ? {} : { omitted: result.omitted }),
  };
  parentPort?.postMessage(reply);
});
