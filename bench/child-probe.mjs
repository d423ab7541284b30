/**
 * Preloaded (`node --import bench/child-probe.mjs …`) into every Node server the benchmark measures:
 * the fake upstream, the floor proxy, `aigw serve`, the Portkey gateway. Over the IPC channel the
 * harness opened it
 * - reports each server's listening address (so every server can take port 0);
 * - answers `usage` with the process's own `process.cpuUsage()` (µs, all threads) and memory figures,
 *   so CPU per request is the measured server's alone, not the load generator's;
 * - answers `gc` with a full collection first (the memory benchmark's "back to baseline" check);
 * - with AIGW_BENCH_LOOPBACK=1, forces every listen onto 127.0.0.1 (Portkey listens on all interfaces);
 * - exits when the harness goes away (the channel closes), even if it was killed before it could stop us.
 * Plain JavaScript so the measured process loads no TypeScript loader.
 */
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';

const LOOPBACK = '127.0.0.1';

/** `listen(port[, host][, backlog][, cb])` or `listen({port, host})`, rewritten onto 127.0.0.1. */
function onLoopback(args) {
  const [first, second] = args;
  if (typeof first === 'object' && first !== null && !(first instanceof net.Server) && 'port' in first) {
    return [{ ...first, host: LOOPBACK }, ...args.slice(1)];
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return typeof second === 'string' ? [first, LOOPBACK, ...args.slice(2)] : [first, LOOPBACK, ...args.slice(1)];
  }
  return args;
}

function collectGarbage() {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  gc();
  gc();
}

const listen = net.Server.prototype.listen;
const forceLoopback = process.env.AIGW_BENCH_LOOPBACK === '1';
const reporting = typeof process.send === 'function';

function send(message) {
  try {
    process.send?.(message);
  } catch {
    // The harness went away; 'disconnect' below ends this process.
  }
}

if (forceLoopback || reporting) {
  net.Server.prototype.listen = function patchedListen(...args) {
    if (reporting) {
      this.once('listening', () => {
        const address = this.address();
        if (address !== null && typeof address === 'object') send({ type: 'listening', address: address.address, port: address.port });
      });
    }
    return listen.apply(this, forceLoopback ? onLoopback(args) : args);
  };
}

if (reporting) {
  process.on('message', (message) => {
    if (message === null || typeof message !== 'object') return;
    if (message.type === 'gc') collectGarbage();
    if (message.type === 'usage' || message.type === 'gc') {
      const memory = process.memoryUsage();
      send({ type: 'usage', id: message.id, cpu: process.cpuUsage(), rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, external: memory.external, arrayBuffers: memory.arrayBuffers });
    }
  });
  // The channel alone must not keep a server alive that would otherwise exit.
  process.channel?.unref();
  // The harness died without stopping us (SIGKILL, a crash, a test runner's timeout): no orphan keeps serving.
  process.on('disconnect', () => process.exit(0));
}
