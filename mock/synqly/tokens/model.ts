import { formatDuration } from '../../core/durations.ts';
import { hashSecret, sameHash } from '../../core/secrets.ts';
import type { Random } from '../../core/random.ts';
import type { Tx } from '../../core/store/store.ts';
import {
  ORGANIZATIONS,
  SECRET_INDEX,
  orgCollection,
  type OrgState,
  type OrganizationRecord,
  type PermissionRecord,
  type RefreshTokenRecord,
  type SecretIndexRecord,
  type StoredTokenPair,
  type TokenKind,
  type TokenType,
} from '../state.ts';

/** What a model needs from the outside world: the time and the randomness, both injected. */
export interface ModelEnv {
  nowMs: number;
  random: Random;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Secrets handed to the caller once; the store keeps only their hashes. */
export interface IssuedPair {
  access: { secret: string; expires: string; permissions: PermissionRecord };
  refresh: { secret: string; expires: string; permissions: PermissionRecord };
}

export interface IssueOptions {
  ownerId: string;
  ownerType: 'organization' | 'integration';
  kind: TokenKind;
  tokenType: TokenType;
  /** lifetime of an access secret */
  ttlMs: number;
  /** lifetime of the refresh token itself (defaults to ttlMs) */
  expiresMs?: number;
  name?: string;
  fullname?: string;
  memberId?: string;
  parentId?: string;
  roleBinding?: string[];
  adhocRole?: PermissionRecord['adhoc_role'];
  rootOrganizationId?: string;
}

/** Creates a RefreshToken with a fresh primary pair and indexes its secrets. */
export function issueRefreshToken(state: OrgState, opts: IssueOptions, env: ModelEnv): { record: RefreshTokenRecord; pair: IssuedPair } {
  const id = env.random.uuid();
  const now = iso(env.nowMs);
  const { stored, issued } = newPair(state, id, opts, env);
  const record: RefreshTokenRecord = {
    id,
    name: opts.name ?? id,
    fullname: opts.fullname ?? opts.name ?? id,
    ...(opts.memberId ? { member_id: opts.memberId } : {}),
    owner_id: opts.ownerId,
    owner_type: opts.ownerType,
    expires: iso(env.nowMs + (opts.expiresMs ?? opts.ttlMs)),
    token_ttl: formatDuration(opts.ttlMs),
    token_type: opts.tokenType,
    kind: opts.kind,
    primary: stored,
    created_at: now,
    updated_at: now,
  };
  state.refreshTokens.put(record);
  indexPair(state, record.id, 'primary', stored);
  return { record, pair: issued };
}

function newPair(state: OrgState, refreshTokenId: string, opts: IssueOptions, env: ModelEnv): { stored: StoredTokenPair; issued: IssuedPair } {
  const permissions: PermissionRecord = {
    id: refreshTokenId,
    parent_id: opts.parentId ?? state.orgId,
    organization_id: state.orgId,
    ...(opts.rootOrganizationId ? { root_organization_id: opts.rootOrganizationId } : {}),
    member_id: opts.memberId ?? '',
    resource_id: opts.ownerId,
    resource_type: opts.ownerType,
    ...(opts.roleBinding ? { role_binding: opts.roleBinding } : {}),
    ...(opts.adhocRole ? { adhoc_role: opts.adhocRole } : {}),
  };
  const accessSecret = env.random.secret();
  const refreshSecret = env.random.secret();
  const accessExpires = iso(env.nowMs + opts.ttlMs);
  const refreshExpires = iso(env.nowMs + (opts.expiresMs ?? opts.ttlMs));
  return {
    stored: {
      access: { secret_hash: hashSecret(accessSecret), expires: accessExpires, permissions },
      refresh: { secret_hash: hashSecret(refreshSecret), expires: refreshExpires, permissions },
    },
    issued: {
      access: { secret: accessSecret, expires: accessExpires, permissions },
      refresh: { secret: refreshSecret, expires: refreshExpires, permissions },
    },
  };
}

function indexPair(state: OrgState, refreshTokenId: string, slot: 'primary' | 'secondary', pair: StoredTokenPair): void {
  for (const part of ['access', 'refresh'] as const) {
    state.secrets.put({ id: pair[part].secret_hash, organization_id: state.orgId, refresh_token_id: refreshTokenId, slot, part });
  }
}

export function unindexPair(state: OrgState, pair: StoredTokenPair | undefined): void {
  if (!pair) return;
  state.secrets.delete(pair.access.secret_hash);
  state.secrets.delete(pair.refresh.secret_hash);
}

/** Removes a RefreshToken and every secret of it. */
export function deleteRefreshToken(state: OrgState, record: RefreshTokenRecord): void {
  unindexPair(state, record.primary);
  unindexPair(state, record.secondary);
  state.refreshTokens.delete(record.id);
}

export type BearerResolution =
  | {
      ok: true;
      organization: OrganizationRecord;
      token: RefreshTokenRecord;
      slot: 'primary' | 'secondary';
      part: 'access' | 'refresh';
    }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

/**
 * Finds the token a bearer secret belongs to: by hash through the index, then a constant-time
 * comparison against the stored hash, then its expiry against the clock.
 */
export function resolveBearer(tx: Tx, secret: string, nowMs: number): BearerResolution {
  const hash = hashSecret(secret);
  const entry = tx.get<SecretIndexRecord>(SECRET_INDEX, hash);
  if (!entry) return { ok: false, reason: 'unknown' };
  const token = tx.get<RefreshTokenRecord>(orgCollection(entry.organization_id, 'refresh_tokens'), entry.refresh_token_id);
  const pair = token?.[entry.slot];
  const organization = tx.get<OrganizationRecord>(ORGANIZATIONS, entry.organization_id);
  if (!token || !pair || !organization) return { ok: false, reason: 'revoked' };
  const stored = pair[entry.part];
  if (!sameHash(stored.secret_hash, hash)) return { ok: false, reason: 'revoked' };
  if (Date.parse(stored.expires) <= nowMs || Date.parse(token.expires) <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, organization, token, slot: entry.slot, part: entry.part };
}

/** The API shape of a RefreshToken. Secrets appear only where this call just issued them. */
export function refreshTokenView(record: RefreshTokenRecord, issued?: { primary?: IssuedPair; secondary?: IssuedPair }) {
  const pairView = (stored: StoredTokenPair, plain?: IssuedPair) => ({
    access: { secret: plain?.access.secret ?? '', expires: stored.access.expires, permissions: stored.access.permissions },
    refresh: { secret: plain?.refresh.secret ?? '', expires: stored.refresh.expires, permissions: stored.refresh.permissions },
  });
  const { kind: _kind, primary, secondary, ...rest } = record;
  return {
    ...rest,
    primary: pairView(primary, issued?.primary),
    ...(secondary ? { secondary: pairView(secondary, issued?.secondary) } : {}),
  };
}

export function tokenPairView(pair: IssuedPair) {
  return { access: { ...pair.access }, refresh: { ...pair.refresh } };
}
