/**
 * What apply, rollback and status report per gateway, and how those outcomes become an exit code
 * (design §7): 0 all good, 1 a gateway rejected (or drift, for status), 2 a gateway unreachable.
 */
import type { Diagnostic } from '../runtime/lint/diagnostic.js';
import { isRecord, type AdminResponse } from './admin-client.js';
import { renderDiagnosticsText } from './format/diagnostics-text.js';
import { ExitCode, type Io } from './io.js';
import { UsageError } from './usage-error.js';

export type GatewayOutcome =
  | { readonly gateway: string; readonly result: 'planned'; readonly liveVersion: string; readonly version: string }
  | { readonly gateway: string; readonly result: 'applied'; readonly previousVersion: string; readonly version: string }
  /** Already on the version through the shared store (another gateway's reload reached it). */
  | { readonly gateway: string; readonly result: 'synced' | 'unchanged'; readonly version: string; readonly message?: string }
  /** `diagnostics`: a 422's, as `aigw validate --format json` gives them (in JSON output). */
  | { readonly gateway: string; readonly result: 'rejected'; readonly status: number; readonly message: string; readonly diagnostics?: readonly Diagnostic[] }
  | { readonly gateway: string; readonly result: 'unreachable'; readonly message: string };

export function exitCodeOf(outcomes: readonly GatewayOutcome[]): ExitCode {
  if (outcomes.some((outcome) => outcome.result === 'unreachable')) return ExitCode.Usage;
  if (outcomes.some((outcome) => outcome.result === 'rejected')) return ExitCode.Findings;
  return ExitCode.Ok;
}

export function parseFormat(value: unknown): 'text' | 'json' {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw new UsageError(`--format must be text or json, not ${String(value)}`);
}

/**
 * A 422's diagnostics (it carries validate's JSON document), or undefined. The gateway builds them
 * with the shared loader, but they crossed the network: only what has the Diagnostic shape is kept,
 * so an odd body (another version, a proxy) gives fewer, never a crash.
 */
export function validationDiagnostics(response: AdminResponse): Diagnostic[] | undefined {
  const validation = isRecord(response.body) ? response.body['validation'] : undefined;
  if (!isRecord(validation) || !Array.isArray(validation['diagnostics'])) return undefined;
  const diagnostics = validation['diagnostics'].filter(isDiagnostic);
  return diagnostics.length === 0 ? undefined : diagnostics;
}

/** A 422's diagnostics printed as `aigw validate` would. */
export function renderValidation(response: AdminResponse, io: Io): void {
  const diagnostics = validationDiagnostics(response);
  if (diagnostics === undefined) return;
  const file = diagnostics[0]?.file ?? '<gateway>';
  io.stderr.write(renderDiagnosticsText([{ file, diagnostics }], { color: io.stderrColor }));
}

function isDiagnostic(value: unknown): value is Diagnostic {
  if (!isRecord(value)) return false;
  const { ruleId, severity, message, file, line, column, hint } = value;
  return typeof ruleId === 'string' && (severity === 'error' || severity === 'warning') && typeof message === 'string'
    && typeof file === 'string' && typeof line === 'number' && typeof column === 'number' && typeof hint === 'string';
}
