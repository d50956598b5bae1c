import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { jiraConfig, newAccount, newCredential, newIntegration, newIntegrationPoint } from '../support/synqly-resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();

describe('credentials_create', () => {
  it('creates an account credential; the response holds the kind, never the secret', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const secret = uniqueName('s3cr3t');
    const name = uniqueName('basic');
    const res = await s.post(`/v1/credentials/${account.id}`).send({ name, fullname: 'Jira service account', config: { type: 'basic', username: 'svc@example.com', secret } });
    expectOperation(res, 'credentials_create', 200);
    s.defer(() => s.delete(`/v1/credentials/${account.id}/${res.body.result.id}`));
    expect(res.body.result).toMatchObject({ name, owner_type: 'account', account_id: account.id, config: { type: 'basic' } });
    expect(res.text).not.toContain(secret);
    if (target.kind !== 'live') expect(res.body.result.managed).toBe('Unmanaged');
  });

  it('creates a credential owned by an integration point', async () => {
    const s = await synqlySession(target);
    const point = await newIntegrationPoint(s, { connector: 'ticketing', environments: { test: ['ticketing_mock_ticketing'] } });
    const res = await s.post(`/v1/credentials/${point.id}`).send({ owner_type: 'integration_point', name: uniqueName('ip-cred'), config: { type: 'token', secret: 'x' } });
    expectOperation(res, 'credentials_create', 200);
    s.defer(() => s.delete(`/v1/credentials/${point.id}/${res.body.result.id}`));
    expect(res.body.result).toMatchObject({ owner_type: 'integration_point', integration_point_id: point.id });
  });

  it('answers 400 for an invalid config, 404 for an unknown owner, 409 for a duplicate name', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const bad = await s.post(`/v1/credentials/${account.id}`).send({ config: { type: 'basic', username: 'only' } });
    expectProblem(bad, 'credentials_create', 400);
    if (target.kind !== 'live') {
      // the error of the variant `type` selects, not of the first variant of the union
      expect(bad.body.context.parameter).toMatchObject({ id: '/config/secret', location: 'body' });
      expect(bad.body.message).toContain('/config/secret is required');
      expect(bad.body.cause.map((c: { message: string }) => c.message)).toEqual(['/config/secret is required']);
      const unknownKind = await s.post(`/v1/credentials/${account.id}`).send({ config: { type: 'carrier_pigeon', username: 'u' } });
      expectProblem(unknownKind, 'credentials_create', 400);
      expect(unknownKind.body.context.parameter).toMatchObject({ id: '/config/type', location: 'body', value: 'carrier_pigeon' });
      expect(unknownKind.body.message).toContain('/config/type must be one of');
      const noKind = await s.post(`/v1/credentials/${account.id}`).send({ config: { username: 'u', secret: 's' } });
      expectProblem(noKind, 'credentials_create', 400);
      expect(noKind.body.context.parameter).toMatchObject({ id: '/config/type', location: 'body' });
    }
    expectProblem(await s.post(`/v1/credentials/${uniqueName('ghost')}`).send({ config: { type: 'token', secret: 'x' } }), 'credentials_create', 404);
    const first = await newCredential(s, account.id);
    expectProblem(await s.post(`/v1/credentials/${account.id}`).send({ name: first.name, config: { type: 'token', secret: 'x' } }), 'credentials_create', 409);
    const listed = await s.get(`/v1/credentials/${account.id}`);
    expectOperation(listed, 'credentials_list', 200);
    expect(listed.body.result).toHaveLength(1);
  });
});

describe('credentials_list', () => {
  it("lists an owner's credentials, filtered by kind, with total", async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const other = await newAccount(s);
    const token = await newCredential(s, account.id);
    await newCredential(s, account.id, { config: { type: 'secret', secret: 'x' } });
    await newCredential(s, other.id);
    const res = await s.get(`/v1/credentials/${account.name}`).query({ filter: 'config.type[eq]token', total: true });
    expectOperation(res, 'credentials_list', 200);
    expect(res.body.result.map((c: { id: string }) => c.id)).toEqual([token.id]);
    if (target.kind !== 'live') expect(res.body.total).toBe(1);
  });

  it('answers 404 for an unknown owner and 400 for an unknown filter field', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.get(`/v1/credentials/${uniqueName('ghost')}`), 'credentials_list', 404);
    expectProblem(await s.get(`/v1/credentials/${account.id}`).query({ filter: 'colour[eq]red' }), 'credentials_list', 400);
  });
});

describe('credentials_get', () => {
  it('returns the credential by id or name under its owner', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const c = await newCredential(s, account.id);
    for (const ref of [c.id, c.name]) {
      const res = await s.get(`/v1/credentials/${account.id}/${ref}`);
      expectOperation(res, 'credentials_get', 200);
      expect(res.body.result).toEqual(c);
    }
  });

  it('answers 404 under another owner', async () => {
    const s = await synqlySession(target);
    const a = await newAccount(s);
    const b = await newAccount(s);
    const c = await newCredential(s, a.id);
    expectProblem(await s.get(`/v1/credentials/${b.id}/${c.id}`), 'credentials_get', 404);
  });
});

describe('credentials_update', () => {
  it('replaces name, fullname and secret; owner and kind stay visible, the secret does not', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const c = await newCredential(s, account.id);
    const name = uniqueName('rotated');
    const secret = uniqueName('new-secret');
    const res = await s.put(`/v1/credentials/${account.id}/${c.id}`).send({ ...c, name, fullname: 'Rotated', config: { type: 'token', secret } });
    expectOperation(res, 'credentials_update', 200);
    expect(res.body.result).toMatchObject({ id: c.id, name, fullname: 'Rotated', owner_type: 'account', account_id: account.id, config: { type: 'token' } });
    expect(res.text).not.toContain(secret);
  });

  it('answers 400 for a body without required fields or with a kind-only config, 404 for an unknown credential', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const c = await newCredential(s, account.id);
    const { managed: _m, ...partial } = c;
    expectProblem(await s.put(`/v1/credentials/${account.id}/${c.id}`).send(partial), 'credentials_update', 400);
    const { config: _c, ...withoutSecret } = c;
    expectProblem(await s.put(`/v1/credentials/${account.id}/${uniqueName('ghost')}`).send(withoutSecret), 'credentials_update', 404);
    // the kind-only config of a response is not a valid request config: omit it to keep the secret
    expectProblem(await s.put(`/v1/credentials/${account.id}/${c.id}`).send(c), 'credentials_update', 400);
    const kept = await s.put(`/v1/credentials/${account.id}/${c.id}`).send({ ...withoutSecret, fullname: 'Kept secret' });
    expectOperation(kept, 'credentials_update', 200);
    expect(kept.body.result).toMatchObject({ fullname: 'Kept secret', config: { type: 'token' } });
  });
});

describe('credentials_patch', () => {
  it('patches the fullname and keeps the secret kind', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const c = await newCredential(s, account.id);
    const res = await s.patch(`/v1/credentials/${account.id}/${c.id}`).send([{ op: 'replace', path: '/fullname', value: 'Patched credential' }]);
    expectOperation(res, 'credentials_patch', 200);
    expect(res.body.result).toMatchObject({ id: c.id, fullname: 'Patched credential', config: { type: 'token' } });
  });

  it.runIf(target.kind !== 'live')('answers 400 for an incomplete secret and for read-only paths, 409 for a failing test', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const c = await newCredential(s, account.id);
    expectProblem(await s.patch(`/v1/credentials/${account.id}/${c.id}`).send([{ op: 'replace', path: '/config', value: { type: 'basic', username: 'u' } }]), 'credentials_patch', 400);
    expectProblem(await s.patch(`/v1/credentials/${account.id}/${c.id}`).send([{ op: 'remove', path: '/created_at' }]), 'credentials_patch', 400);
    expectProblem(await s.patch(`/v1/credentials/${account.id}/${c.id}`).send([{ op: 'test', path: '/config/type', value: 'aws' }]), 'credentials_patch', 409);
    const got = await s.get(`/v1/credentials/${account.id}/${c.id}`);
    expectOperation(got, 'credentials_get', 200);
    expect(got.body.result).toEqual(c);
  });
});

describe('credentials_delete', () => {
  it('deletes the credential (204)', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const c = await newCredential(s, account.id);
    const res = await s.delete(`/v1/credentials/${account.id}/${c.id}`);
    expectOperation(res, 'credentials_delete', 204);
    expectProblem(await s.get(`/v1/credentials/${account.id}/${c.id}`), 'credentials_get', 404);
  });

  it.runIf(target.kind !== 'live')('answers 409 while an integration refers to the credential, and 404 once gone', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const c = await newCredential(s, account.id, { config: { type: 'basic', username: 'svc@example.com', secret: uniqueName('secret') } });
    await newIntegration(s, account.id, { provider_config: jiraConfig('', { type: 'basic_id', value: c.id }) });
    expectProblem(await s.delete(`/v1/credentials/${account.id}/${c.id}`), 'credentials_delete', 409);
    expectProblem(await s.delete(`/v1/credentials/${account.id}/${uniqueName('ghost')}`), 'credentials_delete', 404);
  });
});

describe('credentials_lookup', () => {
  it('finds a credential by id without its owner (the literal "lookup" wins over {ownerId})', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const c = await newCredential(s, account.id);
    const res = await s.get(`/v1/credentials/lookup/${c.id}`);
    expectOperation(res, 'credentials_lookup', 200);
    expect(res.body.result).toEqual(c);
  });

  it.runIf(target.kind !== 'live')('finds the Managed credentials an integration made from inline secrets', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const created = await newIntegration(s, account.id, { provider_config: jiraConfig(uniqueName('pw')) });
    const [managed] = created.credentials_created!;
    const res = await s.get(`/v1/credentials/lookup/${managed!.id}`);
    expectOperation(res, 'credentials_lookup', 200);
    expect(res.body.result).toMatchObject({ owner_type: 'integration', integration_id: created.integration.id, managed: 'Managed', config: { type: 'basic' } });
    const listed = await s.get(`/v1/credentials/${created.integration.id}`);
    expectOperation(listed, 'credentials_list', 200);
    expect(listed.body.result.map((c: { id: string }) => c.id)).toEqual([managed!.id]);
  });

  it('answers 404 for an unknown credential', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get(`/v1/credentials/lookup/${uniqueName('ghost')}`), 'credentials_lookup', 404);
  });
});

describe('credential secrets in errors', () => {
  it.runIf(target.kind !== 'live')('a refused config never echoes its secret (credentials_create, credentials_update)', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const secret = uniqueName('s3cret-value');
    const attempts = [
      { config: { type: 'token', secret: 4242424242 } },
      { config: { username: 'u', secret } },
      { config: { type: 'basic', secret } },
      { config: { type: 'aws', access_key_id: 'AKIAEXAMPLE', secret_access_key: 4242424242 } },
      { config: { type: 'aws', access_key_id: 'AKIAEXAMPLE', secret_access_key: secret, session: 4242424242 } },
    ];
    for (const body of attempts) {
      const res = await s.post(`/v1/credentials/${account.id}`).send(body);
      expectProblem(res, 'credentials_create', 400);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(secret);
      expect(text).not.toContain('4242424242');
    }
    // the refused requests stored nothing
    expect((await s.get(`/v1/credentials/${account.id}`)).body.result).toEqual([]);
    const credential = await newCredential(s, account.id);
    const current = (await s.get(`/v1/credentials/${account.id}/${credential.id}`)).body.result;
    const update = await s.put(`/v1/credentials/${account.id}/${credential.id}`).send({ ...current, config: { type: 'basic', secret } });
    expectProblem(update, 'credentials_update', 400);
    expect(JSON.stringify(update.body)).not.toContain(secret);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('credentials_list', () => {
  it("lists an account's credentials (the demo test account owns one)", async (ctx) => {
    const s = await ro.session();
    const { owner, list } = await ro.firstNonEmpty(s, await ro.listAccounts(s), (a) => `/v1/credentials/${a.id}`, 'credentials_list');
    const account = ro.firstOf(ctx, owner ? [owner] : [], 'account with credentials', true);
    for (const c of list) expect(c.account_id).toBe(account.id);
    const byName = await s.get(`/v1/credentials/${encodeURIComponent(account.name)}`);
    expectOperation(byName, 'credentials_list', 200);
    expect(ro.items(byName).map((c) => c.id)).toEqual(list.map((c) => c.id));
  });
});

describe('credentials_get', () => {
  it("reads the first credential of the first account that has one, by ids and by names, and looks it up", async (ctx) => {
    const s = await ro.session();
    const { owner, list } = await ro.firstNonEmpty(s, await ro.listAccounts(s), (a) => `/v1/credentials/${a.id}`, 'credentials_list');
    const credential = ro.firstOf(ctx, list, 'account credential', true);
    const byId = await s.get(`/v1/credentials/${owner!.id}/${credential.id}`);
    expectOperation(byId, 'credentials_get', 200);
    expect(byId.body.result).toMatchObject({ id: credential.id, name: credential.name, account_id: owner!.id, owner_type: 'account' });
    const byName = await s.get(`/v1/credentials/${encodeURIComponent(owner!.name)}/${encodeURIComponent(credential.name)}`);
    expectOperation(byName, 'credentials_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
    const lookup = await s.get(`/v1/credentials/lookup/${credential.id}`);
    expectOperation(lookup, 'credentials_lookup', 200);
    expect(lookup.body.result).toEqual(byId.body.result);
  });
});
