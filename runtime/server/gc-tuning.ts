/**
 * Garbage-collector settings for a process that serves the gateway (`aigw serve` only: a library
 * user's process is its own). Applied before the runtime loads.
 *
 * V8's allocation-site pretenuring watches which object literals survive young-generation
 * collections and, past a threshold, allocates that site's objects straight in the old generation.
 * A gateway fools it: while 1 000 streams open at once, per-chunk objects outlive a few scavenges,
 * their sites are tenured for good, and from then on every streamed chunk leaves garbage in the old
 * generation. Those dead old objects also keep the young ones they point to alive through the
 * remembered set (our reading of the GC trace), so each scavenge promoted ≈ 1.6 MB (1.6 KB per held stream) and the old
 * generation grew ≈ 8 MB/s until the next full collection. Whether it happened depended on timing:
 * in 8 paired runs of issue 8's 1 000-stream test, 3 of 4 runs without this setting promoted
 * 1.6 MB per scavenge and peaked at 265–297 MB; all 4 with it promoted 3 KB and peaked at
 * 151–154 MB. Request CPU did not change measurably (A/B, unary and streams).
 */
import { setFlagsFromString } from 'node:v8';

export function tuneGarbageCollectorForServing(): void {
  // The collector reads it at each scavenge, so set at start-up, before the streams that fooled it,
  // it acts like the command-line flag (which NODE_OPTIONS refuses). One difference: a changed flag
  // makes Node's built-in code cache miss for core modules loaded afterwards; `aigw serve` was ready
  // in 319–349 ms with it against 325–354 ms without (ten starts each), so that cost is not visible.
  setFlagsFromString('--no-allocation-site-pretenuring');
}
