import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession, synqlySession } from '../support/sessions.ts';
import { expectOperation } from '../support/contract.ts';

/** The control-API operations the dashboard (/__ui) relies on: the listeners, and an existing tenant's credentials. */

const target = await useTarget();
const admin = target.admin;

describe.runIf(target.capabilities.admin)('control API for the dashboard', () => {
  describe('admin_listeners', () => {
    it('names the listener that answered and, once bound, where each listener is', async () => {
      const res = await admin.get('/__admin/listeners');
      expectOperation(res, 'admin_listeners', 200);
      expect(res.body.current).toBe('synqly');
      if (target.kind === 'spawned') {
        expect(res.body.listeners.map((l: { name: string }) => l.name)).toEqual(['synqly', 'connxio', 'custom']);
        for (const l of res.body.listeners) expect(new URL(l.url).protocol).toBe('http:');
        const fromConnxio = await target.connxio.get('/__admin/listeners');
        expectOperation(fromConnxio, 'admin_listeners', 200);
        expect(fromConnxio.body.current).toBe('connxio');
        expect(fromConnxio.body.listeners).toEqual(res.body.listeners);
      }
    });
  });

  describe('admin_tenants_credentials', () => {
    it('derives a Synqly organization\'s token again, until the token is reset', async () => {
      const s = await synqlySession(target);
      const res = await admin.get(`/__admin/tenants/${s.tenantId!}/credentials`);
      expectOperation(res, 'admin_tenants_credentials', 200);
      expect(res.body.id).toBe(s.tenantId);
      expect(res.body.credentials.token).toBe(s.token);
      expectOperation(await s.get('/v1/organization'), 'organization_get', 200);

      const owner = (await s.get('/v1/organization')).body.result.id as string;
      const reset = await s.put(`/v1/tokens/${owner}/${res.body.credentials.refresh_token_id}/reset`);
      expectOperation(reset, 'tokens_reset', 200);
      const gone = await admin.get(`/__admin/tenants/${s.tenantId!}/credentials`);
      expectOperation(gone, 'admin_tenants_credentials', 404);
      expect(gone.body.detail).toMatch(/rotated, reset or deleted/);
      expect(JSON.stringify(gone.body)).not.toContain(s.token);
    });

    it('derives a Connxio company\'s key and client again, until the key is regenerated', async () => {
      const s = await connxioSession(target);
      const res = await admin.get(`/__admin/tenants/${s.tenantId!}/credentials`);
      expectOperation(res, 'admin_tenants_credentials', 200);
      expect(res.body.credentials.api_key).toBe(s.apiKey);
      expect(res.body.credentials.subscriptions.map((x: { id: string }) => x.id)).toContain(s.subscriptionId);

      const keys = await admin.get(`/__admin/connxio/companies/${s.tenantId!}/api-keys`);
      expectOperation(keys, 'admin_connxio_api_keys_list', 200);
      const own = keys.body.keys.find((k: { key_hint: string; customApiId?: string }) => !k.customApiId && s.apiKey.endsWith(k.key_hint));
      expectOperation(await admin.post(`/__admin/connxio/companies/${s.tenantId!}/api-keys/${own.id}/regenerate`), 'admin_connxio_api_keys_regenerate', 200);
      expectOperation(await admin.get(`/__admin/tenants/${s.tenantId!}/credentials`), 'admin_tenants_credentials', 404);
    });

    it('answers 404 for an unknown tenant', async () => {
      expectOperation(await admin.get('/__admin/tenants/no-such-tenant-anywhere/credentials'), 'admin_tenants_credentials', 404);
    });
  });
});
