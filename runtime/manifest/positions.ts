/**
 * JSON pointer → file:line:col. The YAML parser records where every key and value starts; diagnostics
 * from the schema, interpolation and lint steps look their pointer up here. A pointer with no node of
 * its own (a value reached through an alias or a merge key, a defaulted field) resolves to its
 * nearest recorded ancestor, so every diagnostic still lands on a real line.
 */

export interface SourcePosition {
  readonly line: number;   // 1-based
  readonly column: number; // 1-based, in UTF-16 code units (what editors and GitHub count)
}

/** Where a node sits in the source text, as character offsets. */
export interface NodeSpan {
  /** Start of the key (map entries) or of the item (sequence items, the root). */
  readonly keyStart: number;
  /** Start and end of the value node; equal to keyStart for an empty value (`key:`). */
  readonly valueStart: number;
  readonly valueEnd: number;
}

export type PositionPart = 'key' | 'value';

export interface PositionIndex {
  /** Position of a pointer's key or value; the nearest recorded ancestor when it has none. */
  locate(pointer: string, part?: PositionPart): SourcePosition;
  /** Position of `needle` inside the value's source text (e.g. one `${VAR}`), else of the value. */
  locateText(pointer: string, needle: string): SourcePosition;
  /** True when the pointer has a node of its own in the source. */
  has(pointer: string): boolean;
}

/** Converts character offsets to line and column (binary search over line starts). */
export function createLineMap(text: string): (offset: number) => SourcePosition {
  const starts: number[] = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
  };
}

export function createPositionIndex(text: string, spans: ReadonlyMap<string, NodeSpan>): PositionIndex {
  const toPosition = createLineMap(text);
  const nearest = (pointer: string): NodeSpan | undefined => {
    let current = pointer;
    for (;;) {
      const span = spans.get(current);
      if (span !== undefined) return span;
      if (current === '') return undefined;
      current = parentPointer(current);
    }
  };
  const start: SourcePosition = { line: 1, column: 1 };
  return {
    locate(pointer, part = 'value') {
      const own = spans.get(pointer);
      const span = own ?? nearest(pointer);
      if (span === undefined) return start;
      // An ancestor stands in for a missing node: point at its key, where the reader looks first.
      return toPosition(own === undefined || part === 'key' ? span.keyStart : span.valueStart);
    },
    locateText(pointer, needle) {
      const span = spans.get(pointer);
      if (span === undefined) return this.locate(pointer);
      const found = text.slice(span.valueStart, span.valueEnd).indexOf(needle);
      return toPosition(found === -1 ? span.valueStart : span.valueStart + found);
    },
    has: (pointer) => spans.has(pointer),
  };
}

/** RFC 6901 escaping of one reference token. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Builds a pointer from path segments: pointerOf('ai_routes', 0, 'targets') → '/ai_routes/0/targets'. */
export function pointerOf(...segments: readonly (string | number)[]): string {
  return segments.map((segment) => '/' + escapePointerToken(String(segment))).join('');
}

export function parentPointer(pointer: string): string {
  const cut = pointer.lastIndexOf('/');
  return cut <= 0 ? '' : pointer.slice(0, cut);
}

/** A pointer as a reader writes the path: `/ai_routes/0/targets/1/weight` → `ai_routes[0].targets[1].weight`. */
export function describePointer(pointer: string): string {
  if (pointer === '') return 'the manifest';
  let path = '';
  for (const raw of pointer.slice(1).split('/')) {
    const token = unescapePointerToken(raw);
    if (/^(0|[1-9][0-9]*)$/.test(token)) path += `[${token}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(token)) path += path === '' ? token : `.${token}`;
    else path += `[${JSON.stringify(token)}]`;
  }
  return path;
}
