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
  adhoc_role?: { resources: JsonRecord; permission_set: string };
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
}

/** secret index entry: which token a secret hash belongs to */
export interface SecretIndexRecord extends JsonRecord {
  id: string;
  organization_id: string;
  refresh_token_id: string;
  slot: 'primary' | 'secondary';
  part: 'access' | 'refresh';
}

export const ORGANIZATIONS = 'synqly/organizations';
export const SECRET_INDEX = 'synqly/secrets';

export function orgCollection(orgId: string, family: string): string {
  return `synqly/org/${orgId}/${family}`;
}

export function orgPrefix(orgId: string): string {
  return `synqly/org/${orgId}/`;
}

/** The state slice of one organization, as handlers and models see it. */
export function orgState(tx: Tx, orgId: string) {
  return {
    tx,
    orgId,
    organizations: collection<OrganizationRecord>(tx, ORGANIZATIONS),
    secrets: collection<SecretIndexRecord>(tx, SECRET_INDEX),
    accounts: collection<AccountRecord>(tx, orgCollection(orgId, 'accounts')),
    refreshTokens: collection<RefreshTokenRecord>(tx, orgCollection(orgId, 'refresh_tokens')),
  };
}

export type OrgState = ReturnType<typeof orgState>;
