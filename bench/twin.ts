import type { TwinReady } from './procs.ts';

/** What the load runs (bench and soak) set up on a freshly started twin before they measure. */

export interface ConnxioDemo {
  api_key: string;
  api_key_subscription_id: string;
  oauth: { client_id: string; client_secret: string };
}

/** the credentials of the demo tenants the twin seeds: the Synqly organization token and the Connxio company's key and OAuth client */
export function demoCredentials(ready: TwinReady): { synqlyToken: string; connxio: ConnxioDemo } {
  const synqly = ready.tenants.find((t) => t.vendor === 'synqly')!.credentials as { token: string };
  const connxio = ready.tenants.find((t) => t.vendor === 'connxio')!.credentials as unknown as ConnxioDemo;
  return { synqlyToken: synqly.token, connxio };
}

/** the id of the first Synqly account the token sees */
export async function firstAccountId(synqlyUrl: string, token: string): Promise<string> {
  const accounts = (await (await fetch(`${synqlyUrl}/v1/accounts?limit=1`, { headers: { authorization: `Bearer ${token}` } })).json()) as { result: Array<{ id: string }> };
  return accounts.result[0]!.id;
}

/**
 * Milliseconds from `spawnedAt` (performance.now() taken just before the spawn) until the twin has
 * answered its first authenticated Synqly API request (`GET /v1/accounts?limit=1`, sent as soon as
 * the ready line arrived): unlike the ready line, it includes whatever serve loads after printing it.
 */
export async function firstApiAnswerMs(ready: TwinReady, spawnedAt: number): Promise<number> {
  const token = (ready.tenants.find((t) => t.vendor === 'synqly')!.credentials as { token: string }).token;
  const res = await fetch(`${ready.urls.synqly}/v1/accounts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`the first API request after start answered ${res.status}`);
  return performance.now() - spawnedAt;
}

/** a Connxio bearer token by the client-credentials grant */
export async function connxioBearer(connxioUrl: string, oauth: ConnxioDemo['oauth']): Promise<string> {
  const res = await fetch(`${connxioUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: oauth.client_id, client_secret: oauth.client_secret, scope: 'api://connxio/.default' }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * create_integration of an Api-triggered integration whose one sub-integration discards, the target
 * of send_message in the load mixes: the status, the raw body, and the new id when the body names one.
 */
export async function createDiscardIntegration(
  connxioUrl: string,
  auth: { apiKey: string; bearer: string },
  subscriptionId: string,
  description: string,
): Promise<{ status: number; text: string; id?: string }> {
  const res = await fetch(`${connxioUrl}/v2/integrations`, {
    method: 'POST',
    headers: { 'connxio-api-key': auth.apiKey, authorization: `Bearer ${auth.bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      description,
      transactionType: 'Order',
      sender: 'Webshop',
      receiver: 'ERP',
      messageInboundFormat: 'json',
      messageInboundEncoding: 'utf-8',
      subscriptionId,
      enabled: true,
      inboundConnection: { adapterType: 'Api', connectionProperties: null },
      subIntegrations: [
        {
          subIntegrationId: '6d3f0a52-8c1e-4b7a-9f2d-3e4c5b6a7d8e',
          subintegrationName: 'to-void',
          transformations: [],
          outboundConnections: [{ adapterType: 'Discard', adapterName: 'void', connectionProperties: null }],
          messageOutboundFormat: 'json',
          messageOutboundEncoding: 'utf-8',
          enabled: true,
        },
      ],
    }),
  });
  const text = await res.text();
  let id: string | undefined;
  try {
    id = (JSON.parse(text) as { configCorrelationId?: string }).configCorrelationId;
  } catch {
    id = undefined;
  }
  return { status: res.status, text, id };
}

/**
 * What `npm run bench` sets up on every twin it starts: a second Synqly organization through the
 * control API (the durable creates write there, so the demo organization's data stays as seeded),
 * a Connxio OAuth token, and an Api-triggered integration that discards (the target of
 * send_message). The integration is `created`, as create_integration answered.
 */
export async function prepareBenchTenants(ready: TwinReady, name: string): Promise<{ writerToken: string; bearer: string; created: { status: number; id?: string } }> {
  const { connxio } = demoCredentials(ready);
  const { urls } = ready;
  const writer = await fetch(`${urls.synqly}/__admin/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vendor: 'synqly', name }) });
  if (writer.status !== 201) throw new Error(`the control API refused a second organization: ${writer.status} ${await writer.text()}`);
  const writerToken = ((await writer.json()) as { credentials: { token: string } }).credentials.token;
  const bearer = await connxioBearer(urls.connxio, connxio.oauth);
  const created = await createDiscardIntegration(urls.connxio, { apiKey: connxio.api_key, bearer }, connxio.api_key_subscription_id, `${name}-target`);
  return { writerToken, bearer, created };
}

/**
 * The calls `npm run bench` makes to a twin before its rows (prepareBenchTenants, then
 * list_integrations and send_message on the integration): a process that has answered these, then
 * sat idle past V8's memory reducer, is what the bench's GET row meets (bench/cpu-get.ts --idle).
 */
export async function mixedPrelude(ready: TwinReady): Promise<void> {
  const { connxio } = demoCredentials(ready);
  const { urls } = ready;
  const { bearer, created } = await prepareBenchTenants(ready, 'prelude');
  if (created.status !== 201) throw new Error(`the prelude's create_integration answered ${created.status}`);
  const auth = { 'connxio-api-key': connxio.api_key, authorization: `Bearer ${bearer}` };
  await (await fetch(`${urls.connxio}/v2/integrations`, { headers: auth })).arrayBuffer();
  const sent = await fetch(`${urls.connxio}/v2/messages/${created.id}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"orderId":"SO-1"}' });
  await sent.arrayBuffer();
  if (sent.status !== 200) throw new Error(`the prelude's send_message answered ${sent.status}`);
}
