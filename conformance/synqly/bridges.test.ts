import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { newAccount, newIntegration } from '../support/synqly-resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();

async function newBridge(s: SynqlySession, accountId: string, body: Record<string, unknown> = {}) {
  const res = await s.post(`/v1/bridges/${accountId}`).send({ name: uniqueName('bridge'), ...body });
  expectOperation(res, 'bridges_create', 200);
  const { bridge, credential } = res.body.result;
  s.defer(() => s.delete(`/v1/bridges/${accountId}/${bridge.id}`));
  return { bridge, credential: credential as string };
}

describe('bridges_create', () => {
  it('creates a bridge group and hands out the agent credential (a JWT)', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { bridge, credential } = await newBridge(s, account.id, { fullname: 'EU DC', description: 'Frankfurt', labels: ['dc:eu-west'] });
    expect(bridge).toMatchObject({ fullname: 'EU DC', description: 'Frankfurt', labels: ['dc:eu-west'] });
    expect(credential.split('.')).toHaveLength(3);
    const header = JSON.parse(Buffer.from(credential.split('.')[0]!, 'base64url').toString());
    expect(header).toHaveProperty('alg');
  });

  it('answers 400 for a bad name, 404 for an unknown account, 409 for a duplicate name', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.post(`/v1/bridges/${account.id}`).send({ name: 'Not Valid!' }), 'bridges_create', 400);
    expectProblem(await s.post(`/v1/bridges/${uniqueName('ghost')}`).send({ name: uniqueName('b') }), 'bridges_create', 404);
    const { bridge } = await newBridge(s, account.id);
    expectProblem(await s.post(`/v1/bridges/${account.id}`).send({ name: bridge.name }), 'bridges_create', 409);
  });
});

describe('bridges_list', () => {
  it("lists the account's bridge groups", async () => {
    const s = await synqlySession(target);
    const a = await newAccount(s);
    const b = await newAccount(s);
    const { bridge } = await newBridge(s, a.id);
    await newBridge(s, b.id);
    const res = await s.get(`/v1/bridges/${a.id}`);
    expectOperation(res, 'bridges_list', 200);
    expect(res.body.result.map((g: { id: string }) => g.id)).toEqual([bridge.id]);
  });

  it('answers 404 for an unknown account and 400 for an unknown filter field', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.get(`/v1/bridges/${uniqueName('ghost')}`), 'bridges_list', 404);
    expectProblem(await s.get(`/v1/bridges/${account.id}`).query({ filter: 'colour[eq]red' }), 'bridges_list', 400);
  });
});

describe('bridges_get', () => {
  it('returns the group by id and by name', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { bridge } = await newBridge(s, account.id);
    for (const ref of [bridge.id, bridge.name]) {
      const res = await s.get(`/v1/bridges/${account.id}/${ref}`);
      expectOperation(res, 'bridges_get', 200);
      expect(res.body.result).toEqual(bridge);
    }
  });

  it('answers 404 for a group of another account', async () => {
    const s = await synqlySession(target);
    const a = await newAccount(s);
    const b = await newAccount(s);
    const { bridge } = await newBridge(s, a.id);
    expectProblem(await s.get(`/v1/bridges/${b.id}/${bridge.id}`), 'bridges_get', 404);
  });
});

describe('bridges_update', () => {
  it('replaces the writable fields', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { bridge } = await newBridge(s, account.id, { labels: ['a'] });
    const res = await s.put(`/v1/bridges/${account.id}/${bridge.id}`).send({ ...bridge, fullname: 'Renamed', labels: ['b'] });
    expectOperation(res, 'bridges_update', 200);
    expect(res.body.result).toMatchObject({ id: bridge.id, fullname: 'Renamed', labels: ['b'], created_at: bridge.created_at });
  });

  it('answers 400 for a body missing required fields and 404 for an unknown group', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { bridge } = await newBridge(s, account.id);
    const { fullname: _f, ...partial } = bridge;
    expectProblem(await s.put(`/v1/bridges/${account.id}/${bridge.id}`).send(partial), 'bridges_update', 400);
    expectProblem(await s.put(`/v1/bridges/${account.id}/${uniqueName('ghost')}`).send(bridge), 'bridges_update', 404);
  });
});

describe('bridges_patch', () => {
  it('patches the description', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { bridge } = await newBridge(s, account.id);
    const res = await s.patch(`/v1/bridges/${account.id}/${bridge.id}`).send([{ op: 'add', path: '/description', value: 'Agents in Frankfurt' }]);
    expectOperation(res, 'bridges_patch', 200);
    expect(res.body.result).toMatchObject({ id: bridge.id, description: 'Agents in Frankfurt' });
  });

  it.runIf(target.kind !== 'live')('answers 400 for a read-only path and 409 for a failing test', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { bridge } = await newBridge(s, account.id);
    expectProblem(await s.patch(`/v1/bridges/${account.id}/${bridge.id}`).send([{ op: 'replace', path: '/id', value: 'x' }]), 'bridges_patch', 400);
    expectProblem(await s.patch(`/v1/bridges/${account.id}/${bridge.id}`).send([{ op: 'test', path: '/fullname', value: 'nope' }]), 'bridges_patch', 409);
  });
});

describe('bridges_delete', () => {
  it('deletes the group (204)', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { bridge } = await newBridge(s, account.id);
    expectOperation(await s.delete(`/v1/bridges/${account.id}/${bridge.id}`), 'bridges_delete', 204);
    expectProblem(await s.get(`/v1/bridges/${account.id}/${bridge.id}`), 'bridges_get', 404);
  });

  it('deletes the group while an integration routes through it; the integration keeps its selector', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { bridge } = await newBridge(s, account.id);
    const { integration } = await newIntegration(s, account.id, { bridge_selector: { type: 'id', value: bridge.id } });
    expectOperation(await s.delete(`/v1/bridges/${account.id}/${bridge.id}`), 'bridges_delete', 204);
    expectProblem(await s.get(`/v1/bridges/${account.id}/${bridge.id}`), 'bridges_get', 404);
    const after = await s.get(`/v1/integrations/${account.id}/${integration.id}`);
    expectOperation(after, 'integrations_get', 200);
    if (target.kind !== 'live') {
      expect(after.body.result.bridge_selector).toEqual({ type: 'id', value: bridge.id });
      // an update keeping the (now dangling) selector goes through; a new id selector must name a live group
      const kept = await s.patch(`/v1/integrations/${account.id}/${integration.id}`).send([{ op: 'replace', path: '/fullname', value: 'Kept' }]);
      expectOperation(kept, 'integrations_patch', 200);
      expect(kept.body.result.bridge_selector).toEqual({ type: 'id', value: bridge.id });
      const other = await s.patch(`/v1/integrations/${account.id}/${integration.id}`).send([{ op: 'replace', path: '/bridge_selector/value', value: uniqueName('ghost') }]);
      expectProblem(other, 'integrations_patch', 404);
    }
  });

  it.runIf(target.kind !== 'live')('(twin) an id selector naming the group by name is stored with its id, on create, update and patch', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const first = (await newBridge(s, account.id)).bridge;
    const second = (await newBridge(s, account.id)).bridge;
    const { integration } = await newIntegration(s, account.id, { bridge_selector: { type: 'id', value: first.name.toUpperCase() } });
    expect(integration.bridge_selector).toEqual({ type: 'id', value: first.id });
    const put = await s.put(`/v1/integrations/${account.id}/${integration.id}`).send({ ...integration, bridge_selector: { type: 'id', value: second.name } });
    expectOperation(put, 'integrations_update', 200);
    expect(put.body.result.bridge_selector).toEqual({ type: 'id', value: second.id });
    const patched = await s.patch(`/v1/integrations/${account.id}/${integration.id}`).send([{ op: 'replace', path: '/bridge_selector/value', value: first.name }]);
    expectOperation(patched, 'integrations_patch', 200);
    expect(patched.body.result.bridge_selector).toEqual({ type: 'id', value: first.id });
  });

  it('answers 404 for an unknown group', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.delete(`/v1/bridges/${account.id}/${uniqueName('ghost')}`), 'bridges_delete', 404);
  });
});

describe('bridges_get_status', () => {
  it('lists the running agents of the group', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { bridge } = await newBridge(s, account.id);
    const res = await s.get(`/v1/bridges/${account.id}/${bridge.id}/status`);
    expectOperation(res, 'bridges_get_status', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
    if (target.kind !== 'live') expect(res.body.result).toEqual([]);
  });

  it('answers 404 for an unknown group', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.get(`/v1/bridges/${account.id}/${uniqueName('ghost')}/status`), 'bridges_get_status', 404);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('bridges_list', () => {
  it("lists an account's bridge groups, by account id and by name (the demo prod account has one)", async (ctx) => {
    const s = await ro.session();
    const accounts = await ro.listAccounts(s);
    const { owner, list } = await ro.firstNonEmpty(s, accounts, (a) => `/v1/bridges/${a.id}`, 'bridges_list');
    const account = ro.firstOf(ctx, owner ? [owner] : [], 'account with a bridge group', true);
    const byName = await s.get(`/v1/bridges/${encodeURIComponent(account.name)}`);
    expectOperation(byName, 'bridges_list', 200);
    expect(ro.items(byName).map((b) => b.id)).toEqual(list.map((b) => b.id));
  });
});

describe('bridges_get', () => {
  it('reads the first bridge group of the first account that has one, by ids and by names, and its status', async (ctx) => {
    const s = await ro.session();
    const { owner, list } = await ro.firstNonEmpty(s, await ro.listAccounts(s), (a) => `/v1/bridges/${a.id}`, 'bridges_list');
    const bridge = ro.firstOf(ctx, list, 'bridge group', true);
    const byId = await s.get(`/v1/bridges/${owner!.id}/${bridge.id}`);
    expectOperation(byId, 'bridges_get', 200);
    expect(byId.body.result).toMatchObject({ id: bridge.id, name: bridge.name });
    const byName = await s.get(`/v1/bridges/${encodeURIComponent(owner!.name)}/${encodeURIComponent(bridge.name)}`);
    expectOperation(byName, 'bridges_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
    const status = await s.get(`/v1/bridges/${owner!.id}/${bridge.id}/status`);
    expectOperation(status, 'bridges_get_status', 200);
    expect(Array.isArray(status.body.result)).toBe(true);
  });
});
