import { errors } from '../../core/errors.ts';
import { hashSecret } from '../../core/secrets.ts';
import type { Tx } from '../../core/store/store.ts';
import { API_KEY_SCOPES, companyCollection, KEY_INDEX, type ApiKeyRecord, type ApiKeyScope, type CompanyState, type KeyIndexRecord } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { isOneOf } from '../../core/narrow.ts';

/**
 * Connxio API keys (contract §3, DECISIONS): base64 of 32 random bytes, one subscription, at
 * least one scope, an active flag. The value is shown once; the store keeps its hash.
 */

export interface NewApiKey {
  name: string;
  scopes: ApiKeyScope[];
  subscriptionId: string;
  active?: boolean;
  customApiId?: string;
}

function newKeyValue(env: ModelEnv): string {
  return env.random.bytes(32).toString('base64');
}

function assertScopes(scopes: readonly string[]): void {
  if (scopes.length === 0) throw errors.badRequest('an API key needs at least one scope', { parameter: { id: '/scopes', location: 'body' } });
  const unknown = scopes.filter((s) => !isOneOf(API_KEY_SCOPES, s));
  if (unknown.length > 0) {
    throw errors.badRequest(`unknown scope(s) ${unknown.join(', ')}; use ${API_KEY_SCOPES.join(', ')}`, { parameter: { id: '/scopes', location: 'body', value: unknown } });
  }
}

export function createApiKey(state: CompanyState, input: NewApiKey, env: ModelEnv): { record: ApiKeyRecord; key: string } {
  assertScopes(input.scopes);
  if (!state.subscriptions.get(input.subscriptionId)) {
    throw errors.badRequest(`subscription ${input.subscriptionId} does not belong to this company`, {
      parameter: { id: '/subscriptionId', location: 'body', value: input.subscriptionId },
    });
  }
  const key = newKeyValue(env);
  const now = iso(env.nowMs);
  const record: ApiKeyRecord = {
    id: env.random.uuid(),
    name: input.name,
    key_hash: hashSecret(key),
    key_hint: key.slice(-4),
    scopes: [...new Set(input.scopes)],
    subscriptionId: input.subscriptionId,
    active: input.active ?? true,
    created: now,
    updated: now,
    ...(input.customApiId ? { customApiId: input.customApiId } : {}),
  };
  state.apiKeys.put(record);
  state.keyIndex.put({ id: record.key_hash, company_id: state.companyId, key_id: record.id });
  return { record, key };
}

export function deleteApiKey(state: CompanyState, record: ApiKeyRecord): void {
  state.keyIndex.delete(record.key_hash);
  state.apiKeys.delete(record.id);
}

/** Finds the key record a presented key value belongs to, through the hash index. */
export function findKeyByValue(tx: Tx, value: string): { key: ApiKeyRecord; companyId: string } | undefined {
  const entry = tx.get<KeyIndexRecord>(KEY_INDEX, hashSecret(value));
  const key = entry && tx.get<ApiKeyRecord>(companyCollection(entry.company_id, 'api_keys'), entry.key_id);
  return key ? { key, companyId: entry.company_id } : undefined;
}

/** the API view of a key: never its value or hash */
export function apiKeyView(record: ApiKeyRecord) {
  const { key_hash: _hash, ...rest } = record;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// lifecycle (the vendor's portal; the twin's control API)

/** The key `keyId` of the company, or 404. */
export function requireApiKey(state: CompanyState, keyId: string): ApiKeyRecord {
  const key = state.apiKeys.get(keyId);
  if (!key) throw errors.notFound(`API key ${keyId} not found in company ${state.companyId}`);
  return key;
}

/** Every key of the company (custom-API keys included), oldest first. */
export function listApiKeys(state: CompanyState, filter: { subscriptionId?: string } = {}): ApiKeyRecord[] {
  return state.apiKeys
    .all()
    .filter((k) => filter.subscriptionId === undefined || k.subscriptionId === filter.subscriptionId)
    .sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
}

/** A custom API's key is managed from its custom API (contract §4.1), not as a plain key. */
function assertPlainKey(key: ApiKeyRecord): void {
  if (key.customApiId) {
    throw errors.conflict(`API key ${key.id} belongs to custom API ${key.customApiId}; manage it through /custom-apis/${key.customApiId}`);
  }
}

export interface ApiKeyEdit {
  name?: string;
  scopes?: ApiKeyScope[];
}

/** Edits name and/or scopes (contract §3.3 "available to edit in the list"). */
export function updateApiKey(state: CompanyState, keyId: string, edit: ApiKeyEdit, env: ModelEnv): ApiKeyRecord {
  const key = requireApiKey(state, keyId);
  assertPlainKey(key);
  if (edit.scopes !== undefined) assertScopes(edit.scopes);
  const updated: ApiKeyRecord = {
    ...key,
    ...(edit.name !== undefined ? { name: edit.name } : {}),
    ...(edit.scopes !== undefined ? { scopes: [...new Set(edit.scopes)] } : {}),
    updated: iso(env.nowMs),
  };
  state.apiKeys.put(updated);
  return updated;
}

/** The Active slider: an inactive key is refused (401) until activated again. */
export function setApiKeyActive(state: CompanyState, keyId: string, active: boolean, env: ModelEnv, options: { viaCustomApi?: boolean } = {}): ApiKeyRecord {
  const key = requireApiKey(state, keyId);
  if (!options.viaCustomApi) assertPlainKey(key);
  if (key.active === active) return key;
  const updated: ApiKeyRecord = { ...key, active, updated: iso(env.nowMs) };
  state.apiKeys.put(updated);
  return updated;
}

/** A new value for the same key record; the old value stops working at once (DECISIONS). */
export function regenerateApiKey(state: CompanyState, keyId: string, env: ModelEnv, options: { viaCustomApi?: boolean } = {}): { record: ApiKeyRecord; key: string } {
  const current = requireApiKey(state, keyId);
  if (!options.viaCustomApi) assertPlainKey(current);
  const key = newKeyValue(env);
  const record: ApiKeyRecord = { ...current, key_hash: hashSecret(key), key_hint: key.slice(-4), updated: iso(env.nowMs) };
  state.keyIndex.delete(current.key_hash);
  state.apiKeys.put(record);
  state.keyIndex.put({ id: record.key_hash, company_id: state.companyId, key_id: record.id });
  return { record, key };
}

/** Deletes a plain key (a custom API's key goes with its custom API). */
export function removeApiKey(state: CompanyState, keyId: string): ApiKeyRecord {
  const key = requireApiKey(state, keyId);
  assertPlainKey(key);
  deleteApiKey(state, key);
  return key;
}
