import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { ConnxioSession } from './sessions.ts';
import { expectOperation } from './contract.ts';
import { uniqueName } from './resources.ts';

/**
 * Builders for the Connxio management scenarios (integrations, code components, environment
 * variables, security configurations). Everything they create is uniquely named and deleted
 * after the test, so they are safe against a live tenant; outbound adapters are `Discard`, so a
 * created integration never calls anything.
 */

/** The key's subscription: from the session on a twin, from `/v2/subscriptions/current` live. */
export async function currentSubscriptionId(s: ConnxioSession): Promise<string> {
  if (s.subscriptionId) return s.subscriptionId;
  const res = await s.get('/v2/subscriptions/current');
  expectOperation(res, 'get_current_subscription', 200);
  return res.body.id as string;
}

export type IntegrationBody = Record<string, unknown> & { subIntegrations: Array<Record<string, unknown>> };

/** A minimal valid IntegrationPostRequest (contract §2.4.7) with an Api trigger and a Discard outbound. */
export function integrationBody(subscriptionId: string, overrides: Record<string, unknown> = {}): IntegrationBody {
  return {
    description: uniqueName('integration'),
    transactionType: 'Order',
    sender: 'Webshop',
    receiver: 'ERP',
    messageInboundFormat: 'json',
    messageInboundEncoding: 'utf-8',
    subscriptionId,
    enabled: true,
    inboundConnection: { adapterType: 'Api', adapterName: 'orders-api', connectionProperties: null },
    subIntegrations: [
      {
        subIntegrationId: randomUUID(),
        subintegrationName: 'to-void',
        transformations: [{ transformationType: 'InlineScript', transformationName: 'Pass through', properties: JSON.stringify({ script: 'const execute = (event) => event;' }) }],
        outboundConnections: [{ adapterType: 'Discard', adapterName: 'void', connectionProperties: null }],
        messageOutboundFormat: 'json',
        messageOutboundEncoding: 'utf-8',
        preDefinedUserProperties: { channel: 'apitwin' },
        enabled: true,
      },
    ],
    ...overrides,
  };
}

/** POST /v2/integrations, expecting 201, with the integration deleted after the test. */
export async function createIntegration(s: ConnxioSession, body: Record<string, unknown>, path = '/v2/integrations') {
  const res = await s.post(path).send(body);
  expectOperation(res, path.endsWith('/novalidation') ? 'create_integration_no_validation' : 'create_integration', 201);
  const id = res.body.id as string;
  s.defer(() => s.delete(`/v2/integrations/${id}`));
  expect(res.body.configCorrelationId).toBe(id);
  return res.body as Record<string, unknown> & { id: string; _etag: string };
}

/** base64 bytes that look like a .NET assembly (the "MZ" header) */
export function fakeAssembly(tag = ''): string {
  return Buffer.concat([Buffer.from('MZ'), Buffer.alloc(30), Buffer.from(tag)]).toString('base64');
}

/** PUT /v2/codecomponents for a new component (deleted after the test) */
export async function uploadComponent(s: ConnxioSession, overrides: Record<string, unknown> = {}) {
  const body = {
    id: randomUUID(),
    name: uniqueName('component'),
    description: 'Maps orders',
    version: '1.0.0',
    type: 'Map',
    componentOriginalFilename: 'Apitwin.Mapper.dll',
    mappingDll: fakeAssembly(),
    ...overrides,
  };
  const res = await s.put('/v2/codecomponents').send(body);
  expectOperation(res, 'upload_code_component', 200);
  s.defer(() => s.delete(`/v2/codecomponents/${body.id}`));
  return { body, res };
}
