/**
 * Colours for human output, decided by the caller from `io.color` (TTY, NO_COLOR, FORCE_COLOR) — never
 * from kleur's own look at the global process.stdout.
 */
import kleur from 'kleur';

export interface Palette {
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly green: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

const plain = (text: string): string => text;
const PLAIN: Palette = { red: plain, yellow: plain, green: plain, cyan: plain, dim: plain, bold: plain };

export function palette(color: boolean): Palette {
  if (!color) return PLAIN;
  // kleur guessed at import time from process.stdout; the run's Io has decided, so let kleur paint.
  kleur.enabled = true;
  return {
    red: (text) => kleur.red(text),
    yellow: (text) => kleur.yellow(text),
    green: (text) => kleur.green(text),
    cyan: (text) => kleur.cyan(text),
    dim: (text) => kleur.dim(text),
    bold: (text) => kleur.bold(text),
  };
}
