import { errors } from '../../core/errors.ts';
import { hashSecret } from '../../core/secrets.ts';
import { deriveName, findByIdOrName } from '../names.ts';
import type { OrgState, SsoConfigurationRecord } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';

/**
 * SSO configurations (extra-endpoints contract §2): how members of an organization sign in
 * through an external identity provider, over OIDC or SAML 2.0. The twin stores them; no sign-in
 * flow is emulated. Secrets are write-only: the OIDC client secret is kept as its hash, the SAML
 * certificate and metadata URL are kept but never returned (the vendor's response type lacks them).
 */

export const DEFAULT_NAME_ID_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
export const SUPPORTED_NAME_ID_FORMATS = [DEFAULT_NAME_ID_FORMAT, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'];
/** the service-provider side lives at the vendor's API host; the twin names the same URLs per organization */
const SP_BASE = 'https://api.synqly.com/v1/auth/sso';

export interface OidcInput {
  type: 'oidc';
  issuer_url: string;
  client_id: string;
  client_secret?: string;
}

export interface SamlInput {
  type: 'saml';
  idp_entity_id: string;
  idp_sso_url: string;
  idp_certificate?: string;
  sp_entity_id: string;
  idp_metadata_url?: string;
  name_id_format?: string;
}

export interface SsoRequest {
  fullname: string;
  config: OidcInput | SamlInput;
  /** updates only: the optimistic-locking token */
  updated_at?: string;
}

/** SsoConfiguration as the API returns it: no secret, no certificate, no metadata URL */
export function ssoView(record: SsoConfigurationRecord) {
  const idp = record.identity_provider;
  const identity_provider =
    idp.type === 'oidc'
      ? { type: 'oidc' as const, issuer_url: idp.issuer_url, client_id: idp.client_id }
      : { type: 'saml' as const, idp_entity_id: idp.idp_entity_id, idp_sso_url: idp.idp_sso_url, sp_entity_id: idp.sp_entity_id, ...(idp.name_id_format ? { name_id_format: idp.name_id_format } : {}) };
  return { id: record.id, name: record.name, fullname: record.fullname, identity_provider, created_at: record.created_at, updated_at: record.updated_at };
}

/** fullnames are labels on sign-in screens: unique in the organization, ignoring case */
function fullnameTaken(org: OrgState, fullname: string, exceptId?: string): boolean {
  const lower = fullname.toLowerCase();
  return org.ssoConfigurations.all().some((c) => c.id !== exceptId && c.fullname.toLowerCase() === lower);
}

/** a name no other configuration has: derived from the fullname, suffixed on a clash */
function freeName(org: OrgState, fullname: string, id: string, exceptId?: string): string {
  const base = deriveName({ fullname }, id);
  const taken = new Set(org.ssoConfigurations.all().filter((c) => c.id !== exceptId).map((c) => c.name.toLowerCase()));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * The stored identity provider. A secret-bearing field left out of an update keeps the stored
 * value of the same protocol; switching protocols needs it (there is nothing to keep).
 */
function identityProvider(config: OidcInput | SamlInput, previous: SsoConfigurationRecord['identity_provider'] | undefined): SsoConfigurationRecord['identity_provider'] {
  if (config.type === 'oidc') {
    const kept = previous?.type === 'oidc' ? previous.client_secret_hash : undefined;
    if (config.client_secret === undefined && kept === undefined) throw missing('/config/client_secret', 'client_secret is required when the configuration has no OIDC client secret yet');
    return { type: 'oidc', issuer_url: config.issuer_url, client_id: config.client_id, client_secret_hash: config.client_secret !== undefined ? hashSecret(config.client_secret) : kept! };
  }
  if (!/^https:\/\//i.test(config.idp_sso_url)) {
    throw errors.badRequest('idp_sso_url must be an HTTPS URL', { parameter: { id: '/config/idp_sso_url', location: 'body', value: config.idp_sso_url } });
  }
  const kept = previous?.type === 'saml' ? previous.idp_certificate : undefined;
  const certificate = config.idp_certificate ?? kept;
  if (certificate === undefined) throw missing('/config/idp_certificate', 'idp_certificate is required when the configuration has no SAML certificate yet');
  return {
    type: 'saml',
    idp_entity_id: config.idp_entity_id,
    idp_sso_url: config.idp_sso_url,
    sp_entity_id: config.sp_entity_id,
    idp_certificate: certificate,
    ...(config.idp_metadata_url !== undefined ? { idp_metadata_url: config.idp_metadata_url } : {}),
    name_id_format: config.name_id_format ?? DEFAULT_NAME_ID_FORMAT,
  };
}

function missing(pointer: string, message: string) {
  return errors.badRequest(message, { parameter: { id: pointer, location: 'body' } });
}

export function createSso(org: OrgState, input: SsoRequest, env: ModelEnv): SsoConfigurationRecord {
  if (fullnameTaken(org, input.fullname)) {
    throw errors.conflict(`an SSO configuration named ${JSON.stringify(input.fullname)} already exists`, { parameter: { id: '/fullname', location: 'body', value: input.fullname } });
  }
  const id = env.random.uuid();
  const now = iso(env.nowMs);
  const record: SsoConfigurationRecord = {
    id,
    name: freeName(org, input.fullname, id),
    fullname: input.fullname,
    identity_provider: identityProvider(input.config, undefined),
    created_at: now,
    updated_at: now,
  };
  org.ssoConfigurations.put(record);
  return record;
}

/** by name, like the other collections' default order */
export function listSso(org: OrgState): SsoConfigurationRecord[] {
  return org.ssoConfigurations.all().sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export function getSso(org: OrgState, idOrName: string): SsoConfigurationRecord {
  const record = findByIdOrName(org.ssoConfigurations, idOrName);
  if (!record) throw errors.notFound(`SSO configuration ${idOrName} not found`, { parameter: { id: 'ssoId', location: 'path', value: idOrName } });
  return record;
}

/**
 * A full replacement guarded by `updated_at`. The SDK declares no 409 for this call, so a stale
 * `updated_at` and a fullname another configuration has are 400s.
 */
export function updateSso(org: OrgState, idOrName: string, input: SsoRequest, env: ModelEnv): SsoConfigurationRecord {
  const current = getSso(org, idOrName);
  if (input.updated_at !== undefined && Date.parse(input.updated_at) !== Date.parse(current.updated_at)) {
    throw errors.badRequest(`the SSO configuration changed since ${input.updated_at} (now ${current.updated_at}); read it again and resend`, {
      parameter: { id: '/updated_at', location: 'body', value: input.updated_at },
    });
  }
  if (fullnameTaken(org, input.fullname, current.id)) {
    throw errors.badRequest(`another SSO configuration is named ${JSON.stringify(input.fullname)}`, { parameter: { id: '/fullname', location: 'body', value: input.fullname } });
  }
  const next: SsoConfigurationRecord = {
    id: current.id,
    name: input.fullname === current.fullname ? current.name : freeName(org, input.fullname, current.id, current.id),
    fullname: input.fullname,
    identity_provider: identityProvider(input.config, current.identity_provider),
    created_at: current.created_at,
    // a bump even within the same millisecond, so the lock token always changes
    updated_at: iso(Math.max(env.nowMs, Date.parse(current.updated_at) + 1)),
  };
  org.ssoConfigurations.put(next);
  return next;
}

/** members are left as they are (the vendor says they may lose access; nothing is cascaded) */
export function deleteSso(org: OrgState, idOrName: string): void {
  org.ssoConfigurations.delete(getSso(org, idOrName).id);
}

/** SsoUserConfiguration: both protocols' service-provider values, per organization */
export function ssoMetadata(orgId: string) {
  return {
    oidc: { redirect_uri: `${SP_BASE}/oidc/callback/${orgId}` },
    saml: { acs_url: `${SP_BASE}/saml/acs/${orgId}`, sp_entity_id: `${SP_BASE}/saml/${orgId}`, supported_name_id_formats: [...SUPPORTED_NAME_ID_FORMATS] },
  };
}
