import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec, specPath, type OperationSpec } from '../../mock/core/spec.ts';
import { useTarget, type Target } from '../target.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';

/**
 * The authentication/authorization matrix (issue 4): every Management operation of the spec ×
 * {no token, malformed header, unknown token, expired token, revoked token, integration token,
 * MCP token, lacking permission, outside resource restriction} → 401/403 in the Problem envelope
 * (DECISIONS "status mapping"), and the store unchanged (snapshot digest before = after).
 * Twin only: it needs the control API (tenant, clock, snapshot).
 *
 * Exempt rows: `auth_logon` has `security: []` (no token rows); operations without
 * `x-synqly-permission` (capabilities, meta) need only a valid organization token, so the two
 * permission rows do not apply to them.
 */

const target = await useTarget();
const spec = await loadSpec(specPath('synqly-management.yaml'));
const operations = spec.operations;

interface Fixture {
  tenantId: string;
  orgId: string;
  admin: string;
  accountA: { id: string };
  accountB: { id: string };
  integrationId: string;
  memberId: string;
  victimTokenId: string;
  tokens: {
    expired: string;
    revoked: string;
    integration: string;
    mcp: string;
    tokenIssuer: string;
    viewer: string;
    accountRestricted: string;
    orgRestricted: string;
  };
  /** the token-issuer permission set's grants, as permissionset_get publishes them */
  tokenIssuerGrants: PermissionMap;
  clockBefore?: { now: string; at: number };
}

let fx: Fixture;

const bearer = (t: Target, secret: string) => ({
  get: (p: string) => t.synqly.get(p).set('authorization', `Bearer ${secret}`),
  post: (p: string) => t.synqly.post(p).set('authorization', `Bearer ${secret}`),
  delete: (p: string) => t.synqly.delete(p).set('authorization', `Bearer ${secret}`),
});

async function adhoc(admin: string, body: Record<string, unknown>): Promise<{ id: string; access: string }> {
  const res = await bearer(target, admin).post('/v1/tokens').send({ resources: {}, permission_set: 'administrator', ...body });
  expectOperation(res, 'tokens_create_token', 200);
  return { id: res.body.result.id, access: res.body.result.primary.access.secret };
}

/** an integration's token, as integrations_create issues it */
async function integrationToken(admin: string, accountId: string): Promise<{ integrationId: string; secret: string }> {
  const res = await bearer(target, admin).post(`/v1/integrations/${accountId}`).send({ name: uniqueName('integ'), provider_config: { type: 'siem_mock_siem' } });
  expectOperation(res, 'integrations_create', 200);
  return { integrationId: res.body.result.integration.id, secret: res.body.result.token.access.secret };
}

type PermissionMap = Record<string, { actions: string[] }>;

/**
 * Whether a permission set, as permissionset_get publishes it, may grant `action` (`area.action`).
 * An `all` entry other than `*` is taken to grant anything: this only picks a token that lacks the
 * action, and the row's 403 proves the pick.
 */
function mayGrant(permissions: PermissionMap, action: string): boolean {
  const [area, verb] = action.split('.') as [string, string];
  if (permissions.all) return true;
  const actions = permissions[area]?.actions ?? [];
  return actions.includes('*') || actions.includes(verb);
}

async function storeDigest(): Promise<string> {
  const res = await target.admin.get('/__admin/snapshot');
  expect(res.status).toBe(200);
  return createHash('sha256').update(JSON.stringify(res.body.collections)).digest('hex');
}

describe.runIf(target.capabilities.admin)('authentication and authorization matrix', () => {
  beforeAll(async () => {
    const tenant = await target.admin.post('/__admin/tenants').send({ vendor: 'synqly', name: uniqueName('matrix'), profile: 'empty' });
    expect(tenant.status).toBe(201);
    const admin = tenant.body.credentials.token as string;
    const orgId = tenant.body.credentials.organization_id as string;
    const api = bearer(target, admin);
    const a = await api.post('/v1/accounts').send({ name: uniqueName('in'), labels: ['inside'] });
    const b = await api.post('/v1/accounts').send({ name: uniqueName('out') });
    expectOperation(a, 'accounts_create', 200);
    expectOperation(b, 'accounts_create', 200);
    const accountA = a.body.result.account;
    const accountB = b.body.result.account;
    const member = await api.post('/v1/members').send({ name: `${uniqueName('m')}@example.com`, secret: 'c0rrect-h0rse-battery' });
    expectOperation(member, 'members_create', 200);

    const revoked = await adhoc(admin, {});
    expectOperation(await api.delete(`/v1/tokens/${revoked.id}`), 'tokens_delete', 204);
    const mcp = await api.post('/v1/tokens/mcp').send({ scope: { type: 'developer', account_id: accountA.id } });
    expectOperation(mcp, 'tokens_create_mcp_token', 200);
    const integration = await integrationToken(admin, accountB.id);
    const tokenIssuerSet = await api.get('/v1/permissionsets/token-issuer');
    expectOperation(tokenIssuerSet, 'permissionset_get', 200);
    // a token restricted to another organization (a sub-organization: restrictions name real organizations)
    const sub = await api.post('/v1/suborgs').send({ name: uniqueName('elsewhere') });
    expectOperation(sub, 'subOrgs_create', 200);

    fx = {
      tenantId: tenant.body.id,
      orgId,
      admin,
      accountA,
      accountB,
      integrationId: integration.integrationId,
      memberId: member.body.result.member.id,
      victimTokenId: (await adhoc(admin, { permission_set: 'viewer' })).id,
      tokens: {
        expired: (await adhoc(admin, { token_ttl: '1m' })).access,
        revoked: revoked.access,
        integration: integration.secret,
        mcp: mcp.body.result.secret,
        tokenIssuer: (await adhoc(admin, { permission_set: 'token-issuer' })).access,
        viewer: (await adhoc(admin, { permission_set: 'viewer' })).access,
        accountRestricted: (await adhoc(admin, { resources: { accounts: { ids: [accountA.id] } } })).access,
        orgRestricted: (await adhoc(admin, { resources: { organizations: { ids: [sub.body.result.organization.id] } } })).access,
      },
      tokenIssuerGrants: tokenIssuerSet.body.result.permissions,
    };
    // move the twin's clock past the 1m token (and put it back afterwards)
    const clock = await target.admin.get('/__admin/clock');
    fx.clockBefore = { now: clock.body.now, at: Date.now() };
    expect((await target.admin.post('/__admin/clock/advance').send({ duration: '2m' })).status).toBe(200);
    expectProblem(await bearer(target, fx.tokens.expired).get('/v1/accounts'), 'accounts_list', 401);
  });

  afterAll(async () => {
    if (!fx) return;
    if (fx.clockBefore) {
      await target.admin.put('/__admin/clock').send({ now: new Date(Date.parse(fx.clockBefore.now) + (Date.now() - fx.clockBefore.at)).toISOString() });
    }
    await target.admin.delete(`/__admin/tenants/${fx.tenantId}`);
  });

  /** path parameters: real resources where the check depends on them, placeholders elsewhere */
  function pathOf(op: OperationSpec): string {
    return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = (() => {
        switch (name) {
          case 'accountId':
            return fx.accountB.id;
          case 'integrationId':
            return fx.integrationId;
          case 'ownerId':
            return op.operationId.startsWith('credentials_') ? fx.accountB.id : fx.orgId;
          case 'refreshTokenId':
            return fx.victimTokenId;
          case 'memberId':
            return fx.memberId;
          case 'organizationId':
            return op.operationId === 'auth_logon' ? fx.orgId : 'no-such-suborg';
          case 'permissionsetId':
            return 'viewer';
          case 'providerId':
            return 'siem_mock_siem';
          default:
            return `no-such-${name.toLowerCase()}`;
        }
      })();
      return encodeURIComponent(value);
    });
  }

  /** does the operation touch an account named in its path (then an account restriction applies) */
  const touchesAccount = (op: OperationSpec) => /\{accountId\}/.test(op.path) || (op.operationId.startsWith('credentials_') && /\{ownerId\}/.test(op.path));

  interface Row {
    name: string;
    header?: string;
    status: 401 | 403;
  }

  function rowsFor(op: OperationSpec): Row[] {
    if (op.security.length === 0) return [];
    const rows: Row[] = [
      { name: 'no token', status: 401 },
      { name: 'malformed header', header: `Token ${randomBytes(8).toString('hex')}`, status: 401 },
      { name: 'unknown token', header: `Bearer ${randomBytes(32).toString('base64url')}`, status: 401 },
      { name: 'expired token', header: `Bearer ${fx.tokens.expired}`, status: 401 },
      { name: 'revoked token', header: `Bearer ${fx.tokens.revoked}`, status: 401 },
      { name: 'MCP token', header: `Bearer ${fx.tokens.mcp}`, status: 401 },
    ];
    rows.push({ name: 'integration token', header: `Bearer ${fx.tokens.integration}`, status: 401 });
    const action = op.extensions['x-synqly-permission'];
    if (typeof action === 'string') {
      const lacking = mayGrant(fx.tokenIssuerGrants, action) ? fx.tokens.viewer : fx.tokens.tokenIssuer;
      rows.push({ name: 'lacking permission', header: `Bearer ${lacking}`, status: 403 });
      rows.push({ name: 'outside resource restriction', header: `Bearer ${touchesAccount(op) ? fx.tokens.accountRestricted : fx.tokens.orgRestricted}`, status: 403 });
    }
    return rows;
  }

  for (const op of operations) {
    it(`${op.operationId}: refused with 401/403 per row, nothing stored`, async () => {
      const rows = rowsFor(op);
      if (op.security.length === 0) {
        // security: [] — no token rows; a bogus bearer does not make it a 401 by itself
        const res = await target.synqly.post(pathOf(op)).set('authorization', 'Token nonsense').send({ name: 'nobody@example.com', secret: 'x' });
        expectProblem(res, op.operationId, 401);
        expect(res.body.message).not.toContain('Authorization');
        return;
      }
      expect(rows.length).toBe(typeof op.extensions['x-synqly-permission'] === 'string' ? 9 : 7);
      const before = await storeDigest();
      const path = pathOf(op);
      for (const row of rows) {
        const method = op.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
        let req = target.synqly[method](path);
        if (row.header) req = req.set('authorization', row.header);
        if (op.requestBody) req = req.set('content-type', 'application/json').send(op.method === 'PATCH' ? [] : {});
        const res = await req;
        expect(res.status, `${op.operationId} × ${row.name}: ${res.text.slice(0, 300)}`).toBe(row.status);
        expectProblem(res, op.operationId, row.status);
      }
      expect(await storeDigest(), `${op.operationId}: the store changed`).toBe(before);
    });
  }

  it('the row tokens work where they are allowed (the matrix refuses for the right reason)', async () => {
    // the restricted and limited tokens are valid organization tokens: each can do something
    expectOperation(await bearer(target, fx.tokens.viewer).get('/v1/accounts'), 'accounts_list', 200);
    const inside = await bearer(target, fx.tokens.accountRestricted).get('/v1/accounts');
    expectOperation(inside, 'accounts_list', 200);
    expect(inside.body.result.map((a: { id: string }) => a.id)).toEqual([fx.accountA.id]);
    expectOperation(await bearer(target, fx.tokens.accountRestricted).get(`/v1/accounts/${fx.accountA.id}`), 'accounts_get', 200);
    // the token-issuer token may issue integration tokens (and nothing else)
    const issued = await bearer(target, fx.tokens.tokenIssuer).post(`/v1/tokens/${fx.accountB.id}/${fx.integrationId}`).send({});
    expectOperation(issued, 'tokens_create_integration_token', 200);
  });
});
