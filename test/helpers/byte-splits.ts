/** Feeds a buffer whole, one byte at a time, and at seeded random cuts: stream parsers must agree. */
import { seededRandom } from '../../runtime/clock.js';

export interface Splitting { readonly name: string; readonly parts: readonly Uint8Array[] }

export function byteSplits(bytes: Uint8Array, seed = 7): readonly Splitting[] {
  const single: Uint8Array[] = [];
  for (let index = 0; index < bytes.length; index++) single.push(bytes.subarray(index, index + 1));
  const random = seededRandom(seed);
  const cuts: Uint8Array[] = [];
  for (let start = 0; start < bytes.length;) {
    const size = 1 + Math.floor(random.next() * 17);
    cuts.push(bytes.subarray(start, start + size));
    start += size;
  }
  return [
    { name: 'whole', parts: [bytes] },
    { name: 'one byte at a time', parts: single },
    { name: `random cuts (seed ${seed})`, parts: cuts },
  ];
}
