import { describe, expect, it } from 'vitest';
import { createBridge } from '../bridges/model.ts';
import { createCredential } from '../credentials/model.ts';
import { createIntegration } from '../integrations/model.ts';
import { errors } from '../../core/errors.ts';
import { orgFixture, rejected, T0 } from '../model-testing.ts';
import { recordIntegrationCall } from '../status/model.ts';
import { resolveBearer } from '../tokens/model.ts';
import type { ModelEnv } from '../../core/model-env.ts';
import { createAccount, deleteAccount, patchAccount, updateAccount, type UpdateAccountRequest } from './model.ts';

const later = (env: ModelEnv, ms = 60_000): ModelEnv => ({ ...env, nowMs: env.nowMs + ms });
const noCheck = () => undefined;

describe('updateAccount (PUT)', () => {
  it('replaces the writable fields, keeps id, organization_id and created_at, sets updated_at', async () => {
    const { write, env, prod, organization } = await orgFixture();
    const body: UpdateAccountRequest = { ...prod, name: 'acme-production', fullname: 'Acme Production', environment: 'test', organization_id: 'forged', created_at: '2000-01-01T00:00:00Z' };
    const updated = await write((o) => updateAccount(o, prod.name, body, later(env)));
    expect(updated).toMatchObject({ id: prod.id, name: 'acme-production', fullname: 'Acme Production', environment: 'test', organization_id: organization.id, created_at: prod.created_at });
    expect(updated.updated_at).toBe(new Date(T0 + 60_000).toISOString());
  });

  it('drops labels the body leaves out (full replace)', async () => {
    const { write, env } = await orgFixture();
    const labelled = await write((o) => createAccount(o, { name: 'labelled', labels: ['tier:gold'] }, env));
    const { labels: _l, ...withoutLabels } = labelled;
    const updated = await write((o) => updateAccount(o, labelled.id, withoutLabels as UpdateAccountRequest, env));
    expect(updated).not.toHaveProperty('labels');
  });

  it('answers 400 when the body id is not the addressed account, 409 for a taken name; nothing stored', async () => {
    const { write, env, prod, test, store } = await orgFixture();
    expect((await rejected(store, () => write((o) => updateAccount(o, prod.id, { ...prod, id: test.id }, env)))).status).toBe(400);
    expect((await rejected(store, () => write((o) => updateAccount(o, prod.id, { ...prod, name: 'ACME-TEST' }, env)))).status).toBe(409);
    expect((await rejected(store, () => write((o) => updateAccount(o, 'nope', { ...prod }, env)))).status).toBe(404);
  });
});

describe('patchAccount (PATCH)', () => {
  it('applies the patch and stores it as a PUT of the result', async () => {
    const { write, env, prod } = await orgFixture();
    const patched = await write((o) =>
      patchAccount(o, prod.id, [{ op: 'replace', path: '/fullname', value: 'Acme P' }, { op: 'add', path: '/labels', value: ['eu'] }], noCheck, later(env)),
    );
    expect(patched).toMatchObject({ id: prod.id, fullname: 'Acme P', labels: ['eu'], created_at: prod.created_at });
    expect(patched.updated_at).not.toBe(prod.updated_at);
  });

  it('stores nothing when the check refuses the result', async () => {
    const { write, env, prod, store } = await orgFixture();
    const err = await rejected(store, () =>
      write((o) =>
        patchAccount(o, prod.id, [{ op: 'remove', path: '/fullname' }], (d) => {
          if (!('fullname' in d)) throw errors.badRequest('fullname is required');
        }, env),
      ),
    );
    expect(err.status).toBe(400);
  });
});

describe('deleteAccount', () => {
  it('cascades to integrations, their tokens, credentials and status, bridge groups and account credentials', async () => {
    const { write, env, prod, test, org, store } = await orgFixture();
    const ownCred = await write((o) => createCredential(o, prod.id, { name: 'jira-basic', config: { type: 'basic', username: 'u', secret: 's' } }, env));
    const created = await write((o) =>
      createIntegration(
        o,
        prod.id,
        { name: 'jira', provider_config: { type: 'ticketing_jira', url: 'https://acme.atlassian.net', credential: { type: 'basic', username: 'u', secret: 'inline' } } },
        {},
        env,
      ),
    );
    await write((o) => recordIntegrationCall(o, created.integration, { succeeded: true, in_bytes: 1, out_bytes: 2, db_ops: 1, api_ops: 1 }, env.nowMs));
    await write((o) => createBridge(o, prod.id, { name: 'dc1' }, env));
    const survivor = await write((o) => createIntegration(o, test.id, { name: 'mock', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env));
    expect(resolveBearer(store.reader, created.token.access.secret, env.nowMs).ok).toBe(true);

    await write((o) => deleteAccount(o, 'acme-prod'));

    const o = org();
    expect(o.accounts.get(prod.id)).toBeUndefined();
    expect(o.integrations.get(created.integration.id)).toBeUndefined();
    expect(o.credentials.get(ownCred.id)).toBeUndefined();
    expect(o.credentials.get(created.credentials_created[0]!.id)).toBeUndefined();
    expect(o.refreshTokens.get(created.integration.refresh_token_id)).toBeUndefined();
    expect(o.statuses.get(created.integration.id)).toBeUndefined();
    expect(o.statusEvents.all().filter((e) => e.account_id === prod.id)).toEqual([]);
    expect(o.bridges.all().filter((b) => b.account_id === prod.id)).toEqual([]);
    expect(resolveBearer(store.reader, created.token.access.secret, env.nowMs)).toEqual({ ok: false, reason: 'unknown' });
    expect(resolveBearer(store.reader, created.token.refresh.secret, env.nowMs).ok).toBe(false);
    // the other account is untouched
    expect(o.integrations.get(survivor.integration.id)).toBeDefined();
    expect(resolveBearer(store.reader, survivor.token.access.secret, env.nowMs).ok).toBe(true);
  });

  it('answers 404 for an unknown account', async () => {
    const { write, store } = await orgFixture();
    expect((await rejected(store, () => write((o) => deleteAccount(o, 'ghost')))).status).toBe(404);
  });
});
