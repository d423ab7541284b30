/**
 * `aigw dry-run` for people: the matched route and why, the plan table (probability of being tried
 * first, latency budget, prefill), then each candidate's native HTTP request (URL, headers with
 * secrets masked, body). Colour only when the run's Io says so.
 */
import type { AigwError } from '../../runtime/errors.js';
import type { ChatCompletionRequest } from '../../runtime/openai/wire.js';
import type { ExplainedCandidate, Explanation } from '../../runtime/routing/explain-plan.js';
import { palette, type Palette } from './diagnostics-palette.js';
import { bodyValue } from './dry-run-json.js';

function percent(probability: number): string {
  return `${(probability * 100).toFixed(1)}%`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}

function renderCandidate(candidate: ExplainedCandidate, paint: Palette): string[] {
  const lines = ['', paint.bold(`[${candidate.position}] ${candidate.provider}/${candidate.model}`) + paint.dim(` (${candidate.providerType})`)];
  if (candidate.buildError !== undefined) {
    const { error } = candidate.buildError.envelope;
    lines.push(paint.red(`not buildable: ${candidate.buildError.status} ${error.code ?? error.type}: ${error.message}`));
    lines.push(paint.dim('the engine skips this candidate; if none can build the request, the client gets this 400'));
    return lines;
  }
  const request = candidate.request;
  if (request === undefined) return lines;
  if (candidate.missingCredential !== undefined) {
    lines.push(paint.yellow(`credential ${candidate.missingCredential} is not set: serve skips this target (auth_error)`));
  }
  for (const dropped of candidate.dropped) lines.push(paint.yellow(`dropped ${dropped.param}: ${dropped.reason}`));
  lines.push(`${paint.cyan(request.method)} ${request.url}`);
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${paint.dim(`${name}:`)} ${value}`);
  const body = bodyValue(request.body);
  lines.push('', typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return lines;
}

export function renderDryRunText(request: ChatCompletionRequest, explanation: Explanation, options: { color: boolean }): string {
  const paint = palette(options.color);
  const stream = request.stream === true ? ' (stream)' : '';
  if (!explanation.matched) {
    const { error } = explanation.error.toEnvelope();
    return `${paint.red(`no route matches model ${JSON.stringify(request.model)}`)}${stream}\n`
      + `the client gets ${explanation.error.status} ${error.code}: ${error.message}\n`;
  }
  const { route } = explanation;
  const retry = route.retry;
  const lines = [
    `${paint.bold('Route')} ${route.name}${stream}: ${explanation.reason}`,
    paint.dim(`timeout ${route.timeoutMs} ms · failover on ${route.failoverOn.join(', ') || 'nothing'} (and auth_error) · `
      + `retry ${retry.attempts} × ${retry.backoffMs} ms jittered (Retry-After up to ${retry.maxRetryAfterMs} ms) · `
      + `stream failover ${route.streamFailover}, idle ${route.streamIdleTimeoutMs} ms · drop_params ${String(route.dropParams)}`),
    '',
    `${paint.bold('Plan')}: one target is tried first with probability weight/sum, then the other targets in file order, then the fallback.`,
    ...table([
      ['#', 'role', 'provider/model', 'weight', 'first', 'max latency', 'prefill'],
      ...explanation.candidates.map((candidate) => [
        String(candidate.position),
        candidate.role,
        `${candidate.provider}/${candidate.model}`,
        candidate.role === 'fallback' ? '-' : String(candidate.weight),
        percent(candidate.firstProbability),
        candidate.maxLatencyMs === undefined ? '-' : `${candidate.maxLatencyMs} ms`,
        candidate.prefill ? 'yes' : 'no',
      ]),
    ]).map((line) => `  ${line}`),
    ...explanation.candidates.flatMap((candidate) => renderCandidate(candidate, paint)),
  ];
  return `${lines.join('\n')}\n`;
}

/** A request serve refuses before routing (its request-body check): the 400 the client gets. */
export function renderDryRunRefusedText(request: ChatCompletionRequest, error: AigwError, options: { color: boolean }): string {
  const paint = palette(options.color);
  const { error: body } = error.toEnvelope();
  return `${paint.red(`the gateway refuses this request before routing (model ${JSON.stringify(request.model)})`)}\n`
    + `the client gets ${error.status} ${body.code ?? body.type}: ${body.message}${body.param === null ? '' : ` (param: ${body.param})`}\n`;
}
