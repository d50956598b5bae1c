import { describe, expect, it } from 'vitest';
import { ApiError } from '../../core/errors.ts';
import { findKeyByValue } from '../apiKeys/model.ts';
import type { IntegrationInput } from '../integrations/types.ts';
import { companyFixture, integrationRequest, thrown } from '../model-testing.ts';
import type { CustomApiRoute } from '../state.ts';
import {
  createCustomApi,
  customApiOpenApi,
  customApiView,
  deleteCustomApi,
  findCustomApiByKey,
  matchRoute,
  regenerateCustomApiKey,
  setCustomApiKeyEnabled,
  setCustomApiWebhookMode,
  updateCustomApi,
  validateRoutes,
} from './model.ts';

const T0 = Date.parse('2026-06-01T08:00:00.000Z');

const integration = (subscriptionId: string, adapterType: string, extra: Partial<IntegrationInput> = {}): IntegrationInput =>
  integrationRequest(subscriptionId, { inboundConnection: { adapterType }, ...extra });

async function setup() {
  const t = await companyFixture('custom-apis-test', T0);
  const { test, prod, save } = t;
  const create = await save(test, integration(test.id, 'Api'));
  const update = await save(test, integration(test.id, 'Api', { inboundConnection: { adapterType: 'Api', connectionProperties: '{"useSynchronousCommunication":true}' } }));
  const eventGrid = await save(test, integration(test.id, 'EventGrid'));
  const inProd = await save(prod, integration(prod.id, 'Api'));
  return { ...t, ids: { create: create.id, update: update.id, eventGrid: eventGrid.id, inProd: inProd.id } };
}

describe('validateRoutes', () => {
  it('normalises methods and trailing slashes and keeps only Api-triggered integrations of the subscription', async () => {
    const { read, test, ids } = await setup();
    const routes = validateRoutes(read(), test.id, [
      { method: 'post', path: '/Orders/', integrationId: ids.create },
      { method: 'PUT', path: '/orders/{orderId}', integrationId: ids.update.toUpperCase() },
    ]);
    expect(routes).toEqual([
      { method: 'POST', path: '/Orders', integrationId: ids.create },
      { method: 'PUT', path: '/orders/{orderId}', integrationId: ids.update },
    ]);
    const problem = (routesIn: Parameters<typeof validateRoutes>[2]) => thrown(() => validateRoutes(read(), test.id, routesIn));
    expect(problem([{ method: 'OPTIONS', path: '/a', integrationId: ids.create }]).message).toMatch(/routes\[0\]\.method/);
    expect(problem([{ method: 'GET', path: 'orders', integrationId: ids.create }]).message).toMatch(/must start with \//);
    expect(problem([{ method: 'GET', path: '/a//b', integrationId: ids.create }]).message).toMatch(/empty segments/);
    expect(problem([{ method: 'GET', path: '/a/{x}/{X}', integrationId: ids.create }]).message).toMatch(/twice/);
    expect(problem([{ method: 'GET', path: '/a/b{x}', integrationId: ids.create }]).message).toMatch(/whole \{parameter\}/);
    expect(problem([{ method: 'GET', path: '/__admin/x', integrationId: ids.create }]).message).toMatch(/reserved/);
    expect(problem([{ method: 'GET', path: '/__UI/app', integrationId: ids.create }]).message).toMatch(/reserved/);
    expect(problem([{ method: 'GET', path: '/a', integrationId: ids.eventGrid }]).message).toMatch(/EventGrid inbound adapter/);
    expect(problem([{ method: 'GET', path: '/a', integrationId: ids.inProd }]).message).toMatch(/does not exist in subscription/);
    const duplicate = problem([
      { method: 'GET', path: '/orders/{id}', integrationId: ids.create },
      { method: 'get', path: '/ORDERS/{orderId}/', integrationId: ids.update },
    ]);
    expect(duplicate.message).toMatch(/duplicates routes\[0\]/);
    expect(duplicate.details.parameter?.id).toBe('/routes/1/path');
  });
});

describe('matchRoute', () => {
  const routes: CustomApiRoute[] = [
    { method: 'POST', path: '/orders', integrationId: 'create' },
    { method: 'PUT', path: '/orders', integrationId: 'update' },
    { method: 'GET', path: '/orders/{orderId}', integrationId: 'read' },
    { method: 'GET', path: '/orders/archive', integrationId: 'archive' },
    { method: 'DELETE', path: '/', integrationId: 'root' },
  ];

  it('matches case-insensitively, ignores a trailing slash and captures {param} segments', () => {
    expect(matchRoute(routes, 'post', '/ORDERS/')).toEqual({ kind: 'found', route: routes[0], params: {} });
    expect(matchRoute(routes, 'PUT', '/Orders')).toMatchObject({ kind: 'found', route: { integrationId: 'update' } });
    expect(matchRoute(routes, 'GET', '/orders/SO%2042')).toEqual({ kind: 'found', route: routes[2], params: { orderId: 'SO 42' } });
    expect(matchRoute(routes, 'DELETE', '/')).toMatchObject({ kind: 'found', route: { integrationId: 'root' } });
  });

  it('prefers literal segments over parameters', () => {
    expect(matchRoute(routes, 'GET', '/orders/Archive')).toMatchObject({ kind: 'found', route: { integrationId: 'archive' } });
  });

  it('answers not-found for an unknown path and method-not-allowed with the allowed methods for a known one', () => {
    expect(matchRoute(routes, 'POST', '/invoices')).toEqual({ kind: 'not-found' });
    expect(matchRoute(routes, 'POST', '/orders/1/lines')).toEqual({ kind: 'not-found' });
    expect(matchRoute(routes, 'GET', '//orders')).toEqual({ kind: 'not-found' });
    expect(matchRoute(routes, 'DELETE', '/orders')).toEqual({ kind: 'method-not-allowed', allow: ['POST', 'PUT'] });
    expect(matchRoute(routes, 'PATCH', '/orders/archive')).toEqual({ kind: 'method-not-allowed', allow: ['GET'] });
  });
});

describe('custom API lifecycle', () => {
  it('creates the API with a Messaging.Dynamic key that resolves to it, and manages that key', async () => {
    const { store, write, read, test, ids, env } = await setup();
    const { record, key } = await write((c) =>
      createCustomApi(c, { title: 'Orders', summary: 'Order intake', subscriptionId: test.id, routes: [{ method: 'POST', path: '/orders', integrationId: ids.create }] }, env),
    );
    const view = customApiView(read(), record);
    expect(view).toMatchObject({ title: 'Orders', keyEnabled: true, keyScopes: ['Messaging.Dynamic'], webhookMode: false, keyHint: key.slice(-4) });
    expect(JSON.stringify(view)).not.toContain(key);
    const resolved = findCustomApiByKey(store.reader, key);
    expect(resolved?.api.id).toBe(record.id);
    expect(resolved?.key.customApiId).toBe(record.id);

    await write((c) => setCustomApiKeyEnabled(c, record.id, false, env));
    expect(customApiView(read(), read().customApis.get(record.id)!).keyEnabled).toBe(false);
    expect(findCustomApiByKey(store.reader, key)?.key.active).toBe(false);

    const regenerated = await write((c) => regenerateCustomApiKey(c, record.id, env));
    expect(regenerated.key).not.toBe(key);
    expect(findCustomApiByKey(store.reader, key)).toBeUndefined();
    expect(findCustomApiByKey(store.reader, regenerated.key)?.api.id).toBe(record.id);

    const webhook = await write((c) => setCustomApiWebhookMode(c, record.id, true, env));
    expect(webhook.webhookMode).toBe(true);

    const updated = await write((c) => updateCustomApi(c, record.id, { routes: [{ method: 'PUT', path: '/orders', integrationId: ids.update }] }, env));
    expect(updated.routes).toEqual([{ method: 'PUT', path: '/orders', integrationId: ids.update }]);
    expect(updated.title).toBe('Orders');
    await expect(write((c) => updateCustomApi(c, record.id, { routes: [{ method: 'PUT', path: '/x', integrationId: ids.eventGrid }] }, env))).rejects.toThrow(/EventGrid/);
    expect(read().customApis.get(record.id)!.routes).toEqual(updated.routes);

    await write((c) => deleteCustomApi(c, record.id));
    expect(read().customApis.get(record.id)).toBeUndefined();
    expect(read().apiKeys.get(record.keyId)).toBeUndefined();
    expect(findKeyByValue(store.reader, regenerated.key)).toBeUndefined();
  });

  it('refuses a subscription of another company and stores nothing on bad routes', async () => {
    const { write, read, test, ids, env } = await setup();
    await expect(write((c) => createCustomApi(c, { title: 'x', subscriptionId: 'nope', routes: [] }, env))).rejects.toThrow(/does not belong/);
    await expect(write((c) => createCustomApi(c, { title: 'x', subscriptionId: test.id, routes: [{ method: 'GET', path: '/a', integrationId: ids.inProd }] }, env))).rejects.toThrow(ApiError);
    expect(read().customApis.count()).toBe(0);
    expect(read().apiKeys.count()).toBe(0);
  });
});

describe('customApiOpenApi', () => {
  it('describes every route with its methods, path parameters and the security of the main API', async () => {
    const { write, read, test, ids, env } = await setup();
    const { record } = await write((c) =>
      createCustomApi(
        c,
        {
          title: 'Orders',
          summary: 'Order intake',
          subscriptionId: test.id,
          routes: [
            { method: 'POST', path: '/orders', integrationId: ids.create },
            { method: 'PUT', path: '/orders', integrationId: ids.update },
            { method: 'GET', path: '/orders/{orderId}', integrationId: ids.create },
          ],
        },
        env,
      ),
    );
    const doc = customApiOpenApi(read(), record) as {
      openapi: string;
      info: Record<string, string>;
      servers: Array<{ url: string }>;
      security: unknown[];
      paths: Record<string, Record<string, { operationId: string; parameters: Array<{ name: string; in: string }>; requestBody?: unknown; responses: Record<string, { content?: unknown }> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(doc.info).toMatchObject({ title: 'Orders', description: 'Order intake' });
    expect(doc.servers).toEqual([{ url: 'https://custom.connxio.com' }]);
    expect(Object.keys(doc.paths)).toEqual(['/orders', '/orders/{orderId}']);
    expect(Object.keys(doc.paths['/orders']!)).toEqual(['post', 'put']);
    expect(doc.paths['/orders/{orderId}']!.get!.parameters).toContainEqual(expect.objectContaining({ name: 'orderId', in: 'path' }));
    expect(doc.paths['/orders/{orderId}']!.get!.requestBody).toBeUndefined();
    expect(doc.paths['/orders']!.post!.requestBody).toBeDefined();
    expect(doc.paths['/orders']!.put!.responses['200']!.content).toBeDefined(); // the update integration is synchronous
    expect(doc.paths['/orders']!.post!.responses['200']!.content).toBeUndefined();
    const operationIds = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['Bearer', 'Connxio-Api-Key', 'Connxio-Api-Key-Query', 'Connxio-Api-Webhook', 'Connxio-Api-Webhook-Query']);
    // the key as header or query parameter (the main API's ConnxioApiKey / ConnxioApiKeyQuery)
    expect(doc.components.securitySchemes['Connxio-Api-Key-Query']).toMatchObject({ type: 'apiKey', in: 'query', name: 'Connxio-Api-Key' });
    expect(doc.security).toEqual([
      { 'Connxio-Api-Key': [], Bearer: [] },
      { 'Connxio-Api-Key-Query': [], Bearer: [] },
    ]);
    const withWebhook = customApiOpenApi(read(), { ...record, webhookMode: true }) as { security: unknown[] };
    expect(withWebhook.security).toContainEqual({ 'Connxio-Api-Key': [], 'Connxio-Api-Webhook': [] });
    expect(withWebhook.security).toContainEqual({ 'Connxio-Api-Key-Query': [], 'Connxio-Api-Webhook-Query': [] });
    expect(withWebhook.security).toHaveLength(6);
  });
});
