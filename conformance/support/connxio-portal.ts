import { expect } from 'vitest';
import type { Target } from '../target.ts';
import type { ConnxioSession } from './sessions.ts';
import { uniqueName } from './resources.ts';

/**
 * Helpers for the Connxio messaging, API-key and custom-API scenarios: integration bodies that a
 * message can reach, and the control API's "portal" (keys, OAuth clients, custom APIs, the message
 * journal). Portal helpers are twin-only (the vendor has no API for them).
 */

export type ApiKeyScope = 'Management' | 'Messaging' | 'Webhook' | 'Messaging.Dynamic';

export interface IntegrationOptions {
  adapterType?: 'Api' | 'EventGrid' | 'TimeTrigger';
  synchronous?: boolean;
  enabled?: boolean;
  subscriptionId?: string;
  transactionType?: string;
}

/** A minimal valid IntegrationPostRequest; its outbound adapter is Discard, so a live tenant sends nothing anywhere. */
export function integrationBody(subscriptionId: string, options: IntegrationOptions = {}): Record<string, unknown> {
  const adapterType = options.adapterType ?? 'Api';
  return {
    description: uniqueName('integration'),
    transactionType: options.transactionType ?? 'Order',
    sender: 'Webshop',
    receiver: 'ERP',
    messageInboundFormat: 'json',
    messageInboundEncoding: 'utf-8',
    subscriptionId,
    enabled: options.enabled ?? true,
    inboundConnection: {
      adapterType,
      connectionProperties: options.synchronous ? JSON.stringify({ useSynchronousCommunication: true, timeoutInSeconds: 40 }) : null,
    },
    ...(adapterType === 'TimeTrigger' ? { intervalExpression: '0 */5 * * * *' } : {}),
    subIntegrations: [
      {
        subIntegrationId: '6d3f0a52-8c1e-4b7a-9f2d-3e4c5b6a7d8e',
        subintegrationName: 'to-void',
        transformations: [],
        outboundConnections: [{ adapterType: 'Discard', adapterName: 'void', connectionProperties: null }],
        messageOutboundFormat: 'json',
        messageOutboundEncoding: 'utf-8',
        preDefinedUserProperties: { origin: 'apitwin' },
        enabled: true,
      },
    ],
  };
}

/** Creates an integration with the session's key (its subscription) and deletes it afterwards; returns its id. */
export async function createIntegration(s: ConnxioSession, options: IntegrationOptions = {}): Promise<string> {
  const subscriptionId = options.subscriptionId ?? s.subscriptionId ?? (await s.get('/v2/subscriptions/current')).body.id;
  const res = await s.post('/v2/integrations').send(integrationBody(subscriptionId, options));
  expect(res.status, `create_integration: ${res.text}`).toBe(201);
  const id = res.body.configCorrelationId as string;
  s.defer(() => s.delete(`/v2/integrations/${id}`));
  return id;
}

/** The control API's Connxio portal for the session's company (twin only). */
export function portal(target: Target, s: ConnxioSession) {
  const base = `/__admin/connxio/companies/${s.companyId}`;
  const admin = target.admin;
  return {
    base,
    async createKey(scopes: ApiKeyScope[], options: { subscriptionId?: string; name?: string } = {}): Promise<{ id: string; key: string }> {
      const res = await admin.post(`${base}/api-keys`).send({ name: options.name ?? uniqueName('key'), scopes, subscriptionId: options.subscriptionId ?? s.subscriptionId });
      expect(res.status, `admin_connxio_api_keys_create: ${res.text}`).toBe(201);
      return { id: res.body.id, key: res.body.key };
    },
    keyAction(keyId: string, action: 'activate' | 'deactivate' | 'regenerate') {
      return admin.post(`${base}/api-keys/${keyId}/${action}`);
    },
    async createCustomApi(body: { title?: string; summary?: string; subscriptionId?: string; routes: Array<{ method: string; path: string; integrationId: string }>; webhookMode?: boolean }) {
      const res = await admin.post(`${base}/custom-apis`).send({ title: uniqueName('api'), subscriptionId: s.subscriptionId, ...body });
      expect(res.status, `admin_connxio_custom_apis_create: ${res.text}`).toBe(201);
      return res.body as { id: string; key: string; keyId: string; routes: unknown[] };
    },
    customApiAction(id: string, action: 'key/enable' | 'key/disable' | 'key/regenerate' | 'webhook-mode/enable' | 'webhook-mode/disable') {
      return admin.post(`${base}/custom-apis/${id}/${action}`);
    },
    setUseApiKey(integrationId: string, useApiKey: boolean) {
      return admin.put(`${base}/integrations/${integrationId}/use-api-key`).send({ useApiKey });
    },
    async messages(query: Record<string, string | number> = {}) {
      const res = await admin.get('/__admin/connxio/messages').query({ companyId: s.companyId!, ...query });
      expect(res.status, `admin_connxio_messages_list: ${res.text}`).toBe(200);
      return res.body.messages as Array<Record<string, unknown> & { preDefinedUserProperties: Record<string, string>; customApi?: Record<string, unknown> }>;
    },
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** a well-formed key value that no tenant has */
export const UNKNOWN_KEY = Buffer.alloc(32, 7).toString('base64');

/** one Event Grid event (Event Grid schema) */
export function eventGridEvent(subject = '/blobServices/default/containers/orders/blobs/order.json') {
  return {
    topic: '/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st',
    subject,
    eventType: 'Microsoft.Storage.BlobCreated',
    eventTime: '2026-05-14T13:05:00.512Z',
    id: uniqueName('event'),
    data: { api: 'PutBlob', url: `https://st.blob.core.windows.net${subject}` },
    dataVersion: '',
    metadataVersion: '1',
  };
}
