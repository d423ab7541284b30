/**
 * The one loader (style §A.2): bytes → decode → YAML → schema → interpolation → normalize → lint.
 * `aigw validate`, `serve`, `simulate`, `dry-run`, `diff` and `POST /admin/reload` all call this,
 * so they report the same diagnostics at the same positions. Pure: no I/O, the environment is a
 * parameter. Never throws on any input (a test feeds it hostile files).
 */
import { hasErrors, sortDiagnostics, type Diagnostic } from '../lint/diagnostic.js';
import { lintManifest } from '../lint/lint-manifest.js';
import { makeDiagnostic } from '../lint/make-diagnostic.js';
import type { ManifestDocument } from './document.js';
import { environmentValueHider, hideInDiagnostics } from './hide-environment-values.js';
import { interpolateDocument } from './interpolate.js';
import { normalizeManifest } from './normalize.js';
import { parseYaml } from './parse-yaml.js';
import { createPositionIndex } from './positions.js';
import { decodeSource, MAX_MANIFEST_BYTES } from './read-source.js';
import type { Manifest } from './types.js';
import { validateSchema } from './validate-schema.js';

/** More findings than this per file are cut (a generated or hostile file can produce thousands). */
export const MAX_DIAGNOSTICS = 200;

export interface ManifestSourceText {
  readonly text: string | Uint8Array;
  /** Shown in diagnostics: a path as the user gave it, or `<stdin>`. */
  readonly file: string;
}

export interface LoadManifestOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A missing ${VAR} is a warning (CI jobs without secrets); the reference stays unresolved. */
  readonly allowMissingEnv?: boolean;
  /** Size limit in bytes (default 1 MiB). */
  readonly maxBytes?: number;
}

export interface LoadManifestResult {
  /** Present if and only if no diagnostic is an error. */
  readonly manifest?: Manifest;
  /** Sorted by line and column; at most MAX_DIAGNOSTICS, errors kept before warnings. */
  readonly diagnostics: readonly Diagnostic[];
  /** The parsed, un-interpolated document (for manifestVersion), when the YAML parsed. */
  readonly document?: unknown;
  /** How many diagnostics were cut beyond MAX_DIAGNOSTICS. */
  readonly omitted?: number;
}

export function loadManifest(source: ManifestSourceText, options: LoadManifestOptions): LoadManifestResult {
  const { file } = source;
  const decoded = decodeSource(source.text, options.maxBytes ?? MAX_MANIFEST_BYTES);
  if (!decoded.ok) {
    const ruleId = decoded.problem === 'too-large' ? 'yaml/too-large' : 'yaml/not-utf8';
    return { diagnostics: [makeDiagnostic(ruleId, file, decoded.position, decoded.message)] };
  }
  const parsed = parseYaml(decoded.text, file);
  if (parsed.value === undefined) return finish(parsed.diagnostics);
  const document = parsed.value;
  const schemaDiagnostics = validateSchema(document, parsed.positions, file);
  if (schemaDiagnostics.length > 0) return finish(schemaDiagnostics, document);

  // The schema accepted it, so it has the document's shape.
  const written = document as ManifestDocument;
  const interpolated = interpolateDocument(written, parsed.positions, file, options);
  const manifest = normalizeManifest(interpolated.document, options.env);
  const lint = lintManifest({ document: written, resolved: interpolated.document, manifest, positions: parsed.positions }, file);
  // Rules check interpolated values; their messages show each `${VAR}` as written, never its value.
  const findings = hideInDiagnostics([...interpolated.diagnostics, ...lint], environmentValueHider([document], options.env));
  // An error among the interpolation findings that were only counted still withholds the manifest.
  return finish(findings, document, interpolated.omittedError ? undefined : manifest, interpolated.omitted);
}

/**
 * The manifest of a document `loadManifest` accepted with these options, without checking it again:
 * for a caller whose load ran on a worker thread (the manifest holds secrets, which do not cross
 * threads; the document does). Interpolation reports only through diagnostics it builds lazily,
 * and an accepted document has none, so no positions are needed.
 */
export function materializeManifest(document: unknown, options: LoadManifestOptions): Manifest {
  const interpolated = interpolateDocument(document as ManifestDocument, NO_POSITIONS, '', options);
  return normalizeManifest(interpolated.document, options.env);
}

const NO_POSITIONS = createPositionIndex('', new Map());

function finish(diagnostics: readonly Diagnostic[], document?: unknown, manifest?: Manifest, alreadyOmitted = 0): LoadManifestResult {
  const sorted = sortDiagnostics(diagnostics);
  // Errors are kept before warnings: 200 warnings must not push the one error out of sight.
  const kept = sorted.length <= MAX_DIAGNOSTICS ? sorted : sortDiagnostics([
    ...sorted.filter((diagnostic) => diagnostic.severity === 'error'),
    ...sorted.filter((diagnostic) => diagnostic.severity !== 'error'),
  ].slice(0, MAX_DIAGNOSTICS));
  const omitted = sorted.length - kept.length + alreadyOmitted;
  return {
    ...(manifest === undefined || hasErrors(sorted) ? {} : { manifest }),
    diagnostics: kept,
    ...(document === undefined ? {} : { document }),
    ...(omitted > 0 ? { omitted } : {}),
  };
}
