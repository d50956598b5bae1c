import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession, synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { withClockAdvanced } from '../support/control.ts';
import { uniqueName } from '../support/resources.ts';
import { loadSpec, specPath } from '../../mock/core/spec.ts';

const target = await useTarget();
const admin = target.admin;

describe.runIf(target.capabilities.admin)('control API', () => {
  describe('admin_health', () => {
    it('reports the store', async () => {
      const res = await admin.get('/__admin/health');
      expectOperation(res, 'admin_health', 200);
      expect(res.body.status).toBe('ok');
      expect(typeof res.body.store.seq).toBe('number');
    });
  });

  describe('admin_tenants_*', () => {
    it('creates isolated tenants with working credentials, lists, gets and deletes them', async () => {
      const name = uniqueName('tenant');
      const created = await admin.post('/__admin/tenants').send({ vendor: 'synqly', name });
      expectOperation(created, 'admin_tenants_create', 201);
      const token = created.body.credentials.token;
      expectOperation(await target.synqly.get('/v1/accounts').set('authorization', `Bearer ${token}`), 'accounts_list', 200);

      const listed = await admin.get('/__admin/tenants').query({ vendor: 'synqly' });
      expectOperation(listed, 'admin_tenants_list', 200);
      expect(listed.body.tenants.map((t: { name: string }) => t.name)).toContain(name);
      expectOperation(await admin.get(`/__admin/tenants/${created.body.id}`), 'admin_tenants_get', 200);

      expectOperation(await admin.delete(`/__admin/tenants/${created.body.id}`), 'admin_tenants_delete', 204);
      expectProblem(await target.synqly.get('/v1/accounts').set('authorization', `Bearer ${token}`), 'accounts_list', 401);
      expectOperation(await admin.get(`/__admin/tenants/${created.body.id}`), 'admin_tenants_get', 404);
    });

    it('gives a Connxio tenant a key with the Management and Messaging scopes (no Webhook), as specs/admin.yaml says', async () => {
      const created = await admin.post('/__admin/tenants').send({ vendor: 'connxio', name: uniqueName('scopes') });
      expectOperation(created, 'admin_tenants_create', 201);
      try {
        const { api_key: key, api_key_scopes: scopes } = created.body.credentials;
        expect(scopes).toEqual(['Management', 'Messaging']);
        // the spec's text and example say the same
        const spec = (await loadSpec(specPath('admin.yaml'))).document as { paths: Record<string, { post: { description: string } }>; components: { schemas: { ConnxioCredentials: { example: { api_key_scopes: string[] } } } } };
        expect(spec.components.schemas.ConnxioCredentials.example.api_key_scopes).toEqual(scopes);
        const described = spec.paths['/__admin/tenants']!.post.description.replace(/\s+/g, ' ');
        expect(described).toMatch(/an API key of the first with the Management and Messaging scopes \(not Webhook/);
        // and the key behaves so: webhook mode (no bearer) needs the Webhook scope
        const keys = await admin.get(`/__admin/connxio/companies/${created.body.credentials.company_id}/api-keys`);
        expectOperation(keys, 'admin_connxio_api_keys_list', 200);
        expect(keys.body.keys.map((k: { scopes: string[] }) => k.scopes)).toEqual([['Management', 'Messaging']]);
        const webhook = await target.connxio.post(`/v2/messages/${created.body.credentials.subscriptions[0].id}`).set('connxio-api-key', key).set('connxio-api-webhook', 'true').send({});
        expectProblem(webhook, 'send_message', 401);
      } finally {
        await admin.delete(`/__admin/tenants/${created.body.id}`);
      }
    });

    it('refuses a duplicate tenant name (409) and a bad body (400)', async () => {
      const name = uniqueName('twice');
      const first = await admin.post('/__admin/tenants').send({ vendor: 'connxio', name });
      expectOperation(first, 'admin_tenants_create', 201);
      try {
        expectOperation(await admin.post('/__admin/tenants').send({ vendor: 'connxio', name }), 'admin_tenants_create', 409);
        expectOperation(await admin.post('/__admin/tenants').send({ vendor: 'salesforce' }), 'admin_tenants_create', 400);
      } finally {
        await admin.delete(`/__admin/tenants/${first.body.id}`);
      }
    });

    it('resets one tenant to its profile: data created since is gone, the same seed gives the same credentials', async () => {
      const s = await synqlySession(target);
      const made = await s.post('/v1/accounts').send({ name: uniqueName('gone') });
      expectOperation(made, 'accounts_create', 200);
      const reset = await admin.post(`/__admin/tenants/${s.tenantId}/reset`);
      expectOperation(reset, 'admin_tenants_reset', 200);
      expect(reset.body.credentials.token).toBe(s.token);
      const after = await s.get('/v1/accounts');
      expectOperation(after, 'accounts_list', 200);
      expect(after.body.result).toEqual([]);
    });

    it('seeds the demo profile with a seed, reproducibly', async () => {
      const seed = 1000 + Math.floor(Math.random() * 1_000_000);
      const seeded = await admin.post('/__admin/seed').send({ profile: 'demo', seed });
      expectOperation(seeded, 'admin_seed', 201);
      try {
        const synqly = seeded.body.tenants.find((t: { vendor: string }) => t.vendor === 'synqly');
        const accounts = await target.synqly.get('/v1/accounts').set('authorization', `Bearer ${synqly.credentials.token}`);
        expectOperation(accounts, 'accounts_list', 200);
        expect(accounts.body.result.length).toBeGreaterThanOrEqual(2);
        // same seed again: the same names exist already
        expectOperation(await admin.post('/__admin/seed').send({ profile: 'demo', seed }), 'admin_seed', 409);
      } finally {
        for (const t of seeded.body.tenants) await admin.delete(`/__admin/tenants/${t.id}`);
      }
    });
  });

  describe('admin_snapshot_*', () => {
    it('exports the store and restores it, bringing back deleted data', async () => {
      const s = await synqlySession(target);
      const made = await s.post('/v1/accounts').send({ name: uniqueName('snap') });
      expectOperation(made, 'accounts_create', 200);
      const snapshot = await admin.get('/__admin/snapshot');
      expectOperation(snapshot, 'admin_snapshot_export', 200);
      expect(JSON.stringify(snapshot.body)).not.toContain(s.token);
      const other = await s.post('/v1/accounts').send({ name: uniqueName('later') });
      expectOperation(other, 'accounts_create', 200);

      expectOperation(await admin.put('/__admin/snapshot').send(snapshot.body), 'admin_snapshot_restore', 204);
      const names = (await s.get('/v1/accounts')).body.result.map((a: { name: string }) => a.name);
      expect(names).toEqual([made.body.result.account.name]);
    });

    it('refuses a document that is not an apitwin snapshot, and changes nothing', async () => {
      const before = await admin.get('/__admin/health');
      expectOperation(await admin.put('/__admin/snapshot').send({ posts: [] }), 'admin_snapshot_restore', 400);
      const after = await admin.get('/__admin/health');
      expect(after.body.store.seq).toBe(before.body.store.seq);
    });
  });

  describe('admin_faults_*', () => {
    it('injects a vendor-shaped error for one call, by operationId, then clears', async () => {
      const s = await connxioSession(target);
      const rule = await admin.post('/__admin/faults').send({ vendor: 'connxio', operationId: 'list_subscriptions', action: { type: 'status', status: 503 }, times: 1 });
      expectOperation(rule, 'admin_faults_create', 201);
      const faulted = await s.get('/v2/subscriptions');
      expect(faulted.status).toBe(503);
      expect(faulted.headers['content-type']).toMatch(/problem\+json/);
      expectOperation(await s.get('/v2/subscriptions'), 'list_subscriptions', 200);

      const standing = await admin.post('/__admin/faults').send({ vendor: 'synqly', action: { type: 'throttle', retryAfterSeconds: 3 } });
      const listed = await admin.get('/__admin/faults');
      expectOperation(listed, 'admin_faults_list', 200);
      expect(listed.body.faults.map((f: { id: string }) => f.id)).toEqual([standing.body.id]);
      expectOperation(await admin.delete(`/__admin/faults/${standing.body.id}`), 'admin_faults_delete', 204);
      expectOperation(await admin.delete(`/__admin/faults/${standing.body.id}`), 'admin_faults_delete', 404);
      expectOperation(await admin.delete('/__admin/faults'), 'admin_faults_clear', 204);
    });

    it('refuses an incomplete fault rule', async () => {
      expectOperation(await admin.post('/__admin/faults').send({ vendor: 'synqly', action: { type: 'status' } }), 'admin_faults_create', 400);
    });
  });

  describe('admin_clock_*', () => {
    it('reads, advances and sets the clock', async () => {
      const now = await admin.get('/__admin/clock');
      expectOperation(now, 'admin_clock_get', 200);
      await withClockAdvanced(target, '48h', async () => {
        const moved = await admin.get('/__admin/clock');
        expect(Date.parse(moved.body.now) - Date.parse(now.body.now)).toBeGreaterThanOrEqual(48 * 3_600_000);
      });
      const restored = await admin.get('/__admin/clock');
      expect(Math.abs(Date.parse(restored.body.now) - Date.now())).toBeLessThan(60_000);
      expectOperation(await admin.post('/__admin/clock/advance').send({ duration: 'soon' }), 'admin_clock_advance', 400);
    });

    it('sets the clock to an instant, and refuses a value that is not a date-time', async () => {
      const before = await admin.get('/__admin/clock');
      try {
        const set = await admin.put('/__admin/clock').send({ now: '2031-02-03T04:05:06.000Z' });
        expectOperation(set, 'admin_clock_set', 200);
        expect(Date.parse(set.body.now)).toBeGreaterThanOrEqual(Date.parse('2031-02-03T04:05:06.000Z'));
        expect(Date.parse((await admin.get('/__admin/clock')).body.now)).toBeLessThan(Date.parse('2031-02-03T04:06:06.000Z'));
        expectOperation(await admin.put('/__admin/clock').send({ now: 'tomorrow' }), 'admin_clock_set', 400);
      } finally {
        await admin.put('/__admin/clock').send({ now: new Date(Date.parse(before.body.now) + 1000).toISOString() });
      }
    });
  });

  describe('admin_reset', () => {
    it('empties the store and seeds the profile asked for, clearing faults too', async () => {
      const s = await synqlySession(target);
      await admin.post('/__admin/faults').send({ vendor: 'synqly', operationId: 'organization_get', action: { type: 'status', status: 503 } });
      const reset = await admin.post('/__admin/reset').send({ profile: 'demo', seed: 77 });
      expectOperation(reset, 'admin_reset', 200);
      try {
        expect(reset.body.tenants.map((t: { vendor: string; name: string }) => `${t.vendor}:${t.name}`).sort()).toEqual(['connxio:demo-77', 'synqly:demo-77']);
        expectProblem(await s.get('/v1/accounts'), 'accounts_list', 401);
        const fresh = reset.body.tenants.find((t: { vendor: string }) => t.vendor === 'synqly');
        const org = await target.synqly.get('/v1/organization').set('authorization', `Bearer ${fresh.credentials.token}`);
        expectOperation(org, 'organization_get', 200);
        expect((await admin.get('/__admin/faults')).body.faults).toEqual([]);
      } finally {
        for (const t of reset.body.tenants) await admin.delete(`/__admin/tenants/${t.id}`);
      }
    });
  });

  describe('admin_requests_*', () => {
    it('journals vendor calls with secrets redacted, queryable by operationId', async () => {
      const s = await synqlySession(target);
      await s.post('/v1/accounts').send({ name: uniqueName('journal') });
      const res = await admin.get('/__admin/requests').query({ operationId: 'accounts_create', limit: 1 });
      expectOperation(res, 'admin_requests_list', 200);
      const [entry] = res.body.requests;
      expect(entry).toMatchObject({ method: 'POST', path: '/v1/accounts', vendor: 'synqly', status: 200 });
      expect(entry.requestHeaders.authorization).toBe('[redacted]');
      const all = await admin.get('/__admin/requests').query({ limit: 1000 });
      expect(JSON.stringify(all.body)).not.toContain(s.token);
      expectOperation(await admin.delete('/__admin/requests'), 'admin_requests_clear', 204);
    });
  });
});
