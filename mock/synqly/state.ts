import type { JsonRecord } from '../core/store/document.ts';
import type { Tx } from '../core/store/store.ts';
import { collection } from '../core/store/collection.ts';

/**
 * Synqly state: one partition per organization (`synqly/org/<orgId>/<family>`), plus the global
 * organization table and the secret index that resolves a bearer to its token in O(1).
 * Every record is plain JSON, typed below.
 */

export type Environment = 'test' | 'prod';

export interface BaseRecord extends JsonRecord {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface OrganizationRecord extends BaseRecord {
  fullname: string;
  refresh_token_id: string;
  organization_type: 'root' | 'standard';
  contact?: string;
  reply_to?: string;
  picture?: string;
  options?: JsonRecord;
  state?: 'enabled' | 'disabled' | 'pov' | 'plg';
  end_date?: string;
  /** the organization that created this one as a sub-organization */
  parent_id?: string;
}

export interface AccountRecord extends BaseRecord {
  fullname: string;
  organization_id: string;
  environment: Environment;
  labels?: string[];
}

export interface PermissionRecord extends JsonRecord {
  id: string;
  parent_id: string;
  organization_id: string;
  root_organization_id?: string;
  member_id: string;
  resource_id: string;
  resource_type: 'organization' | 'integration';
  role_binding?: string[];
  adhoc_role?: { resources: Resources; permission_set: string };
}

/** a token as stored: the secret only as its SHA-256 hash */
export interface StoredToken extends JsonRecord {
  secret_hash: string;
  expires: string;
  permissions: PermissionRecord;
}

export interface StoredTokenPair extends JsonRecord {
  access: StoredToken;
  refresh: StoredToken;
}

export type TokenType = 'adhoc' | 'logon' | 'default';
export type TokenKind = 'organization' | 'integration' | 'mcp' | 'synqly-integrations';

export interface RefreshTokenRecord extends BaseRecord {
  fullname: string;
  member_id?: string;
  owner_id: string;
  owner_type: 'organization' | 'integration';
  expires: string;
  token_ttl: string;
  token_type: TokenType;
  /** which API surface the token authenticates (the Management API takes 'organization' only) */
  kind: TokenKind;
  primary: StoredTokenPair;
  secondary?: StoredTokenPair;
  /** twin-internal (never returned): the RefreshToken's lifetime, restored by tokens_reset */
  lifetime?: string;
  /** twin-internal: the only actions this token allows (an expired member's change-password session) */
  only_actions?: string[];
  /** twin-internal: the scope an MCP token was issued for */
  mcp_scope?: JsonRecord;
  /** twin-internal: the ad-hoc roles of the tokens this one derives from (each narrows it further) */
  adhoc_limits?: Array<{ resources: Resources; permission_set: string }>;
}

export type MemberState = 'disabled' | 'enabled' | 'forgotten' | 'invited' | 'locked';

/** a member; `secret_hash` and the other twin-internal fields are never returned */
export interface MemberRecord extends BaseRecord {
  fullname: string;
  nickname?: string;
  picture?: string;
  state: MemberState;
  last_logon: string;
  ttl: string;
  token_ttl: string;
  expires: string;
  pin_expires: string;
  role_binding: string[];
  type: 'personal' | 'service';
  /** scrypt hash of the secret (`scrypt$N$r$p$salt$hash`) */
  secret_hash: string;
  password_set_at: string;
  failed_logons: number;
  /** the `expired` option: the password must be changed at the next logon */
  must_change_password: boolean;
}

/** secret index entry: which token a secret hash belongs to */
export interface SecretIndexRecord extends JsonRecord {
  id: string;
  organization_id: string;
  refresh_token_id: string;
  slot: 'primary' | 'secondary';
  part: 'access' | 'refresh';
}

// ---- credentials, integration points, integrations, bridges, status, audit (their families' records)

export type CredentialKind = 'aws' | 'aws_role' | 'token' | 'basic' | 'secret' | 'o_auth_client' | 'tls_certificate';
export type CredentialOwnerType = 'account' | 'integration' | 'integration_point' | 'organization_webhook';

/** a stored credential: `config` holds the secret and is never returned */
export interface CredentialRecord extends BaseRecord {
  fullname: string;
  owner_type: CredentialOwnerType;
  /** the owner's id (also in the matching *_id field) */
  owner_id: string;
  account_id?: string;
  integration_id?: string;
  integration_point_id?: string;
  organization_webhook_id?: string;
  managed: 'Managed' | 'Unmanaged';
  config: JsonRecord & { type: CredentialKind };
  expires?: string;
}

export interface IntegrationPointRecord extends BaseRecord {
  fullname?: string;
  description?: string;
  connector: string;
  environments: { test?: string[]; prod?: string[] };
  mappings?: JsonRecord[];
  additional_mappings?: JsonRecord[];
  scheduled_operations?: JsonRecord[];
}

export interface IntegrationRecord extends BaseRecord {
  fullname: string;
  refresh_token_id: string;
  account_id: string;
  category: string;
  /** as stored: inline secrets replaced by `{type: "<kind>_id", value}` references */
  provider_config: JsonRecord & { type: string };
  provider_fullname: string;
  provider_type: string;
  integration_point_id?: string;
  bridge_selector?: JsonRecord;
  webhook_config?: JsonRecord;
  mappings?: JsonRecord[];
  additional_mappings?: JsonRecord[];
  scheduled_operations?: JsonRecord[];
}

export interface BridgeGroupRecord extends BaseRecord {
  fullname: string;
  account_id: string;
  description?: string;
  labels?: string[];
  /** SHA-256 of the agent credential (the JWT is handed out once) */
  credential_hash: string;
}

/** usage counters of one integration (keyed by integration id) */
export interface StatusRecord extends JsonRecord {
  id: string;
  created_at: string;
  updated_at: string;
  account_id: string;
  integration_id: string;
  status: string;
  requests: number;
  failed: number;
  cpu_time: number;
  db_ops: number;
  api_ops: number;
  in_bytes: number;
  out_bytes: number;
}

/** one recorded request of an integration; `id` is a zero-padded sequence number */
export interface StatusEventRecord extends JsonRecord {
  id: string;
  account_id: string;
  integration_id: string;
  created_at: string;
  status: 'succeeded' | 'failed';
  request: number;
  error?: string;
  cpu_time: number;
  in_bytes: number;
  out_bytes: number;
}

/** one audited Management API call; `id` is a zero-padded sequence number (not returned) */
export interface AuditRecord extends JsonRecord {
  id: string;
  environment: string;
  created_at: string;
  remote_addr: string;
  user_agent: string;
  audit_type: 'ALARM' | 'ERROR' | 'API' | 'UNKNOWN';
  method: string;
  path: string;
  code: string;
  body?: unknown;
  response?: string;
  status?: string;
  member_id?: string;
  account_id?: string;
  integration_id?: string;
  bridge_group_id?: string;
}

/**
 * How the audit collection stores events: one record per batch appended together (the events an
 * observer's queued transaction appends at once, hundreds under load), its id the first event's.
 * So recording a call costs no store record, journal operation or retention delete of its own.
 * Stores written before batches hold one event per record (an AuditRecord, without `events`);
 * both are read alike, and ids keep their order across both.
 */
export interface AuditBatchRecord extends JsonRecord {
  id: string;
  events: AuditRecord[];
}

export type StoredAudit = AuditBatchRecord | AuditRecord;

/** per-organization counters (audit and status-event sequence numbers) */
export interface CounterRecord extends JsonRecord {
  id: string;
  value: number;
  /** the audit counter's: the id of the oldest stored audit record (where retention resumes) */
  oldest?: string;
}

// ---- roles, mappings, organization webhooks (their families' records)

/** a role's or an ad-hoc token's resource restriction (access.ts reads it) */
export interface Resources {
  organizations?: { ids: string[]; labels?: string[] };
  accounts?: { ids: string[]; labels?: string[]; environments?: Environment[] };
  integrations?: { categories: string[] };
}

export interface RoleRecord extends BaseRecord {
  fullname: string;
  description?: string;
  resources?: Resources;
  permission_set: string;
}

/** a custom mapping; `data` is its JSONata program (docs: notes/mapping-language.md) */
export interface MappingRecord extends BaseRecord {
  fullname: string;
  organization_id: string;
  data: string;
  /** 1 on create, +1 whenever `data` changes; absent on records stored before versions existed (= 1) */
  version?: number;
}

/** a superseded version of a mapping's program (`{mapping_id}:{version}` references keep working) */
export interface MappingVersionRecord extends JsonRecord {
  /** `<mapping_id>:<version>` */
  id: string;
  mapping_id: string;
  version: number;
  data: string;
  created_at: string;
}

/** an SSO configuration; the OIDC client secret only as its SHA-256 hash, the SAML certificate and metadata URL kept but never returned */
export interface SsoConfigurationRecord extends BaseRecord {
  fullname: string;
  identity_provider:
    | { type: 'oidc'; issuer_url: string; client_id: string; client_secret_hash: string }
    | { type: 'saml'; idp_entity_id: string; idp_sso_url: string; sp_entity_id: string; idp_certificate: string; idp_metadata_url?: string; name_id_format?: string };
}

/** a custom provider definition; `data` is its YAML document */
export interface CustomRecord extends BaseRecord {
  fullname: string;
  organization_id: string;
  data: string;
}

/** an organization webhook; its signing secret is a credential (`credential_id`) owned by it */
export interface OrganizationWebhookRecord extends BaseRecord {
  fullname: string;
  environment: Environment;
  filters: string[];
  url: string;
  credential_id: string;
}

/** one webhook delivery (an event for one webhook) with every attempt made so far */
export interface WebhookDeliveryRecord extends JsonRecord {
  id: string;
  organization_id: string;
  webhook_id: string;
  event: string;
  nonce: string;
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  payload: JsonRecord;
  created_at: string;
  updated_at: string;
  next_attempt_at?: string;
  /** why a failed delivery failed */
  error?: string;
  attempts: Array<{ attempt: number; at: string; status: number; duration_ms: number; error?: string }>;
}

export const ORGANIZATIONS = 'synqly/organizations';
export const SECRET_INDEX = 'synqly/secrets';

export function orgCollection(orgId: string, family: string): string {
  return `synqly/org/${orgId}/${family}`;
}

export function orgPrefix(orgId: string): string {
  return `synqly/org/${orgId}/`;
}

/**
 * Slices already built, per Tx and organization: a slice holds views only (no data), so the same
 * one serves every call on the same Tx, and a request builds none on the store's reader. Each Tx's
 * map is bounded (cleared when full); a transaction's goes away with it.
 */
const slices = new WeakMap<Tx, Map<string, OrgState>>();
const SLICES_PER_TX = 1000;

/** The state slice of one organization, as handlers and models see it. */
export function orgState(tx: Tx, orgId: string): OrgState {
  let byOrg = slices.get(tx);
  if (!byOrg) slices.set(tx, (byOrg = new Map()));
  let slice = byOrg.get(orgId);
  if (!slice) {
    if (byOrg.size >= SLICES_PER_TX) byOrg.clear();
    byOrg.set(orgId, (slice = buildOrgState(tx, orgId)));
  }
  return slice;
}

function buildOrgState(tx: Tx, orgId: string) {
  return {
    tx,
    orgId,
    organizations: collection<OrganizationRecord>(tx, ORGANIZATIONS),
    secrets: collection<SecretIndexRecord>(tx, SECRET_INDEX),
    accounts: collection<AccountRecord>(tx, orgCollection(orgId, 'accounts')),
    refreshTokens: collection<RefreshTokenRecord>(tx, orgCollection(orgId, 'refresh_tokens')),
    roles: collection<RoleRecord>(tx, orgCollection(orgId, 'roles')),
    mappings: collection<MappingRecord>(tx, orgCollection(orgId, 'mappings')),
    mappingVersions: collection<MappingVersionRecord>(tx, orgCollection(orgId, 'mapping_versions')),
    ssoConfigurations: collection<SsoConfigurationRecord>(tx, orgCollection(orgId, 'sso_configurations')),
    customs: collection<CustomRecord>(tx, orgCollection(orgId, 'customs')),
    webhooks: collection<OrganizationWebhookRecord>(tx, orgCollection(orgId, 'organization_webhooks')),
    webhookDeliveries: collection<WebhookDeliveryRecord>(tx, orgCollection(orgId, 'webhook_deliveries')),
    members: collection<MemberRecord>(tx, orgCollection(orgId, 'members')),
    credentials: collection<CredentialRecord>(tx, orgCollection(orgId, 'credentials')),
    integrationPoints: collection<IntegrationPointRecord>(tx, orgCollection(orgId, 'integration_points')),
    integrations: collection<IntegrationRecord>(tx, orgCollection(orgId, 'integrations')),
    bridges: collection<BridgeGroupRecord>(tx, orgCollection(orgId, 'bridge_groups')),
    statuses: collection<StatusRecord>(tx, orgCollection(orgId, 'status')),
    statusEvents: collection<StatusEventRecord>(tx, orgCollection(orgId, 'status_events')),
    audit: collection<StoredAudit>(tx, orgCollection(orgId, 'audit')),
    counters: collection<CounterRecord>(tx, orgCollection(orgId, 'counters')),
  };
}

export type OrgState = ReturnType<typeof buildOrgState>;
