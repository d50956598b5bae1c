import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, startTwin, type RunningTwin } from './app.ts';

const running: RunningTwin[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(options: Parameters<typeof startTwin>[0]): Promise<RunningTwin> {
  const twin = await startTwin(options);
  running.push(twin);
  return twin;
}

describe('startTwin', () => {
  it('{ port: 0 } binds every listener to a free port and returns working credentials of an empty tenant per vendor', async () => {
    const twin = await start({ port: 0 });
    for (const [name, url] of Object.entries(twin.urls)) expect(Number(new URL(url).port), name).not.toBe(DEFAULT_PORTS[name as keyof typeof DEFAULT_PORTS]);
    const synqly = twin.credentials.synqly!;
    const accounts = await fetch(`${twin.urls.synqly}/v1/accounts`, { headers: { authorization: `Bearer ${synqly.token}` } });
    expect(accounts.status).toBe(200);
    expect(await accounts.json()).toEqual({ result: [] });

    const connxio = twin.credentials.connxio!;
    const token = await fetch(`${twin.urls.connxio}${connxio.oauth.token_path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: connxio.oauth.client_id, client_secret: connxio.oauth.client_secret }),
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const current = await fetch(`${twin.urls.connxio}/v2/subscriptions/current`, { headers: { 'connxio-api-key': connxio.api_key, authorization: `Bearer ${access_token}` } });
    expect(current.status).toBe(200);
    expect(((await current.json()) as { id: string }).id).toBe(connxio.api_key_subscription_id);
  });

  it('gives every twin its own secrets, and creates no tenant with tenants: false', async () => {
    const [a, b] = await Promise.all([start({ port: 0 }), start({ port: 0 })]);
    expect(a.credentials.synqly!.token).not.toBe(b.credentials.synqly!.token);
    expect(a.credentials.connxio!.api_key).not.toBe(b.credentials.connxio!.api_key);
    const bare = await start({ port: 0, tenants: false });
    expect(bare.credentials).toEqual({});
    const tenants = await fetch(`${bare.urls.synqly}/__admin/tenants`);
    expect(((await tenants.json()) as { tenants: unknown[] }).tenants).toEqual([]);
  });
});
