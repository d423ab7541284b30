/**
 * What the manifest loader and linter know about provider types, from the adapter-free defaults
 * table (runtime/adapters/provider-defaults.ts): which ids are known, which fields each type reads.
 * Importing this never loads an adapter, so `aigw validate` stays fast.
 */
import type { ProviderType } from '../adapters/contract.js';
import { PROVIDER_DEFAULTS } from '../adapters/provider-defaults.js';
import { PROVIDER_SECRET_FIELDS, type ProviderSecretField } from './document.js';
import { ownValue } from '../own-value.js';

export const KNOWN_PROVIDER_TYPES = Object.keys(PROVIDER_DEFAULTS) as readonly ProviderType[];

export function isProviderType(id: string): id is ProviderType {
  return Object.hasOwn(PROVIDER_DEFAULTS, id);
}

/**
 * Credential fields a provider type reads: those with a conventional environment variable in the
 * defaults table (AWS keys for bedrock, the Google ones for vertex-ai, …), and api_key, which every
 * adapter sends when set (a bearer key for authenticating proxies, ollama.com, Bedrock API keys).
 */
export function secretFieldsOf(type: ProviderType): readonly ProviderSecretField[] {
  const fields = new Set<string>([...Object.keys(PROVIDER_DEFAULTS[type].credentialEnv), 'api_key']);
  return PROVIDER_SECRET_FIELDS.filter((field) => fields.has(field));
}

/** Non-secret settings a provider type reads (api_version, region, …). */
export function settingFieldsOf(type: ProviderType): readonly string[] {
  return PROVIDER_DEFAULTS[type].settings;
}

/** `{region}`, `{location}`, `{resource}` in a base URL, filled from settings; unknown ones stay. */
export function fillPlaceholders(url: string, settings: Readonly<Record<string, string>>): string {
  return url.replace(/\{([a-z_]+)\}/g, (whole, name: string) => ownValue(settings, name) ?? whole);
}

/** Placeholders still unfilled in a base URL (a missing setting). */
export function unfilledPlaceholders(url: string): string[] {
  return [...url.matchAll(/\{([a-z_]+)\}/g)].map((match) => match[1] ?? '');
}

/** Splits `provider/model` on the first '/', so the model part may contain '/'; no whitespace allowed. */
export function splitProviderModel(value: string): { provider: string; model: string } | undefined {
  const cut = value.indexOf('/');
  if (cut <= 0 || cut === value.length - 1 || /\s/.test(value)) return undefined;
  return { provider: value.slice(0, cut), model: value.slice(cut + 1) };
}
