import { ApiError, errors } from '../../core/errors.ts';
import { parseDuration } from '../../core/durations.ts';
import type { Tx } from '../../core/store/store.ts';
import { isExpired, memberPolicy, memberView } from '../members/model.ts';
import { assertPasswordRules, DUMMY_HASH, hashPassword, verifyPassword } from '../members/passwords.ts';
import { organizationView, paymentRequiredReason } from '../organization/model.ts';
import { orgState, ORGANIZATIONS, type MemberRecord, type OrganizationRecord, type OrgState, type RefreshTokenRecord } from '../state.ts';
import { deleteRefreshToken, issueRefreshToken, tokenPairView } from '../tokens/model.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';

/**
 * Member sessions (contract §3.3, §4.7; DECISIONS "logon"): auth_logon checks name and secret
 * (scrypt), counts failures (five in a row lock the member) and issues a `logon` RefreshToken that
 * carries the member's role_binding. An expired member (or one still invited / asked to reset)
 * gets `auth_code` `expired`/`invited` and a token that allows only auth_change_password.
 */

export const MAX_FAILED_LOGONS = 5;
/** how long a logon RefreshToken can be refreshed (the access secret lives the member's token_ttl) */
export const SESSION_LIFETIME_MS = 24 * 3_600_000;
export const CHANGE_PASSWORD_ONLY = ['auth.change_password'];

export type LogonOutcome = { ok: true; result: ReturnType<typeof logonResult> } | { ok: false; error: ApiError };

const denied = (message: string): LogonOutcome => ({ ok: false, error: errors.unauthorized(message) });
const INVALID = 'invalid organization, member name or secret';

function findOrganization(tx: Tx, idOrName: string): OrganizationRecord | undefined {
  const lower = idOrName.toLowerCase();
  return tx.get<OrganizationRecord>(ORGANIZATIONS, idOrName) ?? tx.values<OrganizationRecord>(ORGANIZATIONS).find((o) => o.name.toLowerCase() === lower);
}

function logonResult(org: OrganizationRecord, member: MemberRecord, token: RefreshTokenRecord, pair: Parameters<typeof tokenPairView>[0], code: 'success' | 'expired' | 'invited', msg?: string) {
  return {
    auth_code: code,
    ...(msg ? { auth_msg: msg } : {}),
    refresh_token_id: token.id,
    token: tokenPairView(pair),
    organization: organizationView(org),
    member: memberView(member),
  };
}

/**
 * auth_logon. Runs inside a transaction and returns the outcome instead of throwing, so that a
 * failed attempt is still counted (stored) while the caller answers 401.
 */
export function logon(tx: Tx, orgIdOrName: string, body: { name: string; secret: string }, env: ModelEnv): LogonOutcome {
  const org = findOrganization(tx, orgIdOrName);
  if (!org) {
    verifyPassword(body.secret, DUMMY_HASH);
    return denied(INVALID);
  }
  const blocked = paymentRequiredReason(org, env.nowMs);
  if (blocked) return { ok: false, error: errors.paymentRequired(blocked) };
  const state = orgState(tx, org.id);
  const lower = body.name.toLowerCase();
  const member = state.members.all().find((m) => m.name.toLowerCase() === lower);
  if (!member) {
    verifyPassword(body.secret, DUMMY_HASH);
    return denied(INVALID);
  }
  if (member.state === 'locked') return denied(`member ${member.name} is locked after repeated failed logons; an administrator must enable it again`);
  if (member.state === 'disabled') return denied(`member ${member.name} is disabled`);
  const now = iso(env.nowMs);
  if (!verifyPassword(body.secret, member.secret_hash)) {
    const failed = member.failed_logons + 1;
    const locks = failed >= MAX_FAILED_LOGONS;
    state.members.put({ ...member, failed_logons: failed, ...(locks ? { state: 'locked' as const } : {}), updated_at: now });
    return denied(locks ? `${INVALID}; member ${member.name} is now locked after ${MAX_FAILED_LOGONS} failed logons` : INVALID);
  }
  const pending = member.state === 'invited' || member.state === 'forgotten';
  if (pending && Date.parse(member.pin_expires) <= env.nowMs) {
    return denied(`the ${member.state === 'invited' ? 'invitation' : 'password reset'} of member ${member.name} has expired; ask an administrator for a new one`);
  }
  const restricted = pending || isExpired(member, memberPolicy(state), env.nowMs);
  const code = member.state === 'invited' ? 'invited' : restricted ? 'expired' : 'success';
  const ttl = parseDuration(member.token_ttl) ?? 3_600_000;
  const lifetime = restricted ? ttl : Math.max(ttl, Math.min(SESSION_LIFETIME_MS, Date.parse(member.expires) - env.nowMs));
  const { record, pair } = issueRefreshToken(
    state,
    {
      ownerId: org.id,
      ownerType: 'organization',
      kind: 'organization',
      tokenType: 'logon',
      ttlMs: Math.min(ttl, lifetime),
      expiresMs: lifetime,
      fullname: `logon session of ${member.name}`,
      memberId: member.id,
      parentId: org.refresh_token_id,
      roleBinding: [...member.role_binding],
      ...(restricted ? { onlyActions: CHANGE_PASSWORD_ONLY } : {}),
    },
    env,
  );
  const updated: MemberRecord = { ...member, failed_logons: 0, last_logon: now, updated_at: now };
  state.members.put(updated);
  const msg = restricted ? 'the password must be changed (auth_change_password) before this member can do anything else' : undefined;
  return { ok: true, result: logonResult(org, updated, record, pair, code, msg) };
}

/** auth_change_password for the member of the calling session. */
export function changePassword(org: OrgState, token: RefreshTokenRecord, body: { old_secret: string; new_secret: string }, env: ModelEnv) {
  if (!token.member_id) {
    throw errors.badRequest('auth_change_password changes the password of the calling member; this token belongs to no member (use a logon token)');
  }
  const member = org.members.get(token.member_id);
  if (!member) throw errors.unauthorized('the token has been revoked: its member no longer exists');
  if (!verifyPassword(body.old_secret, member.secret_hash)) {
    throw errors.badRequest('old_secret does not match the current password', { parameter: { id: '/old_secret', location: 'body' } });
  }
  if (body.new_secret === body.old_secret) throw errors.badRequest('new_secret must differ from old_secret', { parameter: { id: '/new_secret', location: 'body' } });
  assertPasswordRules(body.new_secret, { minLength: memberPolicy(org).minPasswordLength, memberName: member.name }, '/new_secret');
  const now = iso(env.nowMs);
  const ttl = parseDuration(member.ttl) ?? 0;
  org.members.put({
    ...member,
    secret_hash: hashPassword(body.new_secret, env.random.bytes(16)),
    password_set_at: now,
    must_change_password: false,
    expires: iso(env.nowMs + ttl),
    state: member.state === 'invited' || member.state === 'forgotten' ? 'enabled' : member.state,
    failed_logons: 0,
    updated_at: now,
  });
  return { auth_code: 'success' as const };
}

/** auth_logoff: the calling logon session's RefreshToken is deleted (both pairs stop working). */
export function logoff(org: OrgState, tokenId: string): void {
  const token = org.refreshTokens.get(tokenId);
  if (!token) throw errors.unauthorized('the token has been revoked');
  if (token.token_type !== 'logon') {
    throw errors.badRequest(`auth_logoff ends a logon session; this is a ${token.token_type} token (delete ad-hoc tokens with tokens_delete)`);
  }
  deleteRefreshToken(org, token);
}
