import { describe, expect, it } from 'vitest';
import { createRandom } from '../../core/random.ts';
import { Store } from '../../core/store/store.ts';
import { createMember, deleteMember, type CreateMemberRequest } from '../members/model.ts';
import { createOrganization } from '../organization/model.ts';
import { orgState } from '../state.ts';
import { resolveBearer } from '../tokens/model.ts';
import { changePassword, logoff, logon, MAX_FAILED_LOGONS } from './model.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-01T12:00:00Z');
const SECRET = 'c0rrect-h0rse-battery';

async function setup(member: Partial<CreateMemberRequest> = {}) {
  const store = await Store.open();
  const random = createRandom('auth-model');
  const env = (nowMs = T0) => ({ nowMs, random });
  const { organization } = await store.transact((tx) => createOrganization(tx, { name: 'acme' }, env()));
  const m = await store.transact((tx) => createMember(orgState(tx, organization.id), { name: 'alice@acme.com', secret: SECRET, ...member }, env()));
  const tryLogon = (secret: string, nowMs = T0, org = 'acme') => store.transact((tx) => logon(tx, org, { name: 'ALICE@acme.com', secret }, env(nowMs)));
  return { store, env, organization, member: m, tryLogon, org: () => orgState(store.reader, organization.id) };
}

describe('auth model', () => {
  it('issues a logon session with the member\'s binding and token_ttl, refreshable for 24h', async () => {
    const { tryLogon, store, member } = await setup({ role_binding: ['viewer'], options: { token_ttl: '2h' } });
    const out = await tryLogon(SECRET);
    if (!out.ok) throw out.error;
    expect(out.result.auth_code).toBe('success');
    expect(out.result.token.access.permissions).toMatchObject({ member_id: member.id, role_binding: ['viewer'] });
    expect(Date.parse(out.result.token.access.expires)).toBe(T0 + 2 * HOUR);
    expect(Date.parse(out.result.token.refresh.expires)).toBe(T0 + 24 * HOUR);
    const session = resolveBearer(store.reader, out.result.token.access.secret, T0);
    expect(session.ok && session.token.token_type).toBe('logon');
  });

  it(`locks the member after ${MAX_FAILED_LOGONS} wrong secrets, then refuses even the right one`, async () => {
    const { tryLogon, org, member } = await setup();
    for (let i = 1; i < MAX_FAILED_LOGONS; i++) {
      const out = await tryLogon('wr0ng-secret');
      expect(out.ok).toBe(false);
      expect(org().members.get(member.id)?.failed_logons).toBe(i);
    }
    const last = await tryLogon('wr0ng-secret');
    expect(!last.ok && last.error.message).toContain('now locked');
    expect(org().members.get(member.id)?.state).toBe('locked');
    const right = await tryLogon(SECRET);
    expect(!right.ok && right.error.status).toBe(401);
    expect(!right.ok && right.error.message).toContain('locked');
  });

  it('an invitation is accepted only before pin_expires (the organization\'s invite_duration)', async () => {
    const { tryLogon, member } = await setup({ options: { options: ['invited'] } });
    expect(Date.parse(member.pin_expires)).toBe(T0 + 168 * HOUR);
    const early = await tryLogon(SECRET, T0 + HOUR);
    expect(early.ok && early.result.auth_code).toBe('invited');
    const late = await tryLogon(SECRET, T0 + 169 * HOUR);
    expect(!late.ok && late.error.message).toContain('invitation');
  });

  it('a password older than the password_duration (default 4320h) forces a change; changing it restores full sessions', async () => {
    const { tryLogon, store, env, organization } = await setup();
    const later = T0 + 4321 * HOUR;
    const out = await tryLogon(SECRET, later);
    if (!out.ok) throw out.error;
    expect(out.result.auth_code).toBe('expired');
    const session = resolveBearer(store.reader, out.result.token.access.secret, later);
    if (!session.ok) throw new Error('session invalid');
    expect(session.token.only_actions).toEqual(['auth.change_password']);
    await store.transact((tx) => changePassword(orgState(tx, organization.id), session.token, { old_secret: SECRET, new_secret: 'st4ple-gun-lantern-07' }, env(later)));
    const again = await tryLogon('st4ple-gun-lantern-07', later + 1000);
    expect(again.ok && again.result.auth_code).toBe('success');
  });

  it('logoff deletes the session; deleting the member deletes its sessions', async () => {
    const { tryLogon, store, org, member } = await setup();
    const a = await tryLogon(SECRET);
    const b = await tryLogon(SECRET);
    if (!a.ok || !b.ok) throw new Error('logon failed');
    await store.transact((tx) => logoff(orgState(tx, org().orgId), a.result.refresh_token_id));
    expect(resolveBearer(store.reader, a.result.token.access.secret, T0).ok).toBe(false);
    expect(resolveBearer(store.reader, b.result.token.access.secret, T0).ok).toBe(true);
    await store.transact((tx) => deleteMember(orgState(tx, org().orgId), member.id));
    expect(resolveBearer(store.reader, b.result.token.access.secret, T0).ok).toBe(false);
    expect(org().refreshTokens.all().filter((t) => t.member_id === member.id)).toEqual([]);
  });

  it('an unknown organization or member is the same 401 as a wrong secret', async () => {
    const { tryLogon } = await setup();
    const messages = await Promise.all([tryLogon(SECRET, T0, 'nope'), tryLogon('wr0ng-secret')]);
    expect(messages.map((m) => !m.ok && m.error.status)).toEqual([401, 401]);
    expect(new Set(messages.map((m) => !m.ok && m.error.message)).size).toBe(1);
  });
});
