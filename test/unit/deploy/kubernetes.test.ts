/**
 * deploy/kubernetes: every manifest validates against the Kubernetes schemas (kubernetes-models),
 * every field is one the schema knows (typos would be dropped silently by the API server), the
 * kustomization lists exactly the files present, and ports, probe paths, env names and the drain
 * budget agree with the runtime's settings table (runtime/server/settings.ts).
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

test('termination grace outlasts preStop plus the drain timeout, so streams drain before SIGKILL', () => {
  const preStop = at(container(), 'lifecycle', 'preStop', 'exec', 'command') as string[];
  assert.equal(preStop[0], 'sleep');
  const preStopMs = Number(preStop[1]) * 1000;
  const drainMs = Number(env().get('AIGW_DRAIN_TIMEOUT_MS')?.['value'] ?? settingByEnv.get('AIGW_DRAIN_TIMEOUT_MS')?.defaultValue);
  const graceMs = Number(at(find('Deployment'), 'spec', 'template', 'spec', 'terminationGracePeriodSeconds')) * 1000;
  assert.ok(graceMs > preStopMs + drainMs, `grace ${graceMs} ms ≤ preStop ${preStopMs} + drain ${drainMs}`);
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
