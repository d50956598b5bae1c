import type { Response } from 'supertest';
import { describe, expect, it, type TestContext } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession } from '../support/sessions.ts';
import { expectOperation } from '../support/contract.ts';
import { currentSubscriptionId } from '../support/connxio-management.ts';

/**
 * Read-only scenarios: every list and get of the Connxio management API (v2 and the legacy v1),
 * with GETs only, so they run on every target — a twin (a fresh `demo` company: two integrations on
 * the key's subscription, one on the other, a code component with two versions, an environment
 * variable, a security configuration) and a live tenant without `--allow-writes` (whatever it
 * holds). Each list is checked against the spec, then its first item (if any) is read back by id
 * (Connxio reads by id only). An empty list is fine live (the get is skipped, saying why); on a
 * twin the demo company has the item, so an empty list there fails.
 */

const target = await useTarget();
const twin = target.kind !== 'live';

interface Item {
  id: string;
  [key: string]: unknown;
}

const session = () => connxioSession(target, { profile: 'demo' });
const listOf = (res: Response) => res.body as Item[];

/** the first item, or: a failure on a twin (the demo company holds one), a skip with the reason live */
function firstOf(ctx: TestContext, list: Item[], what: string): Item {
  const item = list[0];
  if (item !== undefined) return item;
  if (twin) expect.fail(`the demo company should hold ${what}`);
  ctx.skip(`the tenant holds no ${what} to read`);
  throw new Error(`no ${what}`);
}

describe('list_subscriptions', () => {
  it("lists the company's subscriptions, the key's among them", async () => {
    const s = await session();
    const res = await s.get('/v2/subscriptions');
    expectOperation(res, 'list_subscriptions', 200);
    expect(listOf(res).map((x) => x.id)).toContain(await currentSubscriptionId(s));
    if (twin) expect(listOf(res)).toHaveLength(2);
  });
});

describe('get_current_subscription', () => {
  it("reads the key's subscription, the same as its entry in the list", async () => {
    const s = await session();
    const res = await s.get('/v2/subscriptions/current');
    expectOperation(res, 'get_current_subscription', 200);
    if (s.subscriptionId) expect(res.body.id).toBe(s.subscriptionId);
    const list = await s.get('/v2/subscriptions');
    expectOperation(list, 'list_subscriptions', 200);
    expect(listOf(list).find((x) => x.id === res.body.id)).toEqual(res.body);
  });
});

describe('list_integrations', () => {
  it("lists the key's subscription's integrations (two in the demo company)", async () => {
    const s = await session();
    const res = await s.get('/v2/integrations');
    expectOperation(res, 'list_integrations', 200);
    const subscriptionId = await currentSubscriptionId(s);
    for (const i of listOf(res)) expect(i.subscriptionId).toBe(subscriptionId);
    if (twin) expect(listOf(res)).toHaveLength(2);
  });
});

describe('get_integration', () => {
  it('reads the first listed integration by id, the same document as in the list', async (ctx) => {
    const s = await session();
    const list = await s.get('/v2/integrations');
    expectOperation(list, 'list_integrations', 200);
    const integration = firstOf(ctx, listOf(list), 'integration');
    const res = await s.get(`/v2/integrations/${integration.id}`);
    expectOperation(res, 'get_integration', 200);
    expect(res.body).toEqual(integration);
  });
});

describe('list_subscriptions_v1', () => {
  it("lists the company's subscriptions under the legacy v1 management API", async () => {
    const s = await session();
    const res = await s.get('/v1/management/subscription');
    expectOperation(res, 'list_subscriptions_v1', 200);
    expect(listOf(res).map((x) => x.id)).toContain(await currentSubscriptionId(s));
  });
});

describe('list_integrations_v1', () => {
  it("lists the key's subscription's integrations under v1, the same documents as v2", async () => {
    const s = await session();
    const res = await s.get('/v1/management/integration');
    expectOperation(res, 'list_integrations_v1', 200);
    const v2 = await s.get('/v2/integrations');
    expectOperation(v2, 'list_integrations', 200);
    const byId = (list: Item[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(listOf(res))).toEqual(byId(listOf(v2)));
  });
});

describe('get_integration_v1', () => {
  it('reads the first listed integration by id under v1, the same document as v2', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/management/integration');
    expectOperation(list, 'list_integrations_v1', 200);
    const integration = firstOf(ctx, listOf(list), 'integration');
    const res = await s.get(`/v1/management/integration/${integration.id}`);
    expectOperation(res, 'get_integration_v1', 200);
    expect(res.body).toEqual(integration);
    const v2 = await s.get(`/v2/integrations/${integration.id}`);
    expectOperation(v2, 'get_integration', 200);
    expect(res.body).toEqual(v2.body);
  });
});

describe('list_code_components', () => {
  it("lists the company's code components (the demo's Order Mapper)", async () => {
    const s = await session();
    const res = await s.get('/v2/codecomponents');
    expectOperation(res, 'list_code_components', 200);
    if (twin) expect(listOf(res).map((c) => c.name)).toContain('Order Mapper');
  });
});

describe('get_code_component', () => {
  it('reads the first listed code component by id, and all its versions', async (ctx) => {
    const s = await session();
    const list = await s.get('/v2/codecomponents');
    expectOperation(list, 'list_code_components', 200);
    const component = firstOf(ctx, listOf(list), 'code component');
    const res = await s.get(`/v2/codecomponents/${component.id}`);
    expectOperation(res, 'get_code_component', 200);
    expect(listOf(res).length).toBeGreaterThanOrEqual(1);
    for (const v of listOf(res)) expect(v).toMatchObject({ id: component.id, name: component.name });
    const versions = await s.get(`/v2/codecomponents/${component.id}/versions`);
    expectOperation(versions, 'get_code_component_versions', 200);
    for (const v of listOf(versions)) expect(v.id).toBe(component.id);
    const all = listOf(versions).map((v) => v.uniqueId);
    for (const v of listOf(res)) expect(all).toContain(v.uniqueId);
    if (twin) expect(listOf(versions).map((v) => v.version)).toEqual(['1.0.1', '1.0.0']);
  });
});

describe('get_code_component_versions', () => {
  it('lists every version of the first listed code component', async (ctx) => {
    const s = await session();
    const list = await s.get('/v2/codecomponents');
    expectOperation(list, 'list_code_components', 200);
    const component = firstOf(ctx, listOf(list), 'code component');
    const res = await s.get(`/v2/codecomponents/${component.id}/versions`);
    expectOperation(res, 'get_code_component_versions', 200);
    expect(listOf(res).length).toBeGreaterThanOrEqual(1);
    expect(new Set(listOf(res).map((v) => v.uniqueId)).size).toBe(listOf(res).length);
  });
});

describe('list_environment_variables', () => {
  it("lists the company's environment variables (the demo's ErpBaseUrl)", async () => {
    const s = await session();
    const res = await s.get('/v2/environmentvariables');
    expectOperation(res, 'list_environment_variables', 200);
    if (twin) expect(listOf(res).map((v) => v.name)).toEqual(['ErpBaseUrl']);
  });
});

describe('get_environment_variable', () => {
  it('reads the first listed environment variable by id, the same as in the list', async (ctx) => {
    const s = await session();
    const list = await s.get('/v2/environmentvariables');
    expectOperation(list, 'list_environment_variables', 200);
    const variable = firstOf(ctx, listOf(list), 'environment variable');
    const res = await s.get(`/v2/environmentvariables/${variable.id}`);
    expectOperation(res, 'get_environment_variable', 200);
    expect(res.body).toEqual(variable);
  });
});

describe('list_security_configs', () => {
  it("lists the company's security configurations (one in the demo company)", async () => {
    const s = await session();
    const res = await s.get('/v2/securityconfigs');
    expectOperation(res, 'list_security_configs', 200);
    if (twin) expect(listOf(res)).toHaveLength(1);
  });
});

describe('get_security_config', () => {
  it('reads the first listed security configuration by id', async (ctx) => {
    const s = await session();
    const list = await s.get('/v2/securityconfigs');
    expectOperation(list, 'list_security_configs', 200);
    const config = firstOf(ctx, listOf(list), 'security configuration');
    const res = await s.get(`/v2/securityconfigs/${config.id}`);
    expectOperation(res, 'get_security_config', 200);
    expect(res.body).toMatchObject({ id: config.id, name: config.name, securityType: config.securityType });
  });
});
