import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { withClockAdvanced } from '../support/control.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twinOnly = target.kind !== 'live';

/** GET the organization and arrange for its writable fields to be put back after the test */
async function currentOrganization(s: SynqlySession) {
  const res = await s.get('/v1/organization');
  expectOperation(res, 'organization_get', 200);
  const original = res.body.result;
  s.defer(async () => {
    const now = await s.get('/v1/organization');
    return s.put('/v1/organization').send({ ...original, name: original.name, updated_at: now.body.result?.updated_at ?? original.updated_at });
  });
  return original as Record<string, unknown> & { id: string; name: string; fullname: string; refresh_token_id: string; created_at: string };
}

describe('organization_get', () => {
  it("returns the caller's organization", async () => {
    const s = await synqlySession(target);
    const res = await s.get('/v1/organization');
    expectOperation(res, 'organization_get', 200);
    const org = res.body.result;
    if (s.organizationId) expect(org.id).toBe(s.organizationId);
    expect(org.refresh_token_id).toEqual(expect.any(String));
    expect(['root', 'standard']).toContain(org.organization_type);
    expect(org).not.toHaveProperty('parent_id');
  });

  it('answers 401 without a token', async () => {
    expectProblem(await target.synqly.get('/v1/organization'), 'organization_get', 401);
  });
});

describe('organization_update', () => {
  it('replaces the writable fields and keeps created_at and refresh_token_id from storage', async () => {
    const s = await synqlySession(target);
    const org = await currentOrganization(s);
    const fullname = `Renamed ${uniqueName('org')}`;
    const res = await s.put('/v1/organization').send({ ...org, fullname, contact: 'security@example.com', created_at: '2000-01-01T00:00:00Z' });
    expectOperation(res, 'organization_update', 200);
    expect(res.body.result).toMatchObject({ id: org.id, fullname, contact: 'security@example.com', refresh_token_id: org.refresh_token_id });
    if (twinOnly) expect(res.body.result.created_at).toBe(org.created_at);
    const again = await s.get('/v1/organization');
    expectOperation(again, 'organization_get', 200);
    expect(again.body.result.fullname).toBe(fullname);
  });

  it('answers 400 when a required field is missing, and when the body tries to change the state', async () => {
    const s = await synqlySession(target);
    const org = await currentOrganization(s);
    const { fullname: _f, ...withoutFullname } = org;
    const missing = await s.put('/v1/organization').send(withoutFullname);
    expectProblem(missing, 'organization_update', 400);
    if (twinOnly) {
      const disabling = await s.put('/v1/organization').send({ ...org, state: 'disabled' });
      expectProblem(disabling, 'organization_update', 400);
      expect(disabling.body.context.parameter).toMatchObject({ id: '/state', location: 'body' });
      const otherId = await s.put('/v1/organization').send({ ...org, id: '00000000-0000-4000-8000-000000000000' });
      expectProblem(otherId, 'organization_update', 400);
    }
    const after = await s.get('/v1/organization');
    expect(after.body.result.fullname).toBe(org.fullname);
    expect(after.body.result.state ?? 'enabled').toBe('enabled');
  });
});

describe('organization_patch', () => {
  it('applies a JSON Patch', async () => {
    const s = await synqlySession(target);
    const org = await currentOrganization(s);
    const fullname = `Patched ${uniqueName('org')}`;
    const res = await s.patch('/v1/organization').send([
      { op: 'test', path: '/fullname', value: org.fullname },
      { op: 'replace', path: '/fullname', value: fullname },
      { op: 'add', path: '/options', value: { minimum_password_length: 12 } },
    ]);
    expectOperation(res, 'organization_patch', 200);
    expect(res.body.result).toMatchObject({ fullname, options: { minimum_password_length: 12 } });
  });

  it('answers 400 for a read-only path and 409 for a failing test, storing nothing', async () => {
    const s = await synqlySession(target);
    const org = await currentOrganization(s);
    const readOnly = await s.patch('/v1/organization').send([{ op: 'replace', path: '/id', value: 'x' }]);
    expectProblem(readOnly, 'organization_patch', 400);
    const failing = await s.patch('/v1/organization').send([
      { op: 'replace', path: '/fullname', value: 'Never' },
      { op: 'test', path: '/name', value: 'not-the-name' },
    ]);
    expectProblem(failing, 'organization_patch', 409);
    if (twinOnly) {
      const state = await s.patch('/v1/organization').send([{ op: 'add', path: '/state', value: 'disabled' }]);
      expectProblem(state, 'organization_patch', 400);
    }
    const after = await s.get('/v1/organization');
    expect(after.body.result.fullname).toBe(org.fullname);
  });
});

describe('disabled organization', () => {
  it.runIf(target.capabilities.admin)('answers 402 on every call while the organization is disabled (state set through the control API)', async () => {
    const s = await synqlySession(target);
    const org = await s.get('/v1/organization');
    expectOperation(org, 'organization_get', 200);
    const disable = await target.admin.put(`/__admin/synqly/organizations/${s.organizationId}/state`).send({ state: 'disabled' });
    expectOperation(disable, 'admin_synqly_organization_state_set', 200);
    expect(disable.body.state).toBe('disabled');
    s.defer(() => target.admin.put(`/__admin/synqly/organizations/${s.organizationId}/state`).send({ state: 'enabled' }));

    expectProblem(await s.get('/v1/organization'), 'organization_get', 402);
    expectProblem(await s.put('/v1/organization').send({ ...org.body.result, state: 'enabled' }), 'organization_update', 402);
    expectProblem(await s.patch('/v1/organization').send([{ op: 'remove', path: '/state' }]), 'organization_patch', 402);
    expectProblem(await s.get('/v1/accounts'), 'accounts_list', 402);

    const enable = await target.admin.put(`/__admin/synqly/organizations/${s.organizationId}/state`).send({ state: 'enabled' });
    expectOperation(enable, 'admin_synqly_organization_state_set', 200);
    expect(enable.body).not.toHaveProperty('state');
    const back = await s.get('/v1/organization');
    expectOperation(back, 'organization_get', 200);
    expect(back.body.result).not.toHaveProperty('state');
  });

  it.runIf(target.capabilities.admin)('a plg organization works through its end_date day (UTC) and answers 402 from the next day', async () => {
    const s = await synqlySession(target);
    const clock = await target.admin.get('/__admin/clock');
    expect(clock.status).toBe(200);
    const now = Date.parse(clock.body.now);
    const day = new Date(now).toISOString().slice(0, 10);
    const msToNextDay = Date.parse(`${day}T00:00:00Z`) + 86_400_000 - now;
    const setState = (body: Record<string, unknown>) => target.admin.put(`/__admin/synqly/organizations/${s.organizationId}/state`).send(body);
    expectOperation(await setState({ state: 'plg', end_date: day }), 'admin_synqly_organization_state_set', 200);
    s.defer(() => setState({ state: 'enabled' }));

    expectOperation(await s.get('/v1/organization'), 'organization_get', 200);
    if (msToNextDay > 120_000) {
      // late on the end_date day: still working
      await withClockAdvanced(target, `${msToNextDay - 60_000}ms`, async () => expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200));
    }
    await withClockAdvanced(target, `${msToNextDay + 1_000}ms`, async () => {
      const blocked = await s.get('/v1/organization');
      expectProblem(blocked, 'organization_get', 402);
      expect(blocked.body.message).toMatch(new RegExp(`ended on ${day}`));
    });
    const yesterday = new Date(now - 86_400_000).toISOString().slice(0, 10);
    expectOperation(await setState({ state: 'plg', end_date: yesterday }), 'admin_synqly_organization_state_set', 200);
    expectProblem(await s.get('/v1/accounts'), 'accounts_list', 402);
  });

  it.runIf(target.capabilities.admin)('the control API answers 404 for an unknown organization and 400 for a bad state', async () => {
    const unknown = await target.admin.put('/__admin/synqly/organizations/no-such-org/state').send({ state: 'disabled' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/problem\+json/);
    const s = await synqlySession(target);
    const bad = await target.admin.put(`/__admin/synqly/organizations/${s.organizationId}/state`).send({ state: 'frozen' });
    expect(bad.status).toBe(400);
    expectOperation(await s.get('/v1/organization'), 'organization_get', 200);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('organization_get', () => {
  it("reads the caller's organization", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/organization');
    expectOperation(res, 'organization_get', 200);
    if (s.organizationId) expect(res.body.result.id).toBe(s.organizationId);
  });
});
