/**
 * deploy/kubernetes: every manifest validates against the Kubernetes schemas (kubernetes-models),
 * every field is one the schema knows (typos would be dropped silently by the API server), the
 * kustomization lists exactly the files present, and ports, probe paths, env names and the drain
 * budget agree with the runtime's settings table (runtime/server/settings.ts) and its own bounds
 * (the shutdown steps after the drain, the audit writer's disk caps).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { startupWarnings } from '../../../runtime/server/startup-warnings.js';
import { PROVIDER_DEFAULTS } from '../../../runtime/adapters/provider-defaults.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { SETTINGS } from '../../../runtime/server/settings.js';
import { measureShutdownMs } from './shutdown-budget.js';
import { AUDIT_WRITER_DEFAULTS } from '../../../runtime/audit/audit-writer.js';
import { JSONL_DEFAULTS } from '../../../runtime/audit/sinks/jsonl-sink.js';
import type { AuditSinkConfig, Manifest } from '../../../runtime/manifest/types.js';

const directory = join(dirname(fileURLToPath(import.meta.url)), '../../../deploy/kubernetes');

type Json = Record<string, unknown>;
type Validator = (data: Json) => void;

/** apiVersion/kind → the kubernetes-models class that validates it. */
const MODELS: Readonly<Record<string, Validator>> = {
  'v1/Namespace': (data) => new Namespace(data as never).validate(),
  'v1/ConfigMap': (data) => new ConfigMap(data as never).validate(),
  'v1/Service': (data) => new Service(data as never).validate(),
  'apps/v1/Deployment': (data) => new Deployment(data as never).validate(),
  'autoscaling/v2/HorizontalPodAutoscaler': (data) => new HorizontalPodAutoscaler(data as never).validate(),
  'policy/v1/PodDisruptionBudget': (data) => new PodDisruptionBudget(data as never).validate(),
};

function readDocuments(file: string): Json[] {
  return parseAllDocuments(readFileSync(join(directory, file), 'utf8')).map((document) => {
    assert.equal(document.errors.length, 0, `${file}: ${document.errors.map(String).join('; ')}`);
    return document.toJS() as Json;
  });
}

const files = readdirSync(directory).filter((file) => file.endsWith('.yaml')).sort();
const resources = files.filter((file) => file !== 'kustomization.yaml').flatMap((file) => readDocuments(file).map((data) => ({ file, data })));

function find(kind: string, name?: string): Json {
  const found = resources.find(({ data }) => data['kind'] === kind && (name === undefined || (data['metadata'] as Json)['name'] === name));
  assert.ok(found, `no ${kind} ${name ?? ''}`);
  return found.data;
}

function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const step of path) current = (current as Record<string | number, unknown> | undefined)?.[step];
  return current;
}

/**
 * The kubernetes-models validators ignore fields they do not know. A field is known when putting a
 * value of no JSON type (a Symbol) there makes validation fail; one that still passes is a typo.
 */
function unknownFields(validate: Validator, data: Json): string[] {
  const unknown: string[] = [];
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        const probe = structuredClone(data);
        const parent = at(probe, ...path) as Record<string, unknown>;
        parent[key] = Symbol('not json');
        try {
          validate(probe);
          unknown.push([...path, key].join('.'));
        } catch {
          visit(child, [...path, key]);
        }
      }
    }
  };
  visit(data, []);
  return unknown;
}

test('every manifest validates against its Kubernetes schema and uses only known fields', () => {
  assert.ok(resources.length >= 7);
  for (const { file, data } of resources) {
    const validate = MODELS[`${String(data['apiVersion'])}/${String(data['kind'])}`];
    assert.ok(validate, `${file}: no schema for ${String(data['apiVersion'])} ${String(data['kind'])}`);
    assert.doesNotThrow(() => validate(data), `${file} fails its schema`);
    assert.deepEqual(unknownFields(validate, data), [], `${file} has fields the schema does not know`);
  }
});

test('the unknown-field check catches a typo (it is not vacuous)', () => {
  const deployment = structuredClone(find('Deployment'));
  const container = at(deployment, 'spec', 'template', 'spec', 'containers', 0) as Json;
  container['readinesProbe'] = container['readinessProbe'];
  assert.deepEqual(unknownFields(MODELS['apps/v1/Deployment'] as Validator, deployment), ['spec.template.spec.containers.0.readinesProbe']);
});

test('kustomization.yaml lists exactly the manifests in the folder and names the container image', () => {
  const [kustomization] = readDocuments('kustomization.yaml');
  assert.equal(kustomization?.['apiVersion'], 'kustomize.config.k8s.io/v1beta1');
  assert.equal(kustomization?.['kind'], 'Kustomization');
  assert.deepEqual([...(kustomization?.['resources'] as string[])].sort(), files.filter((file) => file !== 'kustomization.yaml'));
  const image = String(at(find('Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'image')).split(':')[0];
  assert.deepEqual((kustomization?.['images'] as Json[]).map((entry) => entry['name']), [image]);
});

const settingByEnv = new Map(SETTINGS.map((spec) => [spec.env, spec]));
const container = () => at(find('Deployment'), 'spec', 'template', 'spec', 'containers', 0) as Json;
const env = () => new Map((container()['env'] as Json[]).map((entry) => [String(entry['name']), entry]));

/** The ConfigMap's manifest as the pods load it without any Secret (every provider key missing). */
function shippedManifest(): Manifest {
  const manifestPath = (container()['args'] as string[])[0] ?? '';
  const text = at(find('ConfigMap'), 'data', manifestPath.split('/').pop() ?? '');
  const loaded = loadManifest({ text: String(text), file: 'configmap routes.yaml' }, { env: {} });
  assert.ok(loaded.manifest, JSON.stringify(loaded.diagnostics));
  return loaded.manifest;
}

test('every AIGW_* variable of the Deployment is a runtime setting, and the ports are the settings\' defaults', () => {
  for (const name of env().keys()) if (name.startsWith('AIGW_')) assert.ok(settingByEnv.has(name), `${name} is not in runtime/server/settings.ts`);
  const ports = new Map((container()['ports'] as Json[]).map((port) => [port['name'], port['containerPort']]));
  assert.equal(ports.get('http'), settingByEnv.get('AIGW_PORT')?.defaultValue);
  assert.equal(ports.get('admin'), settingByEnv.get('AIGW_ADMIN_PORT')?.defaultValue);
  assert.equal(env().get('AIGW_PORT')?.['value'], String(ports.get('http')));
  assert.equal(env().get('AIGW_ADMIN_PORT')?.['value'], String(ports.get('admin')));
  // Containers listen on every interface; the settings default (127.0.0.1) would be unreachable.
  assert.equal(env().get('AIGW_HOST')?.['value'], '0.0.0.0');
  assert.equal(env().get('AIGW_ADMIN_HOST')?.['value'], '0.0.0.0');
  assert.equal(env().get('AIGW_WATCH')?.['value'], 'true');
});

test('probes: readiness on /readyz and liveness on /healthz, on the http port', () => {
  assert.deepEqual(at(container(), 'readinessProbe', 'httpGet'), { path: '/readyz', port: 'http' });
  assert.deepEqual(at(container(), 'livenessProbe', 'httpGet'), { path: '/healthz', port: 'http' });
});

/** Closing Redis and the admin plane and exiting, after the audit flush: not bounded by a timer of its own. */
const STORES_CLOSE_MARGIN_MS = 5_000;

test('termination grace outlasts preStop, the drain and everything the gateway does after it, so no audit record is SIGKILLed', async () => {
  // Kubernetes counts the grace period from the start of preStop, and SIGKILLs at its end.
  const preStop = at(container(), 'lifecycle', 'preStop', 'exec', 'command') as string[];
  assert.equal(preStop[0], 'sleep');
  const preStopMs = Number(preStop[1]) * 1000;
  const drainMs = Number(env().get('AIGW_DRAIN_TIMEOUT_MS')?.['value'] ?? settingByEnv.get('AIGW_DRAIN_TIMEOUT_MS')?.defaultValue);
  const shutdownMs = await measureShutdownMs(drainMs);
  assert.ok(shutdownMs > drainMs, `the shutdown budget ${shutdownMs} ms includes the drain ${drainMs} ms`);
  const graceMs = Number(at(find('Deployment'), 'spec', 'template', 'spec', 'terminationGracePeriodSeconds')) * 1000;
  const neededMs = preStopMs + shutdownMs + STORES_CLOSE_MARGIN_MS;
  assert.ok(graceMs >= neededMs, `grace ${graceMs} ms < preStop ${preStopMs} + shutdown ${shutdownMs} (drain, its aftermath, audit close) + ${STORES_CLOSE_MARGIN_MS} ms`);
});

test('the ConfigMap is mounted as a directory (no subPath) where the manifest argument points, and it validates', () => {
  const deployment = find('Deployment');
  const volume = (at(deployment, 'spec', 'template', 'spec', 'volumes') as Json[]).find((entry) => entry['configMap'] !== undefined);
  const configMapName = at(volume, 'configMap', 'name');
  const mount = (container()['volumeMounts'] as Json[]).find((entry) => entry['name'] === volume?.['name']);
  assert.equal(mount?.['subPath'], undefined, 'a subPath mount never sees ConfigMap updates');
  const manifestPath = (container()['args'] as string[])[0] ?? '';
  assert.equal(dirname(manifestPath), mount?.['mountPath']);
  const configMap = find('ConfigMap', String(configMapName));
  const text = at(configMap, 'data', manifestPath.split('/').pop() ?? '');
  assert.equal(typeof text, 'string');
  const loaded = loadManifest({ text: String(text), file: 'configmap routes.yaml' }, { env: {}, allowMissingEnv: true });
  assert.ok(loaded.manifest, JSON.stringify(loaded.diagnostics));
  // The provider-key Secret is optional: without any key the manifest must still load (targets fail over), never stop the pods.
  const withoutKeys = loadManifest({ text: String(text), file: 'configmap routes.yaml' }, { env: {} });
  assert.ok(withoutKeys.manifest, JSON.stringify(withoutKeys.diagnostics));
  // Shipped closed: a Service any pod can reach must not start as an open gateway.
  assert.ok((withoutKeys.manifest.credentials?.length ?? 0) > 0, 'the shipped manifest has credentials');
  assert.deepEqual(startupWarnings(withoutKeys.manifest, false).filter((warning) => warning.startsWith('OPEN GATEWAY')), []);
});

/** A Kubernetes quantity in bytes (the binary and decimal suffixes a sizeLimit takes). */
function bytesOf(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  assert.ok(match, `not a byte quantity: ${quantity}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

/** The most the audit writer keeps on disk for one sink: its files, its spool and its dead-letter file (each capped at spoolMaxBytes). */
function auditDiskBound(sink: AuditSinkConfig): number {
  const queued = 2 * AUDIT_WRITER_DEFAULTS.spoolMaxBytes;
  if (sink.type !== 'jsonl') return queued;
  return (sink.maxBytes ?? JSONL_DEFAULTS.maxBytes) * ((sink.maxFiles ?? JSONL_DEFAULTS.maxFiles) + 1) + queued;
}

test('the audit volume holds what the audit writer may keep there, with an Elasticsearch sink added too, before the kubelet evicts at its sizeLimit', () => {
  // Over an emptyDir's sizeLimit the kubelet evicts the pod at once (no drain), and the volume, spool included, is deleted.
  const auditDirectory = dirname(String(env().get('AIGW_AUDIT_FILE')?.['value']));
  const mount = (container()['volumeMounts'] as Json[]).find((entry) => entry['mountPath'] === auditDirectory);
  assert.ok(mount, `no volume mounted at the audit directory ${auditDirectory}`);
  const volume = (at(find('Deployment'), 'spec', 'template', 'spec', 'volumes') as Json[]).find((entry) => entry['name'] === mount['name']);
  const sizeLimit = at(volume, 'emptyDir', 'sizeLimit');
  assert.notEqual(sizeLimit, undefined, 'an unbounded emptyDir can fill the node');
  const manifest = shippedManifest();
  // No sinks in the manifest = the JSONL file of AIGW_AUDIT_FILE; README "Audit trail" shows adding Elasticsearch.
  const sinks: AuditSinkConfig[] = manifest.audit.sinks.length > 0 ? [...manifest.audit.sinks] : [{ type: 'jsonl', path: 'audit.jsonl' }];
  sinks.push({ type: 'elasticsearch', url: 'https://es.internal:9200', index: 'aigw-audit' });
  const needed = sinks.reduce((sum, sink) => sum + auditDiskBound(sink), 0);
  assert.ok(bytesOf(String(sizeLimit)) >= needed, `sizeLimit ${String(sizeLimit)} < ${(needed / 2 ** 30).toFixed(2)} GiB the audit writer may keep`);
});

test('every provider the shipped manifest routes to is reachable from the pod (no loopback base URL)', () => {
  const manifest = shippedManifest();
  for (const route of manifest.routes) {
    for (const target of [...route.targets, ...(route.fallback === undefined ? [] : [route.fallback])]) {
      const baseUrl = manifest.providers.get(target.provider)?.baseUrl ?? '';
      assert.doesNotMatch(new URL(baseUrl).hostname, /^(localhost|127\.|\[::1\]$|::1$)/, `${route.name} → ${target.provider}/${target.model} at ${baseUrl}: inside a pod that is the pod itself`);
    }
  }
});

test('provider keys come from a Secret under the variables the adapters read', () => {
  const expected = new Set(Object.values(PROVIDER_DEFAULTS).flatMap((defaults) => Object.values(defaults.credentialEnv)));
  const fromSecret = [...env().entries()].filter(([, entry]) => at(entry, 'valueFrom', 'secretKeyRef', 'name') === 'aigw-provider-keys');
  assert.ok(fromSecret.length > 0);
  for (const [name, entry] of fromSecret) {
    assert.ok(expected.has(name), `${name} is no provider's credential variable`);
    assert.equal(at(entry, 'valueFrom', 'secretKeyRef', 'key'), name);
  }
  const adminKeys = (at(find('Deployment'), 'spec', 'template', 'spec', 'volumes') as Json[]).find((entry) => at(entry, 'secret', 'secretName') === 'aigw-admin-keys');
  const mount = (container()['volumeMounts'] as Json[]).find((entry) => entry['name'] === adminKeys?.['name']);
  assert.equal(env().get('AIGW_ADMIN_KEYS_FILE')?.['value'], `${String(mount?.['mountPath'])}/${String(at(adminKeys, 'secret', 'items', 0, 'path'))}`);
});

test("README's Elasticsearch audit sink starts with the Deployment's Secrets: its ${ES_API_KEY} comes from one", () => {
  // Every variable the Deployment can set, each Secret present (a placeholder for its value).
  const podEnv = Object.fromEntries([...env().entries()].map(([name, entry]) => [name, String(entry['value'] ?? 'from-a-secret')]));
  const manifestPath = (container()['args'] as string[])[0] ?? '';
  const shipped = String(at(find('ConfigMap'), 'data', manifestPath.split('/').pop() ?? ''));
  // The sink as README "Audit trail" shows it.
  const withElasticsearch = `${shipped}audit:\n  sinks:\n    - { type: elasticsearch, url: 'https://es.internal:9200', index: aigw-audit, api_key: '\${ES_API_KEY}' }\n`;
  const loaded = loadManifest({ text: withElasticsearch, file: 'configmap routes.yaml' }, { env: podEnv });
  assert.ok(loaded.manifest, JSON.stringify(loaded.diagnostics.map((diagnostic) => diagnostic.message)));
  assert.equal(at(env().get('ES_API_KEY'), 'valueFrom', 'secretKeyRef', 'optional'), true, 'optional: pods start without an Elasticsearch sink');
});

test('the Service exposes only the API port; the headless admin Service reaches every pod on the admin port', () => {
  const podLabels = at(find('Deployment'), 'spec', 'template', 'metadata', 'labels');
  const api = find('Service', 'aigw');
  assert.deepEqual(at(api, 'spec', 'selector'), podLabels);
  assert.deepEqual((at(api, 'spec', 'ports') as Json[]).map((port) => port['targetPort']), ['http']);
  const admin = find('Service', 'aigw-admin');
  assert.equal(at(admin, 'spec', 'clusterIP'), 'None');
  assert.deepEqual(at(admin, 'spec', 'selector'), podLabels);
  assert.deepEqual((at(admin, 'spec', 'ports') as Json[]).map((port) => [port['port'], port['targetPort']]), [[settingByEnv.get('AIGW_ADMIN_PORT')?.defaultValue, 'admin']]);
});

test('the HPA scales the Deployment (which sets no replica count of its own) and the PDB selects its pods', () => {
  const deployment = find('Deployment');
  assert.equal(at(deployment, 'spec', 'replicas'), undefined);
  assert.deepEqual(at(find('HorizontalPodAutoscaler'), 'spec', 'scaleTargetRef'), { apiVersion: 'apps/v1', kind: 'Deployment', name: at(deployment, 'metadata', 'name') });
  assert.ok(Number(at(find('HorizontalPodAutoscaler'), 'spec', 'minReplicas')) >= 2);
  assert.deepEqual(at(find('PodDisruptionBudget'), 'spec', 'selector', 'matchLabels'), at(deployment, 'spec', 'template', 'metadata', 'labels'));
});
