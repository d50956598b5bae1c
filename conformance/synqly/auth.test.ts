import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession, synqlyAs } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { withClockAdvanced } from '../support/control.ts';

const target = await useTarget();
const twin = target.kind !== 'live';
const SECRET = 'c0rrect-h0rse-battery';


async function member(s: SynqlySession, request: Record<string, unknown> = {}) {
  const res = await s.post('/v1/members').send({ name: `${uniqueName('m')}@example.com`, secret: SECRET, ...request });
  expectOperation(res, 'members_create', 200);
  const m = res.body.result.member;
  s.defer(() => s.delete(`/v1/members/${m.id}`));
  return m as Record<string, any>;
}

async function orgRef(s: SynqlySession): Promise<string> {
  return s.organizationId ?? (await s.get('/v1/organization')).body.result.id;
}

async function logon(s: SynqlySession, name: string, secret = SECRET, org?: string) {
  return target.synqly.post(`/v1/auth/logon/${org ?? (await orgRef(s))}`).send({ name, secret });
}

describe('auth_logon / auth_logoff', () => {
  it('logon → call → logoff → 401', async () => {
    const s = await synqlySession(target);
    const m = await member(s, { role_binding: ['viewer'] });
    const res = await logon(s, m.name);
    expectOperation(res, 'auth_logon', 200);
    const r = res.body.result;
    expect(r.auth_code).toBe('success');
    expect(r.member.id).toBe(m.id);
    expect(r.token.access.permissions).toMatchObject({ member_id: m.id, role_binding: ['viewer'], resource_type: 'organization' });
    const bearer = r.token.access.secret;
    expectOperation(await synqlyAs(target, bearer).get('/v1/accounts'), 'accounts_list', 200);
    expectOperation(await synqlyAs(target, bearer).post('/v1/auth/logoff'), 'auth_logoff', 204);
    expectProblem(await synqlyAs(target, bearer).get('/v1/accounts'), 'accounts_list', 401);
    expectProblem(await synqlyAs(target, r.token.refresh.secret).put(`/v1/tokens/${r.refresh_token_id}/refresh`), 'tokens_refresh', 401);
  });

  it('accepts the organization name in the path and ignores a bearer header', async () => {
    const s = await synqlySession(target);
    const m = await member(s);
    const org = await s.get('/v1/organization');
    const name = org.status === 200 ? org.body.result.name : undefined;
    if (!name) return;
    const res = await target.synqly.post(`/v1/auth/logon/${name}`).set('authorization', 'Bearer whatever').send({ name: m.name.toUpperCase(), secret: SECRET });
    expectOperation(res, 'auth_logon', 200);
  });

  it('answers 401 for a wrong secret, an unknown member and an unknown organization', async () => {
    const s = await synqlySession(target);
    const m = await member(s);
    expectProblem(await logon(s, m.name, 'wr0ng-secret-here'), 'auth_logon', 401);
    expectProblem(await logon(s, 'nobody@example.com'), 'auth_logon', 401);
    if (twin) expectProblem(await logon(s, m.name, SECRET, 'no-such-org'), 'auth_logon', 401);
  });

  it.runIf(twin)('the session is scoped by the member\'s role binding: a viewer may list but not create', async () => {
    const s = await synqlySession(target);
    const m = await member(s, { role_binding: ['viewer'] });
    const bearer = (await logon(s, m.name)).body.result.token.access.secret;
    expectOperation(await synqlyAs(target, bearer).get('/v1/members'), 'members_list', 200);
    expectProblem(await synqlyAs(target, bearer).post('/v1/accounts').send({ name: uniqueName('x') }), 'accounts_create', 403);
  });

  it.runIf(twin)('auth_logoff with a token that is not a logon session answers 400 and changes nothing', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.post('/v1/auth/logoff'), 'auth_logoff', 400);
    expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200);
  });
});

describe('member states at logon', () => {
  it.runIf(twin)('five wrong secrets lock a member; an administrator enables it again', async () => {
    const s = await synqlySession(target);
    const m = await member(s);
    for (let i = 1; i <= 5; i++) {
      const res = await logon(s, m.name, `wr0ng-secret-${i}`);
      expectProblem(res, 'auth_logon', 401);
    }
    const locked = await logon(s, m.name);
    expectProblem(locked, 'auth_logon', 401);
    expect(locked.body.message).toContain('locked');
    expect((await s.get(`/v1/members/${m.id}`)).body.result.state).toBe('locked');

    expectOperation(await s.patch(`/v1/members/${m.id}`).send([{ op: 'replace', path: '/state', value: 'enabled' }]), 'members_patch', 200);
    expectOperation(await logon(s, m.name), 'auth_logon', 200);
  });

  it.runIf(twin)('four wrong secrets and a right one reset the count', async () => {
    const s = await synqlySession(target);
    const m = await member(s);
    for (let i = 0; i < 4; i++) expectProblem(await logon(s, m.name, 'wr0ng-secret-x'), 'auth_logon', 401);
    expectOperation(await logon(s, m.name), 'auth_logon', 200);
    for (let i = 0; i < 4; i++) expectProblem(await logon(s, m.name, 'wr0ng-secret-x'), 'auth_logon', 401);
    expectOperation(await logon(s, m.name), 'auth_logon', 200);
  });

  it.runIf(twin)('a disabled member gets 401 naming the state, and its open sessions stop working', async () => {
    const s = await synqlySession(target);
    const m = await member(s, { role_binding: ['viewer'] });
    const bearer = (await logon(s, m.name)).body.result.token.access.secret;
    expectOperation(await s.patch(`/v1/members/${m.id}`).send([{ op: 'replace', path: '/state', value: 'disabled' }]), 'members_patch', 200);
    const res = await logon(s, m.name);
    expectProblem(res, 'auth_logon', 401);
    expect(res.body.message).toContain('disabled');
    expectProblem(await synqlyAs(target, bearer).get('/v1/accounts'), 'accounts_list', 401);
    const created = await member(s, { options: { options: ['disabled'] } });
    expect(created.state).toBe('disabled');
    expectProblem(await logon(s, created.name), 'auth_logon', 401);
  });

  it.runIf(twin)('an expired member gets auth_code expired and a token that only changes the password', async () => {
    const s = await synqlySession(target);
    const m = await member(s, { role_binding: ['administrator'], options: { options: ['expired'] } });
    const res = await logon(s, m.name);
    expectOperation(res, 'auth_logon', 200);
    expect(res.body.result.auth_code).toBe('expired');
    const bearer = res.body.result.token.access.secret;
    expectProblem(await synqlyAs(target, bearer).get('/v1/accounts'), 'accounts_list', 403);
    expectProblem(await synqlyAs(target, bearer).post('/v1/auth/logoff'), 'auth_logoff', 403);

    const wrong = await synqlyAs(target, bearer).post('/v1/auth/change_password').send({ old_secret: 'not-the-secret', new_secret: 'st4ple-gun-lantern-07' });
    expectProblem(wrong, 'auth_change_password', 400);
    const weak = await synqlyAs(target, bearer).post('/v1/auth/change_password').send({ old_secret: SECRET, new_secret: 'password123' });
    expectProblem(weak, 'auth_change_password', 400);
    const changed = await synqlyAs(target, bearer).post('/v1/auth/change_password').send({ old_secret: SECRET, new_secret: 'st4ple-gun-lantern-07' });
    expectOperation(changed, 'auth_change_password', 200);
    expect(changed.body.result.auth_code).toBe('success');

    expectProblem(await logon(s, m.name), 'auth_logon', 401);
    const again = await logon(s, m.name, 'st4ple-gun-lantern-07');
    expectOperation(again, 'auth_logon', 200);
    expect(again.body.result.auth_code).toBe('success');
    expectOperation(await synqlyAs(target, again.body.result.token.access.secret).get('/v1/accounts'), 'accounts_list', 200);
  });

  it.runIf(twin)('a member past its expires date must change the password first', async () => {
    const s = await synqlySession(target);
    const m = await member(s);
    const past = new Date(Date.now() - 60_000).toISOString();
    expectOperation(await s.patch(`/v1/members/${m.id}`).send([{ op: 'replace', path: '/expires', value: past }]), 'members_patch', 200);
    const res = await logon(s, m.name);
    expectOperation(res, 'auth_logon', 200);
    expect(res.body.result.auth_code).toBe('expired');
  });

  it.runIf(twin)('an invited member gets auth_code invited until it sets its own password', async () => {
    const s = await synqlySession(target);
    const m = await member(s, { options: { options: ['invited'] } });
    expect(m.state).toBe('invited');
    const res = await logon(s, m.name);
    expectOperation(res, 'auth_logon', 200);
    expect(res.body.result.auth_code).toBe('invited');
    const bearer = res.body.result.token.access.secret;
    expectOperation(await synqlyAs(target, bearer).post('/v1/auth/change_password').send({ old_secret: SECRET, new_secret: 'n3w-lantern-staple' }), 'auth_change_password', 200);
    expect((await s.get(`/v1/members/${m.id}`)).body.result.state).toBe('enabled');
  });

  it.runIf(target.capabilities.admin)('a session\'s access secret expires after the member\'s token_ttl; its refresh secret renews it', async () => {
    const s = await synqlySession(target);
    const m = await member(s, { role_binding: ['viewer'], options: { token_ttl: '1m' } });
    const r = (await logon(s, m.name)).body.result;
    await withClockAdvanced(target, '2m', async () => {
      expectProblem(await synqlyAs(target, r.token.access.secret).get('/v1/accounts'), 'accounts_list', 401);
      const renewed = await synqlyAs(target, r.token.refresh.secret).put(`/v1/tokens/${r.refresh_token_id}/refresh`);
      expectOperation(renewed, 'tokens_refresh', 200);
      expectOperation(await synqlyAs(target, renewed.body.result.primary.access.secret).get('/v1/accounts'), 'accounts_list', 200);
    });
  });
});
