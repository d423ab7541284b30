/**
 * The worker side of `createBackgroundLoader`: runs the one loader on the texts it is sent and
 * answers with what crosses threads (diagnostics and the parsed document; the manifest holds
 * secrets and is rebuilt from the document by the caller).
 */
import { parentPort } from 'node:worker_threads';
import { manifestVersion } from './canonical.js';
import { loadManifest } from './load-manifest.js';
import type { WorkerLoadReply, WorkerLoadRequest } from './background-loader.js';

parentPort?.on('message', (request: WorkerLoadRequest) => {
  const result = loadManifest(request.source, request.options);
  const reply: WorkerLoadReply = {
    id: request.id,
    diagnostics: result.diagnostics,
    accepted: result.manifest !== undefined,
    // The version is a hash of the whole document (10–20 ms at 2 000 routes): computed here too.
    ...(result.document === undefined ? {} : { document: result.document, version: manifestVersion(result.document) }),
    ...(result.omitted === undefined ? {} : { omitted: result.omitted }),
  };
  parentPort?.postMessage(reply);
});
