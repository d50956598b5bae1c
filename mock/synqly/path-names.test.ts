import { describe, expect, it } from 'vitest';
import { createBridge } from './bridges/model.ts';
import { createIntegration } from './integrations/model.ts';
import { createMember } from './members/model.ts';
import { orgFixture } from './model-testing.ts';
import { namedInPath } from './path-names.ts';

async function fixture() {
  const f = await orgFixture();
  const mock = { name: 'mock', provider_config: { type: 'ticketing_mock_ticketing' } };
  const inProd = await f.write((o) => createIntegration(o, f.prod.id, mock, {}, f.env));
  const inTest = await f.write((o) => createIntegration(o, f.test.id, { ...mock, name: 'other' }, {}, f.env));
  const { bridge } = await f.write((o) => createBridge(o, f.prod.id, { name: 'dc1' }, f.env));
  return { ...f, inProd: inProd.integration, inTest: inTest.integration, bridge };
}

describe('namedInPath', () => {
  it('reads an account, its integration and its bridge group by id or by name in any case', async () => {
    const { org, organization, prod, inProd, bridge } = await fixture();
    const named = namedInPath(org(), organization, { accountId: 'ACME-PROD', integrationId: 'Mock', bridgeId: bridge.id });
    expect(named.account?.id).toBe(prod.id);
    expect(named.integration?.id).toBe(inProd.id);
    expect(named.bridge?.id).toBe(bridge.id);
    expect(namedInPath(org(), organization, { accountId: prod.id, bridgeId: 'DC1' }).bridge?.id).toBe(bridge.id);
  });

  it('looks an integration up in the path account only, unless the reading spans accounts', async () => {
    const { org, organization, prod, inTest } = await fixture();
    expect(namedInPath(org(), organization, { accountId: prod.id, integrationId: inTest.id }).integration).toBeUndefined();
    expect(namedInPath(org(), organization, { accountId: 'no-such', integrationId: inTest.id }).integration).toBeUndefined();
    const across = { integrationsAcrossAccounts: true };
    expect(namedInPath(org(), organization, { accountId: prod.id, integrationId: inTest.id }, across).integration?.id).toBe(inTest.id);
    expect(namedInPath(org(), organization, { accountId: prod.id, integrationId: 'other' }, across).integration).toBeUndefined();
    expect(namedInPath(org(), organization, { accountId: 'no-such', integrationId: 'other' }, across).integration?.id).toBe(inTest.id);
  });

  it('reads ownerId as an integration, an account when the reading allows it, and neither for the organization itself', async () => {
    const f = await fixture();
    const o = f.org();
    expect(namedInPath(o, f.organization, { ownerId: 'mock' }).integration?.id).toBe(f.inProd.id);
    expect(namedInPath(o, f.organization, { ownerId: 'acme-test' }).account).toBeUndefined();
    expect(namedInPath(o, f.organization, { ownerId: 'acme-test' }, { ownerMayBeAccount: true }).account?.id).toBe(f.test.id);
    expect(namedInPath(o, f.organization, { ownerId: f.organization.name.toUpperCase() }, { ownerMayBeAccount: true })).toEqual({});
  });

  it("reads a refresh token as its integration's and a member by name", async () => {
    const f = await fixture();
    const o = f.org();
    const token = o.refreshTokens.all().find((t) => t.owner_type === 'integration' && t.owner_id === f.inProd.id);
    expect(token).toBeDefined();
    expect(namedInPath(o, f.organization, { refreshTokenId: token!.id }).tokenIntegration?.id).toBe(f.inProd.id);
    const member = await f.write((w) => createMember(w, { name: 'carol@acme.com', secret: 'l1ghthouse-m0rning-tea' }, f.env));
    expect(namedInPath(f.org(), f.organization, { memberId: 'CAROL@acme.com' }).member?.id).toBe(member.id);
    expect(namedInPath(o, f.organization, { memberId: 'no-such-member' }).member).toBeUndefined();
  });
});
