import { formatDuration, parseDuration } from '../../core/durations.ts';
import { hashSecret, sameHash } from '../../core/secrets.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import type { Tx } from '../../core/store/store.ts';
import {
  ORGANIZATIONS,
  SECRET_INDEX,
  orgState,
  type OrgState,
  type OrganizationRecord,
  type PermissionRecord,
  type RefreshTokenRecord,
  type SecretIndexRecord,
  type StoredTokenPair,
  type TokenKind,
  type TokenType,
} from '../state.ts';

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
  /** ad-hoc roles of the tokens this one derives from (twin-internal, each narrows the token) */
  adhocLimits?: RefreshTokenRecord['adhoc_limits'];
  /** the only actions the token allows (twin-internal) */
  onlyActions?: string[];
  /** the scope of an MCP token (twin-internal) */
  mcpScope?: RefreshTokenRecord['mcp_scope'];
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
    lifetime: formatDuration(opts.expiresMs ?? opts.ttlMs),
    ...(opts.adhocLimits && opts.adhocLimits.length > 0 ? { adhoc_limits: opts.adhocLimits } : {}),
    ...(opts.onlyActions ? { only_actions: [...opts.onlyActions] } : {}),
    ...(opts.mcpScope ? { mcp_scope: opts.mcpScope } : {}),
    created_at: now,
    updated_at: now,
  };
  state.refreshTokens.put(record);
  indexPair(state, record.id, 'primary', stored);
  return { record, pair: issued };
}

function newPair(state: OrgState, refreshTokenId: string, opts: IssueOptions, env: ModelEnv): { stored: StoredTokenPair; issued: IssuedPair } {
  return mintPair(permissionsFor(state, refreshTokenId, opts), env.nowMs + opts.ttlMs, env.nowMs + (opts.expiresMs ?? opts.ttlMs), env);
}

function permissionsFor(state: OrgState, refreshTokenId: string, opts: IssueOptions): PermissionRecord {
  return {
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
}

/** a fresh pair of secrets carrying `permissions`; the store gets their hashes, the caller the secrets */
function mintPair(permissions: PermissionRecord, accessExpiresMs: number, refreshExpiresMs: number, env: ModelEnv): { stored: StoredTokenPair; issued: IssuedPair } {
  const accessSecret = env.random.secret();
  const refreshSecret = env.random.secret();
  const accessExpires = iso(accessExpiresMs);
  const refreshExpires = iso(refreshExpiresMs);
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

/** expiry timestamps already parsed (every request checks its token's two); bounded, cleared when full */
const parsedTimes = new Map<string, number>();

function timeOf(isoTime: string): number {
  let ms = parsedTimes.get(isoTime);
  if (ms === undefined) {
    if (parsedTimes.size >= 1000) parsedTimes.clear();
    parsedTimes.set(isoTime, (ms = Date.parse(isoTime)));
  }
  return ms;
}

/**
 * Finds the token a bearer secret belongs to: by hash through the index, then a constant-time
 * comparison against the stored hash, then its expiry against the clock.
 */
export function resolveBearer(tx: Tx, secret: string, nowMs: number): BearerResolution {
  const hash = hashSecret(secret);
  const entry = tx.get<SecretIndexRecord>(SECRET_INDEX, hash);
  if (!entry) return { ok: false, reason: 'unknown' };
  // through the organization's cached state: its collection names are made once, not per request
  const token = orgState(tx, entry.organization_id).refreshTokens.get(entry.refresh_token_id);
  const pair = token?.[entry.slot];
  const organization = tx.get<OrganizationRecord>(ORGANIZATIONS, entry.organization_id);
  if (!token || !pair || !organization) return { ok: false, reason: 'revoked' };
  const stored = pair[entry.part];
  if (!sameHash(stored.secret_hash, hash)) return { ok: false, reason: 'revoked' };
  if (timeOf(stored.expires) <= nowMs || timeOf(token.expires) <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, organization, token, slot: entry.slot, part: entry.part };
}

/** The API shape of a RefreshToken. Secrets appear only where this call just issued them. */
export function refreshTokenView(record: RefreshTokenRecord, issued?: { primary?: IssuedPair; secondary?: IssuedPair }) {
  const pairView = (stored: StoredTokenPair, plain?: IssuedPair) => ({
    access: { secret: plain?.access.secret ?? '', expires: stored.access.expires, permissions: stored.access.permissions },
    refresh: { secret: plain?.refresh.secret ?? '', expires: stored.refresh.expires, permissions: stored.refresh.permissions },
  });
  const { kind: _kind, lifetime: _lifetime, only_actions: _only, mcp_scope: _scope, adhoc_limits: _limits, primary, secondary, ...rest } = record;
  return {
    ...rest,
    primary: pairView(primary, issued?.primary),
    ...(secondary ? { secondary: pairView(secondary, issued?.secondary) } : {}),
  };
}

export function tokenPairView(pair: IssuedPair) {
  return { access: { ...pair.access }, refresh: { ...pair.refresh } };
}

// ---- lifecycle (contract §4.3, DECISIONS "tokens")

const ms = (iso: string) => Date.parse(iso);

/** the lifetime the RefreshToken was issued with (restored by reset) */
function lifetimeMs(record: RefreshTokenRecord): number {
  const parsed = record.lifetime ? parseDuration(record.lifetime) : undefined;
  return parsed ?? Math.max(0, ms(record.expires) - ms(record.created_at));
}

/** a new primary pair with the record's permissions; access lives token_ttl, capped by the record's expiry */
function nextPrimary(record: RefreshTokenRecord, expiresMs: number, env: ModelEnv): { stored: StoredTokenPair; issued: IssuedPair } {
  const ttl = parseDuration(record.token_ttl) ?? 0;
  return mintPair(record.primary.access.permissions, Math.min(env.nowMs + ttl, expiresMs), expiresMs, env);
}

/**
 * tokens_refresh and tokens_rotate: the previous secondary is dropped, the primary becomes the
 * secondary (still valid: the "backup" while the new primary is deployed) and a new primary is
 * issued. The RefreshToken's own expiry does not move.
 */
export function rotateRefreshToken(state: OrgState, record: RefreshTokenRecord, env: ModelEnv): { record: RefreshTokenRecord; pair: IssuedPair } {
  unindexPair(state, record.secondary);
  state.secrets.delete(record.primary.access.secret_hash);
  state.secrets.delete(record.primary.refresh.secret_hash);
  const { stored, issued } = nextPrimary(record, ms(record.expires), env);
  const next: RefreshTokenRecord = { ...record, primary: stored, secondary: record.primary, updated_at: iso(env.nowMs) };
  state.refreshTokens.put(next);
  indexPair(state, next.id, 'secondary', record.primary);
  indexPair(state, next.id, 'primary', stored);
  return { record: next, pair: issued };
}

/** tokens_reset: both old pairs stop working at once; a new primary; the expiry starts over. */
export function resetRefreshToken(state: OrgState, record: RefreshTokenRecord, env: ModelEnv): { record: RefreshTokenRecord; pair: IssuedPair } {
  unindexPair(state, record.primary);
  unindexPair(state, record.secondary);
  const expiresMs = env.nowMs + lifetimeMs(record);
  const { stored, issued } = nextPrimary(record, expiresMs, env);
  const { secondary: _dropped, ...rest } = record;
  const next: RefreshTokenRecord = { ...rest, primary: stored, expires: iso(expiresMs), updated_at: iso(env.nowMs) };
  state.refreshTokens.put(next);
  indexPair(state, next.id, 'primary', stored);
  return { record: next, pair: issued };
}

/** tokens_remove_secondary: the secondary pair stops working. */
export function removeSecondaryPair(state: OrgState, record: RefreshTokenRecord, env: ModelEnv): RefreshTokenRecord {
  unindexPair(state, record.secondary);
  const { secondary: _dropped, ...rest } = record;
  const next: RefreshTokenRecord = { ...rest, updated_at: iso(env.nowMs) };
  state.refreshTokens.put(next);
  return next;
}

/** The single Token of a pair (what tokens_create_mcp_token and tokens_create_integration_token return). */
export function accessTokenView(pair: IssuedPair) {
  return { ...pair.access };
}
