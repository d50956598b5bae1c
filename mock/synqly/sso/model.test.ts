import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../core/secrets.ts';
import { apiError, orgFixture, rejected, T0 } from '../model-testing.ts';
import { createSso, deleteSso, getSso, listSso, ssoMetadata, ssoView, updateSso, DEFAULT_NAME_ID_FORMAT, type SamlInput, type SsoRequest } from './model.ts';

const oidc: SsoRequest = { fullname: 'Okta Workforce', config: { type: 'oidc', issuer_url: 'https://acme.okta.com', client_id: 'app', client_secret: 's3cret-value' } };
const saml: SsoRequest = {
  fullname: 'Entra SAML',
  config: { type: 'saml', idp_entity_id: 'https://sts.example/1', idp_sso_url: 'https://login.example/saml2', idp_certificate: 'PEM', sp_entity_id: 'urn:sp', idp_metadata_url: 'https://login.example/meta' },
};

describe('SSO configurations', () => {
  it('stores the OIDC secret only as its hash and never shows secrets, the certificate or the metadata URL', async () => {
    const { write, env, org } = await orgFixture();
    const created = await write((o) => createSso(o, oidc, env));
    expect(created).toMatchObject({ name: 'okta-workforce', fullname: 'Okta Workforce', identity_provider: { type: 'oidc', client_secret_hash: hashSecret('s3cret-value') } });
    expect(JSON.stringify(org().ssoConfigurations.all())).not.toContain('s3cret-value');
    expect(ssoView(created)).toEqual({ id: created.id, name: 'okta-workforce', fullname: 'Okta Workforce', identity_provider: { type: 'oidc', issuer_url: 'https://acme.okta.com', client_id: 'app' }, created_at: created.created_at, updated_at: created.updated_at });
    const s = await write((o) => createSso(o, saml, env));
    expect(ssoView(s).identity_provider).toEqual({ type: 'saml', idp_entity_id: 'https://sts.example/1', idp_sso_url: 'https://login.example/saml2', sp_entity_id: 'urn:sp', name_id_format: DEFAULT_NAME_ID_FORMAT });
    expect(listSso(org()).map((c) => c.name)).toEqual(['entra-saml', 'okta-workforce']);
    expect(getSso(org(), 'OKTA-WORKFORCE').id).toBe(created.id);
  });

  it('answers 409 for a fullname in use (ignoring case), 400 for a SAML URL that is not HTTPS; nothing stored', async () => {
    const { store, write, env } = await orgFixture();
    await write((o) => createSso(o, oidc, env));
    expect((await rejected(store, () => write((o) => createSso(o, { ...oidc, fullname: 'OKTA workforce' }, env)))).status).toBe(409);
    const plain = await rejected(store, () => write((o) => createSso(o, { ...saml, config: { ...saml.config, idp_sso_url: 'http://login.example/saml2' } as SsoRequest['config'] }, env)));
    expect(plain).toMatchObject({ status: 400, details: { parameter: { id: '/config/idp_sso_url' } } });
  });

  it('updates as a full replacement guarded by updated_at, keeping an omitted secret or certificate', async () => {
    const { store, write, env, org } = await orgFixture();
    const created = await write((o) => createSso(o, oidc, env));
    const later = { ...env, nowMs: T0 + 60_000 };
    const kept = await write((o) => updateSso(o, created.id, { fullname: 'Okta', config: { type: 'oidc', issuer_url: 'https://acme.okta.com/2', client_id: 'app2' }, updated_at: created.updated_at }, later));
    expect(kept).toMatchObject({ name: 'okta', identity_provider: { issuer_url: 'https://acme.okta.com/2', client_id: 'app2', client_secret_hash: hashSecret('s3cret-value') } });
    expect(kept.updated_at).toBe(new Date(T0 + 60_000).toISOString());
    // the first updated_at is stale now
    const stale = await rejected(store, () => write((o) => updateSso(o, created.id, { ...oidc, updated_at: created.updated_at }, later)));
    expect(stale).toMatchObject({ status: 400, details: { parameter: { id: '/updated_at' } } });
    // switching protocols needs the certificate: there is none to keep
    const { idp_certificate: _c, ...noCert } = saml.config as SamlInput;
    expect((await rejected(store, () => write((o) => updateSso(o, created.id, { fullname: 'Okta', config: noCert }, later)))).details.parameter?.id).toBe('/config/idp_certificate');
    const other = await write((o) => createSso(o, saml, env));
    expect((await rejected(store, () => write((o) => updateSso(o, other.id, { ...saml, fullname: 'okta' }, later)))).status).toBe(400);
    const rotated = await write((o) => updateSso(o, created.id, { fullname: 'Okta', config: { type: 'oidc', issuer_url: 'https://a', client_id: 'b', client_secret: 'new' } }, later));
    expect(rotated.identity_provider).toMatchObject({ client_secret_hash: hashSecret('new') });
    expect(Date.parse(rotated.updated_at)).toBeGreaterThan(Date.parse(kept.updated_at));
    await write((o) => deleteSso(o, 'okta'));
    expect(apiError(() => getSso(org(), created.id)).status).toBe(404);
  });

  it('gives both protocols’ service-provider values per organization', () => {
    const meta = ssoMetadata('org-1');
    expect(meta.oidc.redirect_uri).toMatch(/org-1$/);
    expect(meta.saml).toMatchObject({ sp_entity_id: expect.stringContaining('org-1'), supported_name_id_formats: expect.arrayContaining([DEFAULT_NAME_ID_FORMAT]) });
  });
});
