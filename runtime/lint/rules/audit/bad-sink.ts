/**
 * audit/bad-sink: an Elasticsearch sink the gateway could not open — a url that is not an absolute
 * http(s) URL, or an index name Elasticsearch refuses — checked on the interpolated values. Without
 * it `validate` and a signed reload accepted a manifest that then stopped `serve` at its next start.
 */
import { pointerOf } from '../../../manifest/positions.js';
import type { Finding, LintRule } from '../../rule.js';
import { isUnresolvedReference } from '../../walk.js';

/**
 * Elasticsearch's index name rules: lower case, not `.` or `..`, not starting with -, _ or +, none of
 * \ / * ? " < > | , # : or a space, at most 255 bytes.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/indices-create-index.html#indices-create-api-path-params
 */
function indexProblem(index: string): string | undefined {
  if (index !== index.toLowerCase()) return 'has upper-case letters';
  if (index === '.' || index === '..') return 'is . or ..';
  if (/^[-_+]/.test(index)) return 'starts with -, _ or +';
  if (/[\\/*?"<>|,#: ]/.test(index)) return 'contains one of \\ / * ? " < > | , # : or a space';
  if (Buffer.byteLength(index) > 255) return 'is longer than 255 bytes';
  return undefined;
}

function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : `has scheme ${parsed.protocol} (http or https expected)`;
}

export const auditBadSinkRule: LintRule = {
  id: 'audit/bad-sink',
  check({ resolved }) {
    const findings: Finding[] = [];
    for (const [index, sink] of (resolved.audit?.sinks ?? []).entries()) {
      if (sink.type !== 'elasticsearch') continue;
      const url = isUnresolvedReference(sink.url) ? undefined : urlProblem(sink.url);
      // The URL may hold credentials: only its problem is named, never the URL.
      if (url !== undefined) findings.push({ pointer: pointerOf('audit', 'sinks', index, 'url'), message: `the url of Elasticsearch sink ${index + 1} ${url}` });
      const name = isUnresolvedReference(sink.index) ? undefined : indexProblem(sink.index);
      if (name !== undefined) findings.push({ pointer: pointerOf('audit', 'sinks', index, 'index'), message: `index name ${JSON.stringify(sink.index)} of Elasticsearch sink ${index + 1} ${name}` });
    }
    return findings;
  },
};
