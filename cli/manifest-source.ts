/**
 * Where a command's manifest comes from: a file, stdin (`-`), or a running gateway. Commands
 * ask for a ManifestSource and read it; they never open files themselves, so a new kind of source
 * (the admin plane's live config) plugs in here without touching validate or diff.
 *
 * Extension point: add a variant to `ManifestSourceSpec`, a case to `openManifestSource`, and map a
 * CLI flag to it (diff's `--gateway URL` maps to `{ kind: 'gateway' }`, read by cli/gateway-source.ts).
 */
import { resolve } from 'node:path';
import { readBoundedStream, readManifestFile, MAX_MANIFEST_BYTES } from '../runtime/manifest/read-source.js';
import { loadManifest, type LoadManifestResult, type ManifestSourceText } from '../runtime/manifest/load-manifest.js';
import { describeIoError } from './describe-io-error.js';
import type { Io } from './io.js';
import { InputError, UsageError } from './usage-error.js';

export type ManifestSourceSpec =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' }
  /** Key id and file default to AIGW_ADMIN_KEY_ID / AIGW_ADMIN_KEY_FILE (cli/gateway-source.ts). */
  | { readonly kind: 'gateway'; readonly url: string; readonly keyId?: string; readonly keyFile?: string };

export interface ManifestSource {
  /** How diagnostics and diffs name it: the path as given, `<stdin>`, or the gateway URL. */
  readonly label: string;
  /** The manifest text, at most the size limit plus one byte; I/O failures are InputErrors (exit 2). */
  read(): Promise<SourceText>;
}

/** A source's text; a gateway also says which version it runs (computed there, from the unmasked document). */
export interface SourceText extends ManifestSourceText {
  readonly liveVersion?: string;
  /** A size limit other than a manifest file's 1 MiB (a gateway's live document, re-printed). */
  readonly maxBytes?: number;
}

export const STDIN_LABEL = '<stdin>';

/** A positional argument: `-` is stdin, anything else a file path (relative to io.cwd). */
export function specFromArgument(argument: string): ManifestSourceSpec {
  return argument === '-' ? { kind: 'stdin' } : { kind: 'file', path: argument };
}

export function openManifestSource(spec: ManifestSourceSpec, io: Io): ManifestSource {
  switch (spec.kind) {
    case 'file':
      return {
        label: spec.path,
        read: async () => {
          try {
            return { text: await readManifestFile(resolve(io.cwd, spec.path), MAX_MANIFEST_BYTES), file: spec.path };
          } catch (error) {
            throw new InputError(`cannot read ${spec.path}: ${describeIoError(error)}`, { cause: error });
          }
        },
      };
    case 'stdin':
      return {
        label: STDIN_LABEL,
        read: async () => {
          try {
            // Io stops reading after the limit plus one byte, so the loader can still say yaml/too-large.
            const bytes = await io.readStdin(MAX_MANIFEST_BYTES);
            return { text: await readBoundedStream([bytes], MAX_MANIFEST_BYTES), file: STDIN_LABEL };
          } catch (error) {
            throw new InputError(`cannot read standard input: ${describeIoError(error)}`, { cause: error });
          }
        },
      };
    case 'gateway':
      // The live manifest through signed GET /admin/config; undici loads only when it is read.
      return {
        label: spec.url,
        read: async () => (await import('./gateway-source.js')).readGatewayManifest(spec, io),
      };
    default: {
      const unknown: never = spec;
      throw new UsageError(`unknown manifest source ${JSON.stringify(unknown)}`);
    }
  }
}

/** Reads and loads one source; I/O problems throw InputError, manifest problems are diagnostics. */
export async function loadManifestSource(source: ManifestSource, io: Io, options: { allowMissingEnv?: boolean } = {}): Promise<LoadManifestResult & { liveVersion?: string }> {
  const text = await source.read();
  const result = loadManifest(text, { env: io.env, allowMissingEnv: options.allowMissingEnv === true, ...(text.maxBytes === undefined ? {} : { maxBytes: text.maxBytes }) });
  return text.liveVersion === undefined ? result : { ...result, liveVersion: text.liveVersion };
}
