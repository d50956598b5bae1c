import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createIntegrationPoint } from '../integrationPoints/model.ts';
import { createIntegration } from '../integrations/model.ts';
import { apiError, orgFixture, rejected } from '../model-testing.ts';
import type { UpdateCredentialRequest } from './model.ts';
import {
  createCredential,
  credentialReferences,
  credentialView,
  deleteCredential,
  getCredentialRecord,
  listCredentials,
  lookupCredential,
  patchCredential,
  resolveOwner,
  updateCredential,
} from './model.ts';

const basic = { type: 'basic' as const, username: 'svc', secret: 'hunter2' };
/** how a secret field is kept at rest */
const sealed = (secret: string) => `sha256:${createHash('sha256').update(secret).digest('hex')}`;
const basicAtRest = { ...basic, secret: sealed('hunter2') };
const noCheck = () => undefined;

describe('createCredential', () => {
  it('creates an account-owned, Unmanaged credential whose view never holds the secret', async () => {
    const { write, env, prod, org } = await orgFixture();
    const c = await write((o) => createCredential(o, 'acme-prod', { fullname: 'Jira Service Account', config: basic }, env));
    expect(c).toMatchObject({ name: 'jira-service-account', owner_type: 'account', account_id: prod.id, managed: 'Unmanaged' });
    expect(org().credentials.get(c.id)?.config).toEqual(basicAtRest);
    const view = credentialView(c);
    expect(view.config).toEqual({ type: 'basic' });
    expect(JSON.stringify(view)).not.toContain('hunter2');
  });

  it('resolves the owner by owner_type: integration points and integrations too', async () => {
    const { write, env, prod, org } = await orgFixture();
    const point = await write((o) => createIntegrationPoint(o, { name: 'tix', connector: 'ticketing', environments: { prod: ['*'] } }, env));
    const c = await write((o) => createCredential(o, 'tix', { owner_type: 'integration_point', config: { type: 'token', secret: 't' } }, env));
    expect(c).toMatchObject({ owner_type: 'integration_point', integration_point_id: point.id });
    // default owner_type is account: the point's name is not an account
    expect(apiError(() => createCredential(org(), 'tix', { config: basic }, env)).status).toBe(404);
    const i = await write((o) => createIntegration(o, prod.id, { name: 'mock', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env));
    const ic = await write((o) => createCredential(o, i.integration.id, { owner_type: 'integration', config: { type: 'secret', secret: 's' } }, env));
    expect(ic).toMatchObject({ owner_type: 'integration', integration_id: i.integration.id, managed: 'Unmanaged' });
  });

  it('answers 404 for an unknown owner, 400 without config, 409 for a name taken under the same owner; nothing stored', async () => {
    const { write, env, store } = await orgFixture();
    expect((await rejected(store, () => write((o) => createCredential(o, 'tix', { config: basic }, env)))).status).toBe(404);
    expect((await rejected(store, () => write((o) => createCredential(o, 'acme-prod', { name: 'x' }, env)))).status).toBe(400);
    await write((o) => createCredential(o, 'acme-prod', { name: 'dup', config: basic }, env));
    expect((await rejected(store, () => write((o) => createCredential(o, 'acme-prod', { name: 'dup', config: basic }, env)))).status).toBe(409);
    // the same name under another owner is fine
    await write((o) => createCredential(o, 'acme-test', { name: 'dup', config: basic }, env));
  });
});

describe('credentials at rest', () => {
  it('keeps every secret field only as its SHA-256, the non-secret fields as given', async () => {
    const { write, env } = await orgFixture();
    const c = await write((o) =>
      createCredential(o, 'acme-prod', { fullname: 'AWS', config: { type: 'aws', access_key_id: 'AKIAEXAMPLE', secret_access_key: 'wJalrXUtnFEMI', session: 'FwoGZXIvYXdzE' } }, env),
    );
    expect(c.config).toEqual({
      type: 'aws',
      access_key_id: 'AKIAEXAMPLE',
      secret_access_key: sealed('wJalrXUtnFEMI'),
      session: sealed('FwoGZXIvYXdzE'),
    });
    const replaced = await write((o) => updateCredential(o, 'acme-prod', c.id, { ...credentialView(c), config: basic } as UpdateCredentialRequest, env));
    expect(JSON.stringify(replaced)).not.toContain('hunter2');
    expect(replaced.config).toMatchObject({ type: 'basic', username: 'svc' });
  });
});

describe('get, list and lookup', () => {
  it('finds a credential under its owner only; lookup needs no owner', async () => {
    const { write, env, org } = await orgFixture();
    const c = await write((o) => createCredential(o, 'acme-prod', { name: 'k', config: basic }, env));
    expect(getCredentialRecord(org(), 'acme-prod', 'k').credential.id).toBe(c.id);
    expect(apiError(() => getCredentialRecord(org(), 'acme-test', c.id)).status).toBe(404);
    expect(lookupCredential(org(), c.id).id).toBe(c.id);
    expect(apiError(() => lookupCredential(org(), 'nope')).status).toBe(404);
    const page = listCredentials(org(), 'acme-prod', { filter: 'config.type[eq]basic', total: true });
    expect(page.items.map((i) => i.id)).toEqual([c.id]);
    expect(page.total).toBe(1);
    expect(apiError(() => listCredentials(org(), 'acme-prod', { filter: 'config.secret[eq]hunter2' })).status).toBe(400);
  });

  it('resolveOwner prefers ids over names across owner kinds', async () => {
    const { org, prod } = await orgFixture();
    expect(resolveOwner(org(), prod.id)).toMatchObject({ type: 'account', id: prod.id });
    expect(resolveOwner(org(), 'ACME-PROD')).toMatchObject({ type: 'account', id: prod.id });
  });
});

describe('updateCredential / patchCredential', () => {
  it('PUT without config keeps the secret; with config replaces it; owner and managed stay', async () => {
    const { write, env, org } = await orgFixture();
    const c = await write((o) => createCredential(o, 'acme-prod', { name: 'k', config: basic }, env));
    const body = { ...credentialView(c), fullname: 'Renamed', owner_type: 'integration', managed: 'Managed' } as unknown as UpdateCredentialRequest;
    delete body.config;
    const kept = await write((o) => updateCredential(o, 'acme-prod', c.id, body, env));
    expect(kept).toMatchObject({ fullname: 'Renamed', owner_type: 'account', managed: 'Unmanaged', config: basicAtRest });
    const replaced = await write((o) => updateCredential(o, 'acme-prod', c.id, { ...body, config: { type: 'token', secret: 'new' } }, env));
    expect(org().credentials.get(c.id)?.config).toEqual({ type: 'token', secret: sealed('new') });
    expect(replaced.config.type).toBe('token');
  });

  it('PATCH of other fields keeps the secret; a patched secret replaces it', async () => {
    const { write, env, org } = await orgFixture();
    const c = await write((o) => createCredential(o, 'acme-prod', { name: 'k', config: basic }, env));
    await write((o) => patchCredential(o, 'acme-prod', 'k', [{ op: 'replace', path: '/fullname', value: 'F' }], noCheck, env));
    expect(org().credentials.get(c.id)).toMatchObject({ fullname: 'F', config: basicAtRest });
    await write((o) => patchCredential(o, 'acme-prod', 'k', [{ op: 'replace', path: '/config', value: { type: 'basic', username: 'svc', secret: 'rotated' } }], noCheck, env));
    expect(org().credentials.get(c.id)?.config).toMatchObject({ secret: sealed('rotated') });
  });

  it('PUT with another id answers 400', async () => {
    const { write, env, store } = await orgFixture();
    const c = await write((o) => createCredential(o, 'acme-prod', { name: 'k', config: basic }, env));
    const body = { ...credentialView(c), id: 'other' } as unknown as UpdateCredentialRequest;
    expect((await rejected(store, () => write((o) => updateCredential(o, 'acme-prod', 'k', body, env)))).status).toBe(400);
  });
});

describe('deleteCredential', () => {
  it('refuses (409) while an integration refers to it, then deletes', async () => {
    const { write, env, prod, org, store } = await orgFixture();
    const c = await write((o) => createCredential(o, 'acme-prod', { name: 'k', config: basic }, env));
    const i = await write((o) =>
      createIntegration(o, prod.id, { name: 'jira', provider_config: { type: 'ticketing_jira', url: 'https://x.atlassian.net', credential: { type: 'basic_id', value: c.id } } }, {}, env),
    );
    expect((await rejected(store, () => write((o) => deleteCredential(o, 'acme-prod', 'k')))).status).toBe(409);
    await write((o) => o.integrations.delete(i.integration.id));
    await write((o) => deleteCredential(o, 'acme-prod', 'k'));
    expect(org().credentials.get(c.id)).toBeUndefined();
  });
});

describe('credentialReferences', () => {
  it('finds every <kind>_id reference with its pointer, nested and in arrays', () => {
    const refs = credentialReferences({
      type: 'siem_splunk',
      search_service_credential: { type: 'token_id', value: 'c1' },
      extra: [{ auth: { type: 'basic_id', value: 'c2' } }],
      not_a_ref: { type: 'token', secret: 'x' },
    });
    expect(refs).toEqual([
      { pointer: '/search_service_credential', kind: 'token', id: 'c1' },
      { pointer: '/extra/0/auth', kind: 'basic', id: 'c2' },
    ]);
  });
});
