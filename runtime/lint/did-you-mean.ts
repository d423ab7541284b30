/**
 * "Did you mean …" suggestions for misspelt keys, provider ids and route names. Bounded: a hostile
 * manifest with thousands of bad references must not turn suggestions into quadratic work.
 */

/** Words or candidates longer than this get no suggestion (the distance table is length × length). */
const MAX_WORD_LENGTH = 64;
/** A rule suggests for its first few findings only; the rest say the same thing. */
const MAX_SUGGESTIONS = 20;

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions: "wieght" → "weight" is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, row) => Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)));
  const at = (row: number, column: number): number => table[row]?.[column] ?? 0;
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const cost = a[row - 1] === b[column - 1] ? 0 : 1;
      let best = Math.min(at(row - 1, column) + 1, at(row, column - 1) + 1, at(row - 1, column - 1) + cost);
      if (row > 1 && column > 1 && a[row - 1] === b[column - 2] && a[row - 2] === b[column - 1]) best = Math.min(best, at(row - 2, column - 2) + 1);
      (table[row] as number[])[column] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The closest candidate within a third of the word's length (at least 2 edits), ties in candidate
 * order; failing that, a candidate the word abbreviates or extends (`timeout` → `timeout_ms`).
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > MAX_WORD_LENGTH) return undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let prefixed: string | undefined;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    if (candidate === word || candidate.length > MAX_WORD_LENGTH) continue;
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
    if (prefixed === undefined && Math.min(lower.length, other.length) >= 4 && (other.startsWith(lower) || lower.startsWith(other))) prefixed = candidate;
  }
  return best ?? prefixed;
}

/** `did you mean "x"? ` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : `did you mean "${match}"? `;
}

/** didYouMean over fixed candidates, for the first MAX_SUGGESTIONS words asked about (one rule run). */
export function createSuggester(candidates: readonly string[]): (word: string) => string {
  let asked = 0;
  return (word) => {
    asked += 1;
    return asked > MAX_SUGGESTIONS ? '' : didYouMean(word, candidates);
  };
}
