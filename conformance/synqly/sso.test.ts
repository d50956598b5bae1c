import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twin = target.kind !== 'live';

const oidc = (secret = 'oidc-client-secret-value') => ({ type: 'oidc', issuer_url: 'https://idp.example.com', client_id: 'synqly-app', client_secret: secret });
const saml = () => ({
  type: 'saml',
  idp_entity_id: 'https://sts.example.com/tenant',
  idp_sso_url: 'https://login.example.com/saml2',
  idp_certificate: '-----BEGIN CERTIFICATE-----\nMIIC-example\n-----END CERTIFICATE-----',
  sp_entity_id: 'urn:example:sp',
  idp_metadata_url: 'https://login.example.com/metadata.xml',
});

async function createSso(s: SynqlySession, config: Record<string, unknown> = oidc(), fullname = uniqueName('SSO')) {
  const res = await s.post('/v1/auth/sso').send({ fullname, config });
  expectOperation(res, 'auth_create_sso', 200);
  s.defer(() => s.delete(`/v1/auth/sso/${res.body.result.id}`));
  return res.body.result as { id: string; name: string; fullname: string; identity_provider: Record<string, unknown>; created_at: string; updated_at: string };
}

describe('auth_create_sso', () => {
  it('stores an OIDC and a SAML configuration and never echoes the secret, certificate or metadata URL', async () => {
    const s = await synqlySession(target);
    const o = await createSso(s, oidc('never-echo-this-secret'));
    expect(o.identity_provider).toEqual({ type: 'oidc', issuer_url: 'https://idp.example.com', client_id: 'synqly-app' });
    const m = await createSso(s, saml());
    expect(m.identity_provider).toMatchObject({ type: 'saml', idp_entity_id: 'https://sts.example.com/tenant', idp_sso_url: 'https://login.example.com/saml2', sp_entity_id: 'urn:example:sp' });
    for (const body of [o, m]) {
      const text = JSON.stringify(body);
      expect(text).not.toContain('never-echo-this-secret');
      expect(text).not.toContain('BEGIN CERTIFICATE');
      expect(text).not.toContain('metadata.xml');
    }
  });

  it('answers 400 for a missing config, an unknown type, a missing secret or a plain-HTTP SAML URL, and 409 for a fullname in use', async () => {
    const s = await synqlySession(target);
    const fullname = uniqueName('SSO');
    expectProblem(await s.post('/v1/auth/sso').send({ fullname }), 'auth_create_sso', 400);
    expectProblem(await s.post('/v1/auth/sso').send({ fullname, config: { type: 'ldap' } }), 'auth_create_sso', 400);
    const { client_secret: _s, ...noSecret } = oidc();
    const missing = await s.post('/v1/auth/sso').send({ fullname, config: noSecret });
    expectProblem(missing, 'auth_create_sso', 400);
    if (twin) expect(missing.body.context.parameter).toMatchObject({ id: '/config/client_secret', location: 'body' });
    const plain = await s.post('/v1/auth/sso').send({ fullname, config: { ...saml(), idp_sso_url: 'http://login.example.com/saml2' } });
    expectProblem(plain, 'auth_create_sso', 400);
    if (twin) expect(plain.body.context.parameter).toMatchObject({ id: '/config/idp_sso_url' });
    await createSso(s, oidc(), fullname);
    expectProblem(await s.post('/v1/auth/sso').send({ fullname: fullname.toUpperCase(), config: oidc() }), 'auth_create_sso', 409);
  });
});

describe('auth_list_sso', () => {
  it("lists the organization's configurations", async () => {
    const s = await synqlySession(target);
    const a = await createSso(s);
    const b = await createSso(s, saml());
    const res = await s.get('/v1/auth/sso');
    expectOperation(res, 'auth_list_sso', 200);
    const ids = res.body.result.map((c: { id: string }) => c.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    if (twin) expect(ids).toHaveLength(2);
  });
});

describe('auth_get_sso', () => {
  it('reads a configuration by id', async () => {
    const s = await synqlySession(target);
    const created = await createSso(s, saml());
    const res = await s.get(`/v1/auth/sso/${created.id}`);
    expectOperation(res, 'auth_get_sso', 200);
    expect(res.body.result).toEqual(created);
  });

  it('answers 404 for an unknown configuration', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get(`/v1/auth/sso/${uniqueName('ghost')}`), 'auth_get_sso', 404);
  });
});

describe('auth_update_sso', () => {
  it('replaces the configuration, keeps an omitted secret, and refuses a stale updated_at', async () => {
    const s = await synqlySession(target);
    const created = await createSso(s);
    const { client_secret: _s, ...keepSecret } = oidc();
    const res = await s.put(`/v1/auth/sso/${created.id}`).send({ fullname: created.fullname, config: { ...keepSecret, client_id: 'rotated-app' }, updated_at: created.updated_at });
    expectOperation(res, 'auth_update_sso', 200);
    expect(res.body.result).toMatchObject({ id: created.id, identity_provider: { type: 'oidc', client_id: 'rotated-app' }, created_at: created.created_at });
    expect(res.body.result.updated_at).not.toBe(created.updated_at);
    const stale = await s.put(`/v1/auth/sso/${created.id}`).send({ fullname: created.fullname, config: keepSecret, updated_at: created.updated_at });
    expectProblem(stale, 'auth_update_sso', 400);
    if (twin) expect(stale.body.context.parameter).toMatchObject({ id: '/updated_at', location: 'body' });
    expect((await s.get(`/v1/auth/sso/${created.id}`)).body.result.identity_provider.client_id).toBe('rotated-app');
  });

  it('needs the certificate to switch to SAML, and answers 404 for an unknown configuration', async () => {
    const s = await synqlySession(target);
    const created = await createSso(s);
    const { idp_certificate: _c, ...noCert } = saml();
    const res = await s.put(`/v1/auth/sso/${created.id}`).send({ fullname: created.fullname, config: noCert });
    expectProblem(res, 'auth_update_sso', 400);
    if (twin) expect(res.body.context.parameter).toMatchObject({ id: '/config/idp_certificate' });
    const switched = await s.put(`/v1/auth/sso/${created.id}`).send({ fullname: created.fullname, config: saml() });
    expectOperation(switched, 'auth_update_sso', 200);
    expect(switched.body.result.identity_provider.type).toBe('saml');
    expectProblem(await s.put(`/v1/auth/sso/${uniqueName('ghost')}`).send({ fullname: 'x', config: saml() }), 'auth_update_sso', 404);
  });
});

describe('auth_delete_sso', () => {
  it('deletes the configuration (204), then it is gone', async () => {
    const s = await synqlySession(target);
    const created = await createSso(s);
    const res = await s.delete(`/v1/auth/sso/${created.id}`);
    expectOperation(res, 'auth_delete_sso', 204);
    expect(res.text).toBe('');
    expectProblem(await s.get(`/v1/auth/sso/${created.id}`), 'auth_get_sso', 404);
    expectProblem(await s.delete(`/v1/auth/sso/${created.id}`), 'auth_delete_sso', 404);
  });
});

describe('auth_get_sso_metadata', () => {
  it('returns the redirect URI and the SAML service-provider values', async () => {
    const s = await synqlySession(target);
    const res = await s.get('/v1/auth/meta');
    expectOperation(res, 'auth_get_sso_metadata', 200);
    if (twin) {
      expect(res.body.result.oidc.redirect_uri).toContain(s.organizationId);
      expect(res.body.result.saml.supported_name_id_formats).toContain('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
    }
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('auth_list_sso', () => {
  it("lists the organization's SSO configurations", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/auth/sso');
    expectOperation(res, 'auth_list_sso', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
  });
});

describe('auth_get_sso', () => {
  it('reads the first listed SSO configuration by id', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/auth/sso');
    expectOperation(list, 'auth_list_sso', 200);
    const first = ro.firstOf(ctx, ro.items(list), 'SSO configuration', false);
    const res = await s.get(`/v1/auth/sso/${encodeURIComponent(first.id)}`);
    expectOperation(res, 'auth_get_sso', 200);
    expect(res.body.result.id).toBe(first.id);
  });
});

describe('auth_get_sso_metadata', () => {
  it("reads the service-provider values for the organization's identity providers", async () => {
    const s = await ro.session();
    expectOperation(await s.get('/v1/auth/meta'), 'auth_get_sso_metadata', 200);
  });
});
