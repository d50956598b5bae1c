// Example: your own tests talk to the twin exactly as they would to the vendor.
import { describe, expect, inject, it } from 'vitest';

const twin = inject('twin');

describe('my Synqly client', () => {
  it('creates an account and finds it again', async () => {
    const auth = { authorization: `Bearer ${twin.synqly.token as string}`, 'content-type': 'application/json' };
    const created = await fetch(`${twin.urls.synqly}/v1/accounts`, { method: 'POST', headers: auth, body: JSON.stringify({ fullname: 'Example Customer' }) });
    expect(created.status).toBe(200);
    const { result } = (await created.json()) as { result: { account: { id: string; name: string } } };
    expect(result.account.name).toBe('example-customer');
    const got = await fetch(`${twin.urls.synqly}/v1/accounts/${result.account.name}`, { headers: auth });
    expect(((await got.json()) as { result: { id: string } }).result.id).toBe(result.account.id);
  });
});

describe('my Connxio client', () => {
  it('gets a token and lists subscriptions', async () => {
    const c = twin.connxio as { api_key: string; oauth: { client_id: string; client_secret: string } };
    const token = await fetch(`${twin.urls.connxio}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.oauth.client_id, client_secret: c.oauth.client_secret }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const subs = await fetch(`${twin.urls.connxio}/v2/subscriptions`, { headers: { 'connxio-api-key': c.api_key, authorization: `Bearer ${access_token}` } });
    expect(subs.status).toBe(200);
    expect(((await subs.json()) as unknown[]).length).toBe(2);
  });
});
