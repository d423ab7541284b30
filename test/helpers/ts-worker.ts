/**
 * A worker thread running a TypeScript module from the sources: workers do not inherit the test
 * runner's tsx loader, so the worker registers it before importing its entry.
 */
import { Worker } from 'node:worker_threads';

export function startTsWorker(entry: URL): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true });
}
