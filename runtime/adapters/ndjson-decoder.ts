/**
 * Incremental newline-delimited JSON decoding (Ollama's native stream): bytes in at any split, whole
 * lines out. Only the unfinished tail is kept between pushes; the buffer is never re-split.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 */

import { MAX_STREAM_UNIT_BYTES, OversizeUnitError } from './oversize-unit.js';

export interface NdjsonDecoder {
  /** The complete, non-empty lines these bytes finish, without their newline. Throws OversizeUnitError past the bound. */
  push(bytes: Uint8Array): readonly string[];
  /** The last line if the body ended without a newline. */
  end(): readonly string[];
}

export function createNdjsonDecoder(): NdjsonDecoder {
  const decoder = new TextDecoder('utf-8');
  let tail = '';
  return {
    push(bytes) {
      // Only the new text is searched for newlines: a long line arriving in many small pieces is not
      // rescanned on every push.
      const text = decoder.decode(bytes, { stream: true });
      let newline = text.indexOf('\n');
      if (newline === -1) {
        tail += text;
        if (tail.length > MAX_STREAM_UNIT_BYTES) throw new OversizeUnitError();
        return [];
      }
      const out: string[] = [];
      let start = 0;
      let pending = tail;
      while (newline !== -1) {
        if (pending.length + newline - start > MAX_STREAM_UNIT_BYTES) throw new OversizeUnitError();
        const line = (pending + text.slice(start, newline)).trim();
        pending = '';
        if (line.length > 0) out.push(line);
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      tail = text.slice(start);
      if (tail.length > MAX_STREAM_UNIT_BYTES) throw new OversizeUnitError();
      return out;
    },
    end() {
      const rest = (tail + decoder.decode()).trim();
      tail = '';
      return rest.length > 0 ? [rest] : [];
    },
  };
}
