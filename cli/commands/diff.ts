/**
 * `aigw diff OLD NEW`: the semantic ChangeSet between two manifests, rendered as text or JSON.
 * Exit 0 (1 with --exit-code when something changed), 2 when either side cannot be read or loaded.
 * Environment references are compared as written, so no secret needs to be set to diff.
 */
import { manifestVersion } from '../../runtime/manifest/canonical.js';
import { computeChangeSet } from '../../runtime/manifest/changeset.js';
import type { Manifest } from '../../runtime/manifest/types.js';
import { renderChangeSetText } from '../format/changeset-text.js';
import { renderDiagnosticsJson } from '../format/diagnostics-json.js';
import { manifestReport, type FileReport } from '../format/diagnostics-report.js';
import { renderDiagnosticsText } from '../format/diagnostics-text.js';
import { ExitCode, type Io } from '../io.js';
import { loadManifestSource, openManifestSource, specFromArgument, type ManifestSource, type ManifestSourceSpec } from '../manifest-source.js';
import { UsageError } from '../usage-error.js';

export const CHANGESET_JSON_VERSION = 1;

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  const format = options['format'] ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${String(format)}`);
  const [before, after] = sourceSpecs(args, options);
  const old = openManifestSource(before, io);
  const next = openManifestSource(after, io);

  const oldSide = await loadSide(old, io);
  const newSide = await loadSide(next, io);
  if ('report' in oldSide || 'report' in newSide) {
    const failed = [oldSide, newSide].filter((side): side is InvalidSide => 'report' in side);
    if (format === 'json') {
      io.stdout.write(renderDiagnosticsJson(failed.map((side) => side.report)));
    } else {
      for (const side of failed) {
        io.stderr.write(`aigw: ${side.report.file} is not a valid manifest:\n`);
        io.stderr.write(renderDiagnosticsText([side.report], { color: io.stderrColor }));
      }
    }
    return ExitCode.Usage;
  }

  // Equal versions are the same document (a gateway's version is computed from its unmasked manifest),
  // so a literal secret the gateway masks as **** is not a change.
  const changes = oldSide.version === newSide.version
    ? computeChangeSet(newSide.manifest, newSide.manifest)
    : computeChangeSet(oldSide.manifest, newSide.manifest);
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({
      version: CHANGESET_JSON_VERSION,
      before: { source: old.label, manifestVersion: oldSide.version },
      after: { source: next.label, manifestVersion: newSide.version },
      ...changes,
    }, null, 2)}\n`);
  } else {
    io.stdout.write(renderChangeSetText(changes, { color: io.color, before: old.label, after: next.label }));
  }
  return changes.changed && options['exitCode'] === true ? ExitCode.Findings : ExitCode.Ok;
}

/** OLD and NEW from the arguments; --gateway makes the live config the old side (admin plane). */
function sourceSpecs(args: readonly string[], options: Readonly<Record<string, unknown>>): [ManifestSourceSpec, ManifestSourceSpec] {
  const gateway = options['gateway'];
  if (typeof gateway === 'string') {
    if (args.length !== 1) throw new UsageError('with --gateway, diff takes one manifest: the new one');
    const keyId = typeof options['keyId'] === 'string' ? { keyId: options['keyId'] } : {};
    const keyFile = typeof options['keyFile'] === 'string' ? { keyFile: options['keyFile'] } : {};
    return [{ kind: 'gateway', url: gateway, ...keyId, ...keyFile }, specFromArgument(args[0] ?? '')];
  }
  if (args.length !== 2) throw new UsageError('diff needs two manifests: OLD NEW (either may be - for stdin)');
  if (args[0] === '-' && args[1] === '-') throw new UsageError('stdin (-) can be read only once');
  return [specFromArgument(args[0] ?? ''), specFromArgument(args[1] ?? '')];
}

interface InvalidSide { readonly report: FileReport }

/** A loaded side, or its errors (reported by the caller, in the chosen format). */
async function loadSide(source: ManifestSource, io: Io): Promise<{ manifest: Manifest; version: string } | InvalidSide> {
  const result = await loadManifestSource(source, io, { allowMissingEnv: true });
  if (result.manifest === undefined || result.document === undefined) return { report: manifestReport(source.label, result) };
  return { manifest: result.manifest, version: result.liveVersion ?? manifestVersion(result.document) };
}
