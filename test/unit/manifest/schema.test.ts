/** schemas/routes.schema.json is usable by editors: closed objects, a description everywhere, the seed as its example. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/routes.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

type Visit = (node: Record<string, unknown>, path: string) => void;

function walk(node: unknown, path: string, visit: Visit): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => walk(item, `${path}/${index}`, visit));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  visit(record, path);
  for (const [key, value] of Object.entries(record)) {
    if (key !== 'examples') walk(value, `${path}/${key}`, visit);
  }
}

test('every declared property has a description', () => {
  const missing: string[] = [];
  let checked = 0;
  walk(schema, '', (node, path) => {
    const properties = node['properties'];
    if (typeof properties !== 'object' || properties === null || path.endsWith('/examples')) return;
    for (const [name, property] of Object.entries(properties as Record<string, Record<string, unknown>>)) {
      checked += 1;
      if (typeof property['description'] !== 'string' || property['description'] === '') missing.push(`${path}/properties/${name}`);
    }
  });
  assert.ok(checked > 50, `the walk reached only ${checked} properties`);
  assert.deepEqual(missing, []);
});

test('every object schema is closed, except the free-form provider defaults', () => {
  const open: string[] = [];
  walk(schema, '', (node, path) => {
    if (node['type'] !== 'object' || path.endsWith('/properties/defaults')) return;
    // A map whose values have their own schema (providers) is closed by that schema.
    const additional = node['additionalProperties'];
    const closedByDiscriminator = node['discriminator'] !== undefined;
    if (additional !== false && typeof additional !== 'object' && !closedByDiscriminator) open.push(path);
  });
  assert.deepEqual(open, []);
  const defaults = ((schema['$defs'] as Record<string, Record<string, Record<string, Record<string, unknown>>>>)['provider']?.['properties']?.['defaults']);
  assert.equal(defaults?.['additionalProperties'], undefined, 'defaults stay free-form (native fields)');
});

test('the design §2 seed is the schema example, verbatim', () => {
  const seed = parse(readFileSync(new URL('../../manifests/good/001-seed.yaml', import.meta.url), 'utf8')) as unknown;
  assert.deepEqual((schema['examples'] as unknown[])[0], seed);
});
