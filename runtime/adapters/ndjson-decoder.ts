/**
 * Incremental newline-delimited JSON decoding (Ollama's native stream): bytes in at any split, whole
 * lines out. Only the unfinished tail is kept between pushes; the buffer is never re-split.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 */

export interface NdjsonDecoder {
  /** The complete, non-empty lines these bytes finish, without their newline. */
  push(bytes: Uint8Array): readonly string[];
  /** The last line if the body ended without a newline. */
  end(): readonly string[];
}

export function createNdjsonDecoder(): NdjsonDecoder {
  const decoder = new TextDecoder('utf-8');
  let tail = '';
  const lines = (text: string): string[] => {
    const out: string[] = [];
    let start = 0;
    for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', start)) {
      const line = text.slice(start, index).trim();
      if (line.length > 0) out.push(line);
      start = index + 1;
    }
    tail = text.slice(start);
    return out;
  };
  return {
    push(bytes) {
      return lines(tail + decoder.decode(bytes, { stream: true }));
    },
    end() {
      const rest = (tail + decoder.decode()).trim();
      tail = '';
      return rest.length > 0 ? [rest] : [];
    },
  };
}
