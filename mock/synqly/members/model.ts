import { errors } from '../../core/errors.ts';
import { formatDuration, parseDuration } from '../../core/durations.ts';
import { unknownRoles } from '../access.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, findByIdOrName } from '../names.ts';
import type { MemberRecord, MemberState, OrgState } from '../state.ts';
import { deleteRefreshToken } from '../tokens/model.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { assertSameId } from '../updates.ts';
import { assertPasswordRules, hashPassword } from './passwords.ts';
import type { components } from '../../generated/synqly.ts';

/**
 * Members (contract §2.3, §3.10, §7): personal members are named by email, service members by any
 * unique identifier; secrets are scrypt hashes; `ttl` is the member's lifetime (`expires`),
 * `token_ttl` the lifetime of the access tokens its logons get. Member delete removes its tokens.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const MEMBER_TTL = { min: DAY, max: 3650 * DAY, default: 3650 * DAY };
export const MEMBER_TOKEN_TTL = { min: MINUTE, maxPersonal: DAY, maxService: 90 * DAY, default: HOUR };

export const MEMBER_FIELDS = ['id', 'name', 'fullname', 'nickname', 'state', 'type', 'last_logon', 'expires', 'created_at', 'updated_at'] as const;

const EMAIL = /^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/;
const SERVICE_NAME = /^[A-Za-z0-9_.~@+-]{1,100}$/;

/** The organization's member policy (OrganizationOptions, contract §2.2), defaults filled in. */
export interface MemberPolicy {
  inviteMs: number;
  forgotMs: number;
  passwordMs: number;
  minPasswordLength: number;
}

export function memberPolicy(org: OrgState): MemberPolicy {
  const options: Record<string, unknown> = org.organizations.get(org.orgId)?.options ?? {};
  const duration = (key: string, fallback: number) => {
    const text = options[key];
    return typeof text === 'string' ? (parseDuration(text) ?? fallback) : fallback;
  };
  return {
    inviteMs: duration('invite_duration', 168 * HOUR),
    forgotMs: duration('forgot_duration', 24 * HOUR),
    passwordMs: duration('password_duration', 4320 * HOUR),
    minPasswordLength: typeof options.minimum_password_length === 'number' ? Math.max(8, options.minimum_password_length) : 8,
  };
}

/** The API shape: never the secret, nor the twin's bookkeeping. */
export function memberView(record: MemberRecord) {
  const { secret_hash: _s, password_set_at: _p, failed_logons: _f, must_change_password: _m, ...view } = record;
  return view;
}

const bad = (message: string, pointer: string, value?: unknown) => errors.badRequest(message, { parameter: { id: pointer, location: 'body', ...(value !== undefined ? { value } : {}) } });

function assertMemberName(name: string, type: 'personal' | 'service', pointer = '/name'): void {
  if (type === 'personal' && (!EMAIL.test(name) || name.length > 254)) throw bad(`name ${JSON.stringify(name)} must be an email address for a personal member`, pointer, name);
  if (type === 'service' && !SERVICE_NAME.test(name)) throw bad(`name ${JSON.stringify(name)} must be 1-100 letters, digits or _ . ~ @ + -`, pointer, name);
}

function durationIn(text: string, pointer: string, range: { min: number; max: number }): number {
  const value = parseDuration(text);
  if (value === undefined || value < range.min || value > range.max) {
    throw bad(`${pointer.split('/').pop()} ${JSON.stringify(text)} must be a duration between ${formatDuration(range.min)} and ${formatDuration(range.max)}`, pointer, text);
  }
  return value;
}

function tokenTtlRange(type: 'personal' | 'service') {
  return { min: MEMBER_TOKEN_TTL.min, max: type === 'service' ? MEMBER_TOKEN_TTL.maxService : MEMBER_TOKEN_TTL.maxPersonal };
}

function assertRoles(org: OrgState, binding: readonly string[], pointer: string): void {
  const unknown = unknownRoles(org.tx, org.orgId, binding);
  if (unknown.length > 0) throw bad(`role_binding names roles that do not exist: ${unknown.join(', ')}`, pointer, unknown[0]);
}

/** whether the member must change the password before anything else (the `expired` condition) */
export function isExpired(member: MemberRecord, policy: MemberPolicy, nowMs: number): boolean {
  return member.must_change_password || Date.parse(member.expires) <= nowMs || Date.parse(member.password_set_at) + policy.passwordMs <= nowMs;
}

// ---- members_create

export type CreateMemberRequest = components['schemas']['CreateMemberRequest'];

/** the initial state the `options` ask for; the most restrictive wins */
function initialState(options: readonly string[]): MemberState {
  for (const state of ['disabled', 'locked', 'invited', 'forgotten'] as const) if (options.includes(state)) return state;
  return 'enabled';
}

export function createMember(org: OrgState, input: CreateMemberRequest, env: ModelEnv): MemberRecord {
  const type = input.type ?? 'personal';
  assertMemberName(input.name, type);
  assertNameFree(org.members.all(), input.name, 'member');
  const binding = input.role_binding ?? ['member'];
  assertRoles(org, binding, '/role_binding');
  const policy = memberPolicy(org);
  assertPasswordRules(input.secret, { minLength: policy.minPasswordLength, memberName: input.name }, '/secret');
  const ttl = input.options?.ttl !== undefined ? durationIn(input.options.ttl, '/options/ttl', MEMBER_TTL) : MEMBER_TTL.default;
  const tokenTtl = input.options?.token_ttl !== undefined ? durationIn(input.options.token_ttl, '/options/token_ttl', tokenTtlRange(type)) : MEMBER_TOKEN_TTL.default;
  const flags = input.options?.options ?? [];
  const state = initialState(flags);
  const now = iso(env.nowMs);
  const member: MemberRecord = {
    id: env.random.uuid(),
    name: input.name,
    fullname: input.fullname ?? input.name,
    ...(input.nickname !== undefined ? { nickname: input.nickname } : {}),
    ...(input.picture !== undefined ? { picture: input.picture } : {}),
    state,
    last_logon: now,
    ttl: formatDuration(ttl),
    token_ttl: formatDuration(tokenTtl),
    expires: iso(env.nowMs + ttl),
    pin_expires: iso(env.nowMs + (state === 'invited' ? policy.inviteMs : state === 'forgotten' ? policy.forgotMs : 0)),
    role_binding: [...binding],
    type,
    secret_hash: hashPassword(input.secret, env.random.bytes(16)),
    password_set_at: now,
    failed_logons: 0,
    must_change_password: flags.includes('expired'),
    created_at: now,
    updated_at: now,
  };
  org.members.put(member);
  return member;
}

// ---- members_get / members_list

export function findMember(org: OrgState, idOrName: string): MemberRecord {
  const member = findByIdOrName(org.members, idOrName);
  if (!member) throw errors.notFound(`member ${idOrName} not found`, { parameter: { id: 'memberId', location: 'path', value: idOrName } });
  return member;
}

export function listMembers(org: OrgState, query: ListQuery): ListPage<MemberRecord> {
  return listRecords(org.members.all(), query, { fields: MEMBER_FIELDS });
}

// ---- members_update / members_patch

/** the full Member, as PUT takes it */
export type UpdateMemberRequest = components['schemas']['UpdateMemberRequest'];

/**
 * Full replace of the writable fields: name, fullname, nickname, picture, state, ttl, token_ttl,
 * expires, pin_expires, role_binding, type. `last_logon` and `created_at` come from storage.
 * Setting the state back to `enabled` clears the failed-logon count (this is how a locked member
 * is unlocked).
 */
export function updateMember(org: OrgState, idOrName: string, body: UpdateMemberRequest, env: ModelEnv): MemberRecord {
  const member = findMember(org, idOrName);
  assertSameId(body.id, member.id, 'member');
  assertMemberName(body.name, body.type);
  assertNameFree(org.members.all(), body.name, 'member', member.id);
  assertRoles(org, body.role_binding, '/role_binding');
  durationIn(body.ttl, '/ttl', MEMBER_TTL);
  durationIn(body.token_ttl, '/token_ttl', tokenTtlRange(body.type));
  const reenabled = body.state === 'enabled' && member.state !== 'enabled';
  const next: MemberRecord = {
    ...member,
    name: body.name,
    fullname: body.fullname,
    state: body.state,
    ttl: formatDuration(parseDuration(body.ttl)!),
    token_ttl: formatDuration(parseDuration(body.token_ttl)!),
    expires: iso(Date.parse(body.expires)),
    pin_expires: iso(Date.parse(body.pin_expires)),
    role_binding: [...body.role_binding],
    type: body.type,
    failed_logons: reenabled ? 0 : member.failed_logons,
    updated_at: iso(env.nowMs),
  };
  delete next.nickname;
  delete next.picture;
  if (body.nickname !== undefined) next.nickname = body.nickname;
  if (body.picture !== undefined) next.picture = body.picture;
  org.members.put(next);
  return next;
}

// ---- members_delete

/** Deletes the member and every token issued to it (its logon sessions and what they created). */
export function deleteMember(org: OrgState, idOrName: string): MemberRecord {
  const member = findMember(org, idOrName);
  for (const token of org.refreshTokens.all()) if (token.member_id === member.id) deleteRefreshToken(org, token);
  org.members.delete(member.id);
  return member;
}
