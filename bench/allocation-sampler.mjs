/**
 * Preloaded (`node --import`) into a profiled server by `bench/profile.ts --heap`: samples every
 * allocation, including objects the garbage collector has already freed (what `--heap-prof` leaves
 * out, and what a request's garbage is), and writes the profile to $AIGW_HEAP_PROFILE at exit.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const target = process.env.AIGW_HEAP_PROFILE;
if (target !== undefined) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  // The in-process session answers synchronously, so the profile is written before the process ends.
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error === null) writeFileSync(target, JSON.stringify(result.profile));
    });
  });
}
