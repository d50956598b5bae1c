import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { newAccount, newCredential, newIntegration } from '../support/synqly-resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();

interface AuditEvent {
  method: string;
  path: string;
  code: string;
  created_at: string;
  account_id?: string;
  environment: string;
  body?: unknown;
  response?: string;
}

describe('audit_list', () => {
  it('records the Management calls of the organization, oldest first', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s, { environment: 'test', fullname: 'Audited' });
    expectProblem(await s.get(`/v1/accounts/${uniqueName('ghost')}`), 'accounts_get', 404);
    const res = await s.get('/v1/audit/organizations').query({ filter: 'path[like]/v1/accounts%', limit: 500 });
    expectOperation(res, 'audit_list', 200);
    const events = res.body.result as AuditEvent[];
    const created = events.find((e) => e.method === 'POST' && e.path === '/v1/accounts' && e.account_id === account.id);
    expect(created).toMatchObject({ code: '200', environment: 'test' });
    if (target.kind !== 'live') {
      expect(created!.body).toMatchObject({ fullname: 'Audited' });
      const failed = events.find((e) => e.code === '404');
      expect(failed?.response).toContain('not found');
      const times = events.map((e) => e.created_at);
      expect(times).toEqual([...times].sort());
    }
  });

  it.runIf(target.kind !== 'live')('(twin) redacts secrets from recorded bodies and pages by created_at', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const secret = uniqueName('s3cr3t');
    const created = await s.post(`/v1/credentials/${account.id}`).send({ name: uniqueName('c'), config: { type: 'token', secret } });
    expectOperation(created, 'credentials_create', 200);
    const res = await s.get('/v1/audit/organizations').query({ filter: 'method[eq]POST' });
    expectOperation(res, 'audit_list', 200);
    expect(res.text).not.toContain(secret);
    expect(res.body.result.map((e: AuditEvent) => e.path)).toEqual(['/v1/accounts', `/v1/credentials/${account.id}`]);
    const first = res.body.result[0] as AuditEvent;
    const next = await s.get('/v1/audit/organizations').query({ filter: 'method[eq]POST', start_after: first.created_at });
    expectOperation(next, 'audit_list', 200);
    expect(next.body.result.map((e: AuditEvent) => e.path)).toEqual([`/v1/credentials/${account.id}`]);
  });

  it.runIf(target.kind !== 'live')('(twin) records the ids of resources addressed by name, also once a call deleted or renamed them', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s, { environment: 'test' });
    const integration = (await newIntegration(s, account.id)).integration;
    const bridge = await s.post(`/v1/bridges/${account.name}`).send({ name: uniqueName('bridge') });
    expectOperation(bridge, 'bridges_create', 200);
    const bridgeId = bridge.body.result.bridge.id as string;
    const credential = await newCredential(s, integration.id, { owner_type: 'integration' });

    expectOperation(await s.get(`/v1/integrations/${account.name}/${integration.name}`), 'integrations_get', 200);
    expectOperation(await s.delete(`/v1/credentials/${integration.name}/${credential.name}`), 'credentials_delete', 204);
    expectOperation(await s.delete(`/v1/integrations/${account.name}/${integration.name}`), 'integrations_delete', 204);
    expectOperation(await s.delete(`/v1/bridges/${account.name}/${bridge.body.result.bridge.name}`), 'bridges_delete', 204);
    const renamed = uniqueName('renamed');
    expectOperation(await s.patch(`/v1/accounts/${account.name}`).send([{ op: 'replace', path: '/name', value: renamed }]), 'accounts_patch', 200);
    expectOperation(await s.delete(`/v1/accounts/${renamed}`), 'accounts_delete', 204);

    const res = await s.get('/v1/audit/organizations').query({ limit: 500 });
    expectOperation(res, 'audit_list', 200);
    const events = res.body.result as Array<AuditEvent & { integration_id?: string; bridge_group_id?: string }>;
    const find = (method: string, path: string) => {
      const event = events.find((e) => e.method === method && e.path === path);
      expect(event, `${method} ${path}`).toBeDefined();
      return event!;
    };
    expect(find('GET', `/v1/integrations/${account.name}/${integration.name}`)).toMatchObject({ account_id: account.id, integration_id: integration.id, environment: 'test' });
    expect(find('DELETE', `/v1/credentials/${integration.name}/${credential.name}`)).toMatchObject({ account_id: account.id, integration_id: integration.id });
    expect(find('DELETE', `/v1/integrations/${account.name}/${integration.name}`)).toMatchObject({ account_id: account.id, integration_id: integration.id, environment: 'test' });
    expect(find('DELETE', `/v1/bridges/${account.name}/${bridge.body.result.bridge.name}`)).toMatchObject({ account_id: account.id, bridge_group_id: bridgeId });
    expect(find('PATCH', `/v1/accounts/${account.name}`)).toMatchObject({ account_id: account.id });
    expect(find('DELETE', `/v1/accounts/${renamed}`)).toMatchObject({ account_id: account.id, environment: 'test' });
    // a name that resolves to nothing is recorded as sent
    expectProblem(await s.get(`/v1/accounts/${account.name}`), 'accounts_get', 404);
    const after = (await s.get('/v1/audit/organizations').query({ filter: 'code[eq]404', limit: 500 })).body.result as AuditEvent[];
    expect(after.find((e) => e.path === `/v1/accounts/${account.name}`)).toMatchObject({ account_id: account.name });
  });

  it.runIf(target.kind !== 'live')('(twin) records every auth_logon in the organization it addresses: successes, 401s and lockouts, secret redacted', async () => {
    const s = await synqlySession(target);
    const secret = 'c0rrect-h0rse-battery';
    const wrong = uniqueName('wr0ng-secret');
    const created = await s.post('/v1/members').send({ name: `${uniqueName('m')}@example.com`, secret });
    expectOperation(created, 'members_create', 200);
    const member = created.body.result.member as { id: string; name: string };
    s.defer(() => s.delete(`/v1/members/${member.id}`));
    const org = (await s.get('/v1/organization')).body.result as { id: string; name: string };
    const logon = (path: string, body: Record<string, unknown>) => target.synqly.post(`/v1/auth/logon/${path}`).send(body);

    expectOperation(await logon(org.name, { name: member.name, secret }), 'auth_logon', 200);
    for (let i = 0; i < 5; i++) expectProblem(await logon(org.id, { name: member.name, secret: wrong }), 'auth_logon', 401);
    const locked = await logon(org.id, { name: member.name, secret });
    expectProblem(locked, 'auth_logon', 401);
    expect(locked.body.message).toMatch(/locked/);
    expectProblem(await logon(org.id, { name: 'nobody@example.com', secret: wrong }), 'auth_logon', 401);

    const res = await s.get('/v1/audit/organizations').query({ filter: 'path[like]/v1/auth/logon/%', limit: 500 });
    expectOperation(res, 'audit_list', 200);
    const events = res.body.result as Array<AuditEvent & { member_id?: string; status: string }>;
    expect(events.map((e) => [e.method, e.path, e.code])).toEqual([
      ['POST', `/v1/auth/logon/${org.name}`, '200'],
      ...Array.from({ length: 6 }, () => ['POST', `/v1/auth/logon/${org.id}`, '401']),
      ['POST', `/v1/auth/logon/${org.id}`, '401'],
    ]);
    expect(events.slice(0, 7).every((e) => e.member_id === member.id)).toBe(true);
    expect(events[7]).not.toHaveProperty('member_id');
    expect(events[6]!.response).toMatch(/locked/);
    expect(events[0]!.body).toEqual({ name: member.name, secret: '[redacted]' });
    expect(res.text).not.toContain(secret);
    expect(res.text).not.toContain(wrong);
  });

  it('answers 400 for an unknown filter field and for a repeated order', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/audit/organizations').query({ filter: 'colour[eq]red' }), 'audit_list', 400);
    expectProblem(await s.get('/v1/audit/organizations?order=created_at&order=path'), 'audit_list', 400);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('audit_list', () => {
  it("lists the organization's audit events, newest last by default", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/audit/organizations').query({ limit: 50 });
    expectOperation(res, 'audit_list', 200);
    const times = (res.body.result as Array<{ created_at: string }>).map((e) => e.created_at);
    expect(times).toEqual([...times].sort());
  });
});
