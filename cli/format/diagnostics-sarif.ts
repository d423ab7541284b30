/**
 * SARIF 2.1.0 log: one run, `tool.driver.rules` generated from the rule registry, one result per
 * diagnostic. GitHub code scanning and most CI dashboards read it.
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 * @see https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 */
import { RULES } from '../../runtime/lint/registry.js';
import { omittedNote, type FileReport } from './diagnostics-report.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export function renderDiagnosticsSarif(reports: readonly FileReport[], tool: { readonly version: string }): string {
  const ruleIndex = new Map<string, number>(RULES.map((rule, index) => [rule.id, index]));
  const results = reports.flatMap((report) => report.diagnostics.map((diagnostic) => ({
    ruleId: diagnostic.ruleId,
    ...(ruleIndex.has(diagnostic.ruleId) ? { ruleIndex: ruleIndex.get(diagnostic.ruleId) } : {}),
    level: diagnostic.severity,
    message: { text: `${diagnostic.message}. Hint: ${diagnostic.hint}` },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: artifactUri(diagnostic.file) },
        region: { startLine: diagnostic.line, startColumn: diagnostic.column },
      },
    }],
  })));
  const notifications = reports.filter((report) => report.readError !== undefined).map((report) => ({
    level: 'error',
    message: { text: report.readError ?? '' },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(report.file) } } }],
  }));
  // The results stop at the loader's cap: the log says so, as an error when one is among the rest.
  const omissions = reports.flatMap((report) => {
    const note = omittedNote(report);
    return note === undefined ? [] : [{
      level: report.omittedError === true ? 'error' : 'note',
      message: { text: note },
      locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(report.file) } } }],
    }];
  });
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'aigw',
          version: tool.version,
          semanticVersion: tool.version,
          rules: RULES.map((rule) => ({
            id: rule.id,
            name: ruleName(rule.id),
            shortDescription: { text: rule.summary },
            help: { text: rule.hint },
            defaultConfiguration: { level: rule.severity },
          })),
        },
      },
      invocations: [{
        executionSuccessful: notifications.length === 0,
        ...(notifications.length + omissions.length === 0 ? {} : { toolExecutionNotifications: [...notifications, ...omissions] }),
      }],
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** A relative path as a URI reference (forward slashes, percent-encoded); stdin has no path. */
function artifactUri(file: string): string {
  if (file === '<stdin>') return 'stdin';
  // Each segment encoded whole: encodeURI keeps '#' and '?', which a URI reader takes for a fragment or query.
  return file.replace(/\\/g, '/').split('/').map((segment) => encodeURIComponent(segment)).join('/');
}

/** `route/weights-all-zero` → `RouteWeightsAllZero` (SARIF's readable rule name). */
function ruleName(id: string): string {
  return id.split(/[/-]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
