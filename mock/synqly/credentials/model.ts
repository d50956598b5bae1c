import { isDeepStrictEqual } from 'node:util';
import { errors } from '../../core/errors.ts';
import { hashSecret } from '../../core/secrets.ts';
import { isPlainObject, type JsonRecord } from '../../core/store/document.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName } from '../names.ts';
import type { CredentialKind, CredentialOwnerType, CredentialRecord, OrgState } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { patchDocument, assertSameId, type DocumentCheck, type PatchOperation } from '../updates.ts';
import { referenceKind, storedKind, type InlineKind } from './kinds.ts';
import type { components } from '../../generated/synqly.ts';

/**
 * Credentials (contract §2.4, §5): owned by exactly one account, integration, integration point
 * or organization webhook; the secret configuration is stored and never returned (`config` is
 * `{type}` in every response). Names are unique per owner.
 */

export type CreateCredentialRequest = components['schemas']['CreateCredentialRequest'];

export type UpdateCredentialRequest = components['schemas']['UpdateCredentialRequest'];

export interface Owner {
  type: CredentialOwnerType;
  id: string;
  name: string;
  /** the account the owner lives in (accounts and integrations) */
  accountId?: string;
}

const OWNER_FIELD: Record<CredentialOwnerType, 'account_id' | 'integration_id' | 'integration_point_id' | 'organization_webhook_id'> = {
  account: 'account_id',
  integration: 'integration_id',
  integration_point: 'integration_point_id',
  organization_webhook: 'organization_webhook_id',
};

export const CREDENTIAL_FIELDS = [
  'id',
  'name',
  'fullname',
  'owner_type',
  'account_id',
  'integration_id',
  'integration_point_id',
  'organization_webhook_id',
  'managed',
  'config.type',
  'expires',
  'created_at',
  'updated_at',
] as const;

export function credentialView(c: CredentialRecord) {
  return {
    id: c.id,
    name: c.name,
    fullname: c.fullname,
    owner_type: c.owner_type,
    [OWNER_FIELD[c.owner_type]]: c.owner_id,
    managed: c.managed,
    config: { type: c.config.type },
    ...(c.expires ? { expires: c.expires } : {}),
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

export type CredentialView = ReturnType<typeof credentialView>;

function ownersOfType(org: OrgState, type: CredentialOwnerType): Array<{ id: string; name: string; accountId?: string }> {
  switch (type) {
    case 'account':
      return org.accounts.all().map((a) => ({ id: a.id, name: a.name, accountId: a.id }));
    case 'integration':
      return org.integrations.all().map((i) => ({ id: i.id, name: i.name, accountId: i.account_id }));
    case 'integration_point':
      return org.integrationPoints.all().map((p) => ({ id: p.id, name: p.name }));
    case 'organization_webhook':
      return org.webhooks.all().map((w) => ({ id: w.id, name: w.name }));
  }
}

const OWNER_TYPES: CredentialOwnerType[] = ['account', 'integration', 'integration_point', 'organization_webhook'];

/** The owner `ownerId` names (id first, then name ignoring case); `type` narrows the search. */
export function resolveOwner(org: OrgState, ownerId: string, type?: CredentialOwnerType): Owner {
  const types = type ? [type] : OWNER_TYPES;
  const lower = ownerId.toLowerCase();
  for (const pass of ['id', 'name'] as const) {
    for (const t of types) {
      const hit = ownersOfType(org, t).find((o) => (pass === 'id' ? o.id === ownerId : o.name.toLowerCase() === lower));
      if (hit) return { type: t, id: hit.id, name: hit.name, ...(hit.accountId ? { accountId: hit.accountId } : {}) };
    }
  }
  throw errors.notFound(`${type ? type.replace('_', ' ') : 'credential owner'} ${ownerId} not found`, {
    parameter: { id: 'ownerId', location: 'path', value: ownerId },
    detail: 'ownerId names an account, integration, integration point or organization webhook of this organization',
  });
}

function credentialsOf(org: OrgState, owner: Owner): CredentialRecord[] {
  return org.credentials.all().filter((c) => c.owner_type === owner.type && c.owner_id === owner.id);
}

function findCredential(candidates: CredentialRecord[], idOrName: string): CredentialRecord | undefined {
  const lower = idOrName.toLowerCase();
  return candidates.find((c) => c.id === idOrName) ?? candidates.find((c) => c.name.toLowerCase() === lower);
}

function notFound(credentialId: string) {
  return errors.notFound(`credential ${credentialId} not found`, { parameter: { id: 'credentialId', location: 'path', value: credentialId } });
}

export function getCredentialRecord(org: OrgState, ownerId: string, credentialId: string): { owner: Owner; credential: CredentialRecord } {
  const owner = resolveOwner(org, ownerId);
  const credential = findCredential(credentialsOf(org, owner), credentialId);
  if (!credential) throw notFound(credentialId);
  return { owner, credential };
}

export function listCredentials(org: OrgState, ownerId: string, query: ListQuery): ListPage<CredentialView> {
  const owner = resolveOwner(org, ownerId);
  return listRecords(credentialsOf(org, owner).map(credentialView), query, { fields: CREDENTIAL_FIELDS });
}

function assertExpires(expires: string | undefined): void {
  if (expires !== undefined && Number.isNaN(Date.parse(expires))) {
    throw errors.badRequest(`expires ${JSON.stringify(expires)} is not a date-time`, { parameter: { id: '/expires', location: 'body', value: expires } });
  }
}

/** the fields of each kind that are secrets (the rest — user names, client ids, URLs, certificates — is not) */
const SECRET_FIELDS: Record<CredentialKind, readonly string[]> = {
  aws: ['secret_access_key', 'session'],
  aws_role: ['external_id'],
  token: ['secret'],
  basic: ['secret'],
  secret: ['secret'],
  o_auth_client: ['client_secret'],
  tls_certificate: ['private_key'],
};

/**
 * A credential config as it is kept at rest: every secret field as its SHA-256 (`sha256:<hex>`).
 * The twin never calls a provider, so it never needs them back. An organization webhook's signing
 * secret is the exception: signing each delivery (HMAC-SHA256) needs the secret itself.
 */
export function configAtRest(config: JsonRecord & { type: CredentialKind }, ownerType: CredentialRecord['owner_type']): JsonRecord & { type: CredentialKind } {
  const copy = structuredClone(config);
  if (ownerType === 'organization_webhook') return copy;
  for (const field of SECRET_FIELDS[config.type] ?? []) {
    const value = copy[field];
    if (typeof value === 'string' && !value.startsWith('sha256:')) copy[field] = `sha256:${hashSecret(value)}`;
  }
  return copy;
}

export function createCredential(org: OrgState, ownerId: string, input: CreateCredentialRequest, env: ModelEnv): CredentialRecord {
  const owner = resolveOwner(org, ownerId, input.owner_type ?? 'account');
  if (!input.config) {
    throw errors.badRequest('config is required: the credential kind and its secret', {
      parameter: { id: '/config', location: 'body' },
      remediation: 'send config, e.g. {"type": "token", "secret": "…"}',
    });
  }
  assertExpires(input.expires);
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameFree(credentialsOf(org, owner), name, 'credential');
  const now = iso(env.nowMs);
  const record: CredentialRecord = {
    id,
    name,
    fullname: input.fullname ?? name,
    owner_type: owner.type,
    owner_id: owner.id,
    [OWNER_FIELD[owner.type]]: owner.id,
    managed: 'Unmanaged',
    config: configAtRest(input.config, owner.type),
    ...(input.expires ? { expires: input.expires } : {}),
    created_at: now,
    updated_at: now,
  };
  org.credentials.put(record);
  return record;
}

/** A `Managed` credential owned by an integration, made from an inline secret of its provider config. */
export function createManagedCredential(
  org: OrgState,
  integration: { id: string; name: string },
  config: JsonRecord & { type: CredentialKind },
  label: string,
  env: ModelEnv,
): CredentialRecord {
  const id = env.random.uuid();
  const now = iso(env.nowMs);
  const record: CredentialRecord = {
    id,
    name: id,
    fullname: `${integration.name} ${label}`,
    owner_type: 'integration',
    owner_id: integration.id,
    integration_id: integration.id,
    managed: 'Managed',
    config: configAtRest(config, 'integration'),
    created_at: now,
    updated_at: now,
  };
  org.credentials.put(record);
  return record;
}

/** PUT: the writable fields are name, fullname, expires and config (omitted config keeps the secret). */
function replace(org: OrgState, owner: Owner, current: CredentialRecord, body: UpdateCredentialRequest, env: ModelEnv): CredentialRecord {
  assertSameId(body.id, current.id, 'credential');
  assertNameFree(credentialsOf(org, owner), body.name, 'credential', current.id);
  assertExpires(body.expires);
  const next: CredentialRecord = {
    id: current.id,
    name: body.name,
    fullname: body.fullname,
    owner_type: current.owner_type,
    owner_id: current.owner_id,
    [OWNER_FIELD[current.owner_type]]: current.owner_id,
    managed: current.managed,
    config: body.config ? configAtRest(body.config, current.owner_type) : current.config,
    ...(body.expires ? { expires: body.expires } : {}),
    created_at: current.created_at,
    updated_at: iso(env.nowMs),
  };
  org.credentials.put(next);
  return next;
}

export function updateCredential(org: OrgState, ownerId: string, credentialId: string, body: UpdateCredentialRequest, env: ModelEnv): CredentialRecord {
  const { owner, credential } = getCredentialRecord(org, ownerId, credentialId);
  return replace(org, owner, credential, body, env);
}

export function patchCredential(
  org: OrgState,
  ownerId: string,
  credentialId: string,
  ops: PatchOperation[],
  check: DocumentCheck<UpdateCredentialRequest>,
  env: ModelEnv,
): CredentialRecord {
  const { owner, credential } = getCredentialRecord(org, ownerId, credentialId);
  const doc = patchDocument(credentialView(credential), ops, check, {
    // the view's config is {type} only: left as it was, it means "keep the stored secret"
    prepare: (d) => {
      if (isDeepStrictEqual(d.config, { type: credential.config.type })) delete d.config;
    },
  });
  return replace(org, owner, credential, doc, env);
}

export interface CredentialReference {
  /** JSON Pointer of the reference inside the provider config */
  pointer: string;
  kind: InlineKind;
  id: string;
}

/** every `{type: "<kind>_id", value}` reference inside a provider config */
export function credentialReferences(value: unknown, pointer = ''): CredentialReference[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => credentialReferences(v, `${pointer}/${i}`));
  if (!isPlainObject(value)) return [];
  const obj = value;
  const kind = pointer === '' ? undefined : referenceKind(obj.type);
  if (kind && typeof obj.value === 'string') return [{ pointer, kind, id: obj.value }];
  return Object.entries(obj).flatMap(([k, v]) => credentialReferences(v, `${pointer}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`));
}

/** Whether a stored credential can stand where a `<kind>_id` reference is expected. */
export function kindMatches(reference: InlineKind, credential: CredentialRecord): boolean {
  return storedKind(reference) === credential.config.type;
}

export function deleteCredential(org: OrgState, ownerId: string, credentialId: string): void {
  const { credential } = getCredentialRecord(org, ownerId, credentialId);
  const users = org.integrations.all().filter((i) => credentialReferences(i.provider_config).some((r) => r.id === credential.id));
  if (users.length > 0) {
    throw errors.conflict(`credential ${credential.name} is used by integration(s) ${users.map((i) => i.name).join(', ')}`, {
      remediation: 'point those integrations at another credential (or delete them) first',
      parameter: { id: 'credentialId', location: 'path', value: credentialId },
    });
  }
  const hooks = org.webhooks.all().filter((w) => w.credential_id === credential.id);
  if (hooks.length > 0) {
    throw errors.conflict(`credential ${credential.name} is the signing secret of organization webhook(s) ${hooks.map((w) => w.name).join(', ')}`, {
      parameter: { id: 'credentialId', location: 'path', value: credentialId },
    });
  }
  org.credentials.delete(credential.id);
}

export function lookupCredential(org: OrgState, credentialId: string): CredentialRecord {
  const credential = findCredential(org.credentials.all(), credentialId);
  if (!credential) throw notFound(credentialId);
  return credential;
}
