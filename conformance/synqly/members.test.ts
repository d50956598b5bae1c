import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession, synqlyAs } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twin = target.kind !== 'live';
const SECRET = 'c0rrect-h0rse-battery';


const email = () => `${uniqueName('m')}@example.com`;

async function member(s: SynqlySession, request: Record<string, unknown> = {}) {
  const res = await s.post('/v1/members').send({ name: email(), secret: SECRET, ...request });
  expectOperation(res, 'members_create', 200);
  const m = res.body.result.member;
  s.defer(() => s.delete(`/v1/members/${m.id}`));
  return m as Record<string, any>;
}

async function logon(s: SynqlySession, name: string, secret = SECRET) {
  const org = s.organizationId ?? (await s.get('/v1/organization')).body.result.id;
  return target.synqly.post(`/v1/auth/logon/${org}`).send({ name, secret });
}

describe('members_create', () => {
  it('creates a member with the documented defaults and never returns the secret', async () => {
    const s = await synqlySession(target);
    const name = email();
    const res = await s.post('/v1/members').send({ name, secret: SECRET, fullname: 'Bob Example' });
    expectOperation(res, 'members_create', 200);
    const m = res.body.result.member;
    s.defer(() => s.delete(`/v1/members/${m.id}`));
    expect(m).toMatchObject({ name, fullname: 'Bob Example', state: 'enabled', type: 'personal', role_binding: ['member'], token_ttl: '1h' });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    if (twin) {
      expect(m.ttl).toBe('87600h');
      expect(Object.keys(m)).not.toContain('secret_hash');
      // stored as a real password hash, not the secret or a plain digest
      if (target.twin) {
        const doc = JSON.stringify(target.twin.env.store.exportDocument());
        expect(doc).not.toContain(SECRET);
        expect(doc).toMatch(/"secret_hash":"scrypt\$16384\$8\$1\$/);
      }
    }
    const got = await s.get(`/v1/members/${encodeURIComponent(name)}`);
    expectOperation(got, 'members_get', 200);
    expect(got.body.result.id).toBe(m.id);
  });

  it('answers 400 for weak, short or name-like secrets and stores nothing', async () => {
    const s = await synqlySession(target);
    const name = email();
    expectProblem(await s.post('/v1/members').send({ name, secret: 'short' }), 'members_create', 400);
    if (twin) {
      for (const secret of ['password123', 'aaaaaaaaaa', '12345678', 'abcdefghij']) {
        const res = await s.post('/v1/members').send({ name, secret });
        expectProblem(res, 'members_create', 400);
        expect(res.body.context.parameter.id).toBe('/secret');
      }
      expectProblem(await s.post('/v1/members').send({ name, secret: `${name.split('@')[0]}!x` }), 'members_create', 400);
    }
    const listed = await s.get('/v1/members').query({ filter: `name[eq]${name}` });
    expectOperation(listed, 'members_list', 200);
    expect(listed.body.result).toEqual([]);
  });

  it.runIf(twin)('answers 400 for a personal name that is not an email and for an unknown role; 409 for a duplicate', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.post('/v1/members').send({ name: 'not-an-email', secret: SECRET }), 'members_create', 400);
    expectOperation(await s.post('/v1/members').send({ name: uniqueName('svc'), secret: SECRET, type: 'service' }), 'members_create', 200);
    const unknown = await s.post('/v1/members').send({ name: email(), secret: SECRET, role_binding: ['no-such-role'] });
    expectProblem(unknown, 'members_create', 400);
    expect(unknown.body.context.parameter.id).toBe('/role_binding');
    const m = await member(s);
    expectProblem(await s.post('/v1/members').send({ name: m.name.toUpperCase(), secret: SECRET }), 'members_create', 409);
  });

  it.runIf(twin)('checks ttl and token_ttl ranges (personal max 24h, service max 90 days)', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.post('/v1/members').send({ name: email(), secret: SECRET, options: { token_ttl: '25h' } }), 'members_create', 400);
    expectProblem(await s.post('/v1/members').send({ name: email(), secret: SECRET, options: { token_ttl: '30s' } }), 'members_create', 400);
    expectProblem(await s.post('/v1/members').send({ name: email(), secret: SECRET, options: { ttl: '1h' } }), 'members_create', 400);
    const svc = await member(s, { name: uniqueName('svc'), type: 'service', options: { token_ttl: '720h', ttl: '8760h' } });
    expect(svc).toMatchObject({ token_ttl: '720h', ttl: '8760h' });
    expect(Date.parse(svc.expires) - Date.parse(svc.created_at)).toBe(8760 * 3_600_000);
  });

  it.runIf(twin)('may not bind a role that grants more than the calling token has (403)', async () => {
    const s = await synqlySession(target);
    const acct = await s.post('/v1/accounts').send({ name: uniqueName('acct') });
    s.defer(() => s.delete(`/v1/accounts/${acct.body.result.account.id}`));
    const limited = await s.post('/v1/tokens').send({ permission_set: 'administrator', resources: { accounts: { ids: [acct.body.result.account.id] } } });
    expectOperation(limited, 'tokens_create_token', 200);
    const res = await synqlyAs(target, limited.body.result.primary.access.secret).post('/v1/members').send({ name: email(), secret: SECRET, role_binding: ['administrator'] });
    expectProblem(res, 'members_create', 403);
    expect((await s.get('/v1/members')).body.result).toEqual([]);
  });
});

describe('members_list / members_get', () => {
  it('lists with filter and order, and gets by id or name', async () => {
    const s = await synqlySession(target);
    const stem = uniqueName('ls');
    const a = await member(s, { name: `${stem}-a@example.com` });
    const b = await member(s, { name: `${stem}-b@example.com`, role_binding: ['viewer'] });
    const listed = await s.get('/v1/members').query({ filter: `name[like]${stem}-%`, order: 'name[desc]' });
    expectOperation(listed, 'members_list', 200);
    expect(listed.body.result.map((m: { id: string }) => m.id)).toEqual([b.id, a.id]);
    expectProblem(await s.get('/v1/members/nobody@example.com'), 'members_get', 404);
  });

  it.runIf(twin)('a member-bound session may read only its own member', async () => {
    const s = await synqlySession(target);
    const me = await member(s);
    const other = await member(s);
    const session = await logon(s, me.name);
    expectOperation(session, 'auth_logon', 200);
    const bearer = session.body.result.token.access.secret;
    expectOperation(await synqlyAs(target, bearer).get(`/v1/members/${me.id}`), 'members_get', 200);
    expectProblem(await synqlyAs(target, bearer).get(`/v1/members/${other.id}`), 'members_get', 403);
    expectProblem(await synqlyAs(target, bearer).get('/v1/members'), 'members_list', 403);
  });
});

describe('members_update / members_patch', () => {
  it('replaces the writable fields with PUT', async () => {
    const s = await synqlySession(target);
    const m = await member(s);
    const body = { ...m, fullname: 'Renamed', role_binding: ['viewer'], nickname: 'nick' };
    const res = await s.put(`/v1/members/${m.id}`).send(body);
    expectOperation(res, 'members_update', 200);
    expect(res.body.result).toMatchObject({ id: m.id, fullname: 'Renamed', role_binding: ['viewer'], nickname: 'nick', created_at: m.created_at });
    if (twin) expectProblem(await s.put(`/v1/members/${m.id}`).send({ ...body, id: 'another-id' }), 'members_update', 400);
  });

  it('patches with JSON Patch; read-only paths 400, failing test 409', async () => {
    const s = await synqlySession(target);
    const m = await member(s);
    const res = await s.patch(`/v1/members/${m.id}`).send([{ op: 'replace', path: '/fullname', value: 'Patched' }]);
    expectOperation(res, 'members_patch', 200);
    expect(res.body.result.fullname).toBe('Patched');
    if (twin) {
      expectProblem(await s.patch(`/v1/members/${m.id}`).send([{ op: 'replace', path: '/id', value: 'x' }]), 'members_patch', 400);
      expectProblem(await s.patch(`/v1/members/${m.id}`).send([{ op: 'test', path: '/fullname', value: 'Other' }]), 'members_patch', 409);
      expectProblem(await s.patch(`/v1/members/${m.id}`).send([{ op: 'replace', path: '/state', value: 'asleep' }]), 'members_patch', 400);
      expect((await s.get(`/v1/members/${m.id}`)).body.result.fullname).toBe('Patched');
    }
  });
});

describe('members_delete', () => {
  it('deletes the member and every token issued to it', async () => {
    const s = await synqlySession(target);
    const m = await member(s, { role_binding: ['administrator'] });
    const session = await logon(s, m.name);
    expectOperation(session, 'auth_logon', 200);
    const bearer = session.body.result.token.access.secret;
    const derived = await synqlyAs(target, bearer).post('/v1/tokens').send({ permission_set: 'viewer', resources: {} });
    expectOperation(derived, 'tokens_create_token', 200);
    expectOperation(await s.delete(`/v1/members/${m.id}`), 'members_delete', 204);
    expectProblem(await synqlyAs(target, bearer).get('/v1/accounts'), 'accounts_list', 401);
    expectProblem(await synqlyAs(target, derived.body.result.primary.access.secret).get('/v1/accounts'), 'accounts_list', 401);
    expectProblem(await s.get(`/v1/members/${m.id}`), 'members_get', 404);
    if (twin) {
      const tokens = (await s.get('/v1/tokens')).body.result as Array<{ member_id?: string }>;
      expect(tokens.filter((t) => t.member_id === m.id)).toEqual([]);
    }
  });
});

describe('secrets are never echoed in a Problem', () => {
  it.runIf(twin)('a too short or too long member secret is refused without its value (members_create)', async () => {
    const s = await synqlySession(target);
    const short = 'sh0rt!';
    const long = `L0ng-${'x'.repeat(80)}`;
    for (const secret of [short, long]) {
      const res = await s.post('/v1/members').send({ name: email(), secret });
      expectProblem(res, 'members_create', 400);
      expect(res.body.context.parameter.id).toBe('/secret');
      expect(res.body.context.parameter).not.toHaveProperty('value');
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    // other fields still echo their value
    const badTtl = await s.post('/v1/members').send({ name: email(), secret: SECRET, options: { ttl: 'soon' } });
    expectProblem(badTtl, 'members_create', 400);
    expect(badTtl.body.context.parameter).toMatchObject({ id: '/options/ttl', value: 'soon' });
  });

  it.runIf(twin)('auth_change_password does not echo old_secret or new_secret', async () => {
    const s = await synqlySession(target);
    const m = await member(s);
    const bearer = (await logon(s, m.name)).body.result.token.access.secret;
    const tooLong = `N3w-${'y'.repeat(90)}`;
    const res = await synqlyAs(target, bearer).post('/v1/auth/change_password').send({ old_secret: SECRET, new_secret: tooLong });
    expectProblem(res, 'auth_change_password', 400);
    expect(JSON.stringify(res.body)).not.toContain(tooLong);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    const wrongType = await synqlyAs(target, bearer).post('/v1/auth/change_password').send({ old_secret: 12345678901, new_secret: 'st4ple-gun-lantern-07' });
    expectProblem(wrongType, 'auth_change_password', 400);
    expect(JSON.stringify(wrongType.body)).not.toContain('12345678901');
    for (const cause of wrongType.body.cause ?? []) expect(cause.context.parameter).not.toHaveProperty('value');
  });
});

describe('a restricted administrator and wider members (members_update, members_patch, members_delete)', () => {
  it.runIf(twin)('may not bind wider roles, nor change or delete a member who holds more than it does', async () => {
    const s = await synqlySession(target);
    const acme = await s.post('/v1/accounts').send({ name: uniqueName('acme') });
    expectOperation(acme, 'accounts_create', 200);
    const acmeId = acme.body.result.account.id;
    s.defer(() => s.delete(`/v1/accounts/${acmeId}`));
    const role = await s.post('/v1/roles').send({ name: uniqueName('adm-acme'), permission_set: 'administrator', resources: { accounts: { ids: [acmeId] } } });
    expectOperation(role, 'roles_create', 200);
    s.defer(() => s.delete(`/v1/roles/${role.body.result.id}`));
    const me = await member(s, { role_binding: [role.body.result.name] });
    const peer = await member(s, { role_binding: [role.body.result.name] });
    const boss = await member(s, { role_binding: ['administrator'] });
    const admin = synqlyAs(target, (await logon(s, me.name)).body.result.token.access.secret);

    // binding wider roles: 403, to itself or to a peer, by PATCH or PUT
    for (const id of [me.id, peer.id]) {
      const patched = await admin.patch(`/v1/members/${id}`).send([{ op: 'replace', path: '/role_binding', value: ['administrator'] }]);
      expectProblem(patched, 'members_patch', 403);
      expect(patched.body.message).toContain('grants more than the calling token has');
      const current = (await s.get(`/v1/members/${id}`)).body.result;
      expectProblem(await admin.put(`/v1/members/${id}`).send({ ...current, role_binding: [role.body.result.name, 'viewer'] }), 'members_update', 403);
    }
    // a wider member: neither disabled, renamed nor deleted
    const bossBefore = (await s.get(`/v1/members/${boss.id}`)).body.result;
    expectProblem(await admin.patch(`/v1/members/${boss.id}`).send([{ op: 'replace', path: '/state', value: 'disabled' }]), 'members_patch', 403);
    expectProblem(await admin.put(`/v1/members/${boss.id}`).send({ ...bossBefore, fullname: 'Demoted' }), 'members_update', 403);
    expectProblem(await admin.delete(`/v1/members/${boss.id}`), 'members_delete', 403);
    expect((await s.get(`/v1/members/${boss.id}`)).body.result).toEqual(bossBefore);
    // a peer within its rights it may change
    const renamed = await admin.patch(`/v1/members/${peer.id}`).send([{ op: 'replace', path: '/fullname', value: 'Acme peer' }]);
    expectOperation(renamed, 'members_patch', 200);
    expect(renamed.body.result).toMatchObject({ fullname: 'Acme peer', role_binding: [role.body.result.name] });
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('members_list', () => {
  it('lists the members (the demo tenant has the service member ci-pipeline)', async () => {
    const s = await ro.session();
    const res = await s.get('/v1/members');
    expectOperation(res, 'members_list', 200);
    if (ro.twin) expect(ro.items(res).map((m) => m.name)).toContain('ci-pipeline');
  });
});

describe('members_get', () => {
  it('reads the first listed member by id and by name', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/members');
    expectOperation(list, 'members_list', 200);
    const member = ro.firstOf(ctx, ro.items(list), 'member', true);
    const byId = await s.get(`/v1/members/${member.id}`);
    expectOperation(byId, 'members_get', 200);
    expect(byId.body.result).toMatchObject({ id: member.id, name: member.name });
    const byName = await s.get(`/v1/members/${encodeURIComponent(member.name)}`);
    expectOperation(byName, 'members_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});
