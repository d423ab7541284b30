/**
 * YAML text → plain JSON value + positions of every key and value, with the hostile-input bounds:
 * flow nesting is measured before the parser sees it (the parser can exhaust memory on ~100k nested
 * brackets), nesting deeper than 64 levels, duplicate keys and alias expansion bombs are diagnostics.
 * YAML 1.2 core schema (`yes`/`on` stay strings), merge keys (`<<: *defaults`) allowed.
 * @see https://eemeli.org/yaml/#options
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../lint/diagnostic.js';
import { makeDiagnostic } from '../lint/make-diagnostic.js';
import type { RuleId } from '../lint/registry.js';
import { createLineMap, createPositionIndex, escapePointerToken, type NodeSpan, type PositionIndex } from './positions.js';

/** Deepest nesting a manifest may have (the seed needs 5). */
export const MAX_DEPTH = 64;
/** Alias resolutions allowed while building the value (yaml's resource-exhaustion guard). */
export const MAX_ALIAS_COUNT = 100;
/** Flow brackets deeper than this are refused before parsing (a crash guard; MAX_DEPTH is the rule). */
const MAX_FLOW_PRESCAN_DEPTH = 512;
/** A broken file yields one error per line; the first few say enough. */
const MAX_SYNTAX_ERRORS = 20;

export interface ParsedYaml {
  /** The document as plain JSON data; absent when there is an error diagnostic. */
  readonly value?: unknown;
  readonly positions: PositionIndex;
  readonly diagnostics: readonly Diagnostic[];
}

export function parseYaml(text: string, file: string): ParsedYaml {
  const spans = new Map<string, NodeSpan>();
  const positions = createPositionIndex(text, spans);
  const toPosition = createLineMap(text);
  const fail = (ruleId: RuleId, offset: number, message: string, hint?: string): ParsedYaml =>
    ({ positions, diagnostics: [makeDiagnostic(ruleId, file, toPosition(offset), message, { hint })] });

  const deepFlow = findDeepFlow(text, MAX_FLOW_PRESCAN_DEPTH);
  if (deepFlow !== -1) return fail('yaml/too-deep', deepFlow, `nesting is deeper than ${MAX_DEPTH} levels`);

  // uniqueKeys off: the library's check is quadratic in the number of keys; walk() finds duplicates in linear time.
  const document = parseDocument(text, { uniqueKeys: false, merge: true, schema: 'core', prettyErrors: false, strict: true });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    const diagnostics = problems.slice(0, MAX_SYNTAX_ERRORS).map((problem) => {
      const { ruleId, hint, message: own } = classifyYamlProblem(problem.code);
      const message = own ?? problem.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? problem.code;
      return makeDiagnostic(ruleId, file, toPosition(problem.pos[0]), message, { hint });
    });
    return { positions, diagnostics };
  }
  if (document.contents === null || (isScalar(document.contents) && document.contents.value === null)) {
    return fail('yaml/empty', 0, 'the file holds no YAML document');
  }

  const walk = createWalker(document, spans, toPosition);
  const finding = walk(document.contents, '', 0, 1);
  if (finding !== undefined) return fail(finding.ruleId, finding.offset, finding.message);

  try {
    return { value: document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), positions, diagnostics: [] };
  } catch (error) {
    // yaml throws a ReferenceError for excessive alias expansion; nothing else is expected here.
    const aliasBomb = error instanceof ReferenceError;
    return fail(aliasBomb ? 'yaml/alias-limit' : 'yaml/syntax', walk.firstAliasOffset(),
      aliasBomb ? `aliases expand beyond the limit of ${MAX_ALIAS_COUNT} (an alias bomb)` : String(error));
  }
}

interface WalkFinding { readonly ruleId: RuleId; readonly offset: number; readonly message: string }

type Walker = ((node: YamlNode, pointer: string, keyStart: number, depth: number) => WalkFinding | undefined) & {
  firstAliasOffset(): number;
};

/** Records spans, and finds duplicate keys, complex keys and excessive depth in one pass. */
function createWalker(document: Document, spans: Map<string, NodeSpan>,
                      toPosition: (offset: number) => { line: number }): Walker {
  let firstAlias = -1;
  const record = (pointer: string, keyStart: number, node: YamlNode | null | undefined, fallback: number): void => {
    const range = node?.range;
    spans.set(pointer, {
      keyStart,
      valueStart: range?.[0] ?? fallback,
      valueEnd: range?.[1] ?? fallback,
    });
  };
  const walk = (node: YamlNode, pointer: string, keyStart: number, depth: number): WalkFinding | undefined => {
    const start = node.range?.[0] ?? keyStart;
    if (pointer === '') record('', start, node, start);
    if (depth > MAX_DEPTH) return { ruleId: 'yaml/too-deep', offset: start, message: `nesting is deeper than ${MAX_DEPTH} levels` };
    if (isAlias(node)) {
      if (firstAlias === -1) firstAlias = start;
      return undefined;
    }
    if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) {
        const childPointer = `${pointer}/${index}`;
        const itemNode = item as YamlNode;
        const itemStart = itemNode.range?.[0] ?? start;
        record(childPointer, itemStart, itemNode, itemStart);
        const finding = walk(itemNode, childPointer, itemStart, depth + 1);
        if (finding !== undefined) return finding;
      }
      return undefined;
    }
    if (!isMap(node)) return undefined;
    const seen = new Map<string, number>();
    const merged: YamlNode[] = [];
    for (const pair of node.items) {
      const key = pair.key as YamlNode | null;
      const value = pair.value as YamlNode | null;
      const pairStart = key?.range?.[0] ?? start;
      if (key !== null && !isScalar(key)) {
        return { ruleId: 'yaml/syntax', offset: pairStart, message: 'complex (non-scalar) mapping keys are not supported' };
      }
      const name = key === null || key.value === null ? '' : String(key.value);
      if (name === '<<' && key !== null && key.source === '<<') {
        // A merge key: its entries are found through the aliased maps (recorded below as fallbacks).
        const sources = value !== null && isSeq(value) ? value.items as YamlNode[] : value === null ? [] : [value];
        for (const source of sources) {
          if (isAlias(source)) {
            if (firstAlias === -1) firstAlias = source.range?.[0] ?? pairStart;
            const resolved = source.resolve(document) as YamlNode | undefined;
            if (resolved !== undefined) merged.push(resolved);
          }
        }
        continue;
      }
      const previous = seen.get(name);
      if (previous !== undefined) {
        const line = toPosition(previous).line;
        return { ruleId: 'yaml/duplicate-key', offset: pairStart, message: `duplicate key "${name}" (first defined on line ${line})` };
      }
      seen.set(name, pairStart);
      const childPointer = `${pointer}/${escapePointerToken(name)}`;
      const valueEnd = key?.range?.[1] ?? pairStart;
      record(childPointer, pairStart, value, valueEnd);
      if (value !== null) {
        const finding = walk(value, childPointer, pairStart, depth + 1);
        if (finding !== undefined) return finding;
      }
    }
    // Merged entries locate at their source; explicit keys win, as in YAML's merge semantics.
    for (const source of merged) {
      if (!isMap(source)) continue;
      for (const pair of source.items) {
        const key = pair.key as YamlNode | null;
        if (key === null || !isScalar(key)) continue;
        const childPointer = `${pointer}/${escapePointerToken(String(key.value))}`;
        const pairStart = key.range?.[0] ?? start;
        if (!spans.has(childPointer)) record(childPointer, pairStart, pair.value as YamlNode | null, pairStart);
      }
    }
    return undefined;
  };
  return Object.assign(walk, { firstAliasOffset: () => Math.max(firstAlias, 0) });
}

/** Our wording where the yaml library's names one of its APIs (parseAllDocuments) instead of the problem. */
const MULTIPLE_DOCS_MESSAGE = 'the file holds more than one YAML document (a --- separator starts a second one)';

function classifyYamlProblem(code: string): { ruleId: RuleId; hint?: string; message?: string } {
  switch (code) {
    case 'DUPLICATE_KEY': return { ruleId: 'yaml/duplicate-key' };
    case 'RESOURCE_EXHAUSTION': return { ruleId: 'yaml/too-deep' };
    case 'TAB_AS_INDENT': return { ruleId: 'yaml/syntax', hint: 'YAML indentation must use spaces; replace the tab characters.' };
    case 'MULTIPLE_DOCS': return { ruleId: 'yaml/syntax', message: MULTIPLE_DOCS_MESSAGE, hint: 'A manifest is one YAML document: remove the --- separator and the second document.' };
    case 'TAG_RESOLVE_FAILED': return { ruleId: 'yaml/syntax', hint: 'Remove the YAML tag (!…); a manifest uses plain strings, numbers, booleans, lists and maps.' };
    default: return { ruleId: 'yaml/syntax' };
  }
}

/**
 * Offset of the first flow bracket nested deeper than `limit`, or -1. A cheap scan that skips quoted
 * strings and comments; an unbalanced bracket inside a plain scalar can only make it stricter, and
 * only past `limit` unclosed brackets, which no real manifest has.
 */
export function findDeepFlow(text: string, limit: number): number {
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (character === '[' || character === '{') {
      depth += 1;
      if (depth > limit) return index;
    } else if ((character === ']' || character === '}') && depth > 0) {
      depth -= 1;
    } else if (character === '#' && (index === 0 || /\s/.test(text[index - 1] ?? ''))) {
      const end = text.indexOf('\n', index);
      index = end === -1 ? text.length : end;
    } else if ((character === '"' || character === "'") && (index === 0 || /[\s,[{:]/.test(text[index - 1] ?? ''))) {
      index = skipQuoted(text, index, character);
    }
  }
  return -1;
}

function skipQuoted(text: string, start: number, quote: string): number {
  for (let index = start + 1; index < text.length; index += 1) {
    const character = text[index];
    if (quote === '"' && character === '\\') index += 1;
    else if (character === quote) {
      if (quote === "'" && text[index + 1] === "'") index += 1;
      else return index;
    }
  }
  return text.length;
}
