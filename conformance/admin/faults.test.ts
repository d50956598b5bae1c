import { afterEach, describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession, synqlySession, type ConnxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { withClockAdvanced } from '../support/control.ts';
import { createIntegration, portal } from '../support/connxio-portal.ts';

/**
 * Faults and rate limits through the control API (twin only): every fault action, matched by
 * vendor, operationId and count, answered in the vendor's own envelope; per-credential rate limits
 * with Retry-After and X-RateLimit-* headers. Faults and rate limits are global to a twin: every
 * test clears them, and adds vendor-wide rules only after its sessions exist.
 */

const target = await useTarget();
const admin = target.admin;

async function addFault(rule: Record<string, unknown>): Promise<{ id: string; matched: number; times?: number }> {
  const res = await admin.post('/__admin/faults').send(rule);
  expectOperation(res, 'admin_faults_create', 201);
  return res.body;
}

async function faults(): Promise<Array<{ id: string; matched: number; times?: number }>> {
  const res = await admin.get('/__admin/faults');
  expectOperation(res, 'admin_faults_list', 200);
  return res.body.faults;
}

/** the request fails at the transport level: no HTTP response at all */
async function expectNoResponse(request: PromiseLike<unknown>): Promise<void> {
  const outcome = await Promise.resolve(request).then(
    (res) => ({ res }),
    (err: unknown) => ({ err: err as Error & { code?: string } }),
  );
  expect('err' in outcome, `expected the connection to be dropped, got a response: ${JSON.stringify((outcome as { res?: { status?: number } }).res?.status)}`).toBe(true);
  const err = (outcome as { err: Error & { code?: string } }).err;
  expect(`${err.code ?? ''} ${err.message}`).toMatch(/ECONNRESET|socket hang up|EPIPE|other side closed/i);
}

async function timed<T>(fn: () => PromiseLike<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

describe.runIf(target.capabilities.admin)('faults', () => {
  afterEach(async () => {
    await admin.delete('/__admin/faults');
  });

  describe('admin_faults_create › status', () => {
    it('answers the injected status in the Synqly Problem envelope, with the given message', async () => {
      const s = await synqlySession(target);
      await addFault({ vendor: 'synqly', operationId: 'accounts_list', action: { type: 'status', status: 500, message: 'database on fire (injected)' }, times: 1 });
      const res = await s.get('/v1/accounts');
      expectProblem(res, 'accounts_list', 500);
      expect(res.body.message).toBe('database on fire (injected)');
      expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200);
    });

    it('answers any 4xx/5xx status in the Connxio ProblemDetails envelope, and on the Custom API listener', async () => {
      const s = await connxioSession(target);
      await addFault({ vendor: 'connxio', operationId: 'list_subscriptions', action: { type: 'status', status: 503 }, times: 1 });
      const res = await s.get('/v2/subscriptions');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, title: expect.any(String) });
      expect(res.headers['access-control-allow-origin']).toBe('*');

      await addFault({ vendor: 'custom', action: { type: 'status', status: 502, message: 'upstream unavailable' }, times: 1 });
      const custom = await target.custom.post('/anything').set('connxio-api-key', s.apiKey).send({ a: 1 });
      expect(custom.status).toBe(502);
      expect(custom.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(custom.body).toMatchObject({ status: 502 });
    });

    it('applies before auth: an unauthenticated call gets the fault, not the 401', async () => {
      const s = await synqlySession(target);
      await addFault({ vendor: 'synqly', operationId: 'accounts_list', action: { type: 'status', status: 500 }, times: 1 });
      expectProblem(await s.raw.get('/v1/accounts'), 'accounts_list', 500);
      expectProblem(await s.raw.get('/v1/accounts'), 'accounts_list', 401);
    });
  });

  describe('admin_faults_create › throttle', () => {
    it('answers 429 with Retry-After in each vendor envelope', async () => {
      const sq = await synqlySession(target);
      const cx = await connxioSession(target);
      await addFault({ vendor: 'synqly', operationId: 'accounts_list', action: { type: 'throttle', retryAfterSeconds: 7 }, times: 1 });
      await addFault({ vendor: 'connxio', operationId: 'list_subscriptions', action: { type: 'throttle', retryAfterSeconds: 11 }, times: 1 });
      const synqly = await sq.get('/v1/accounts');
      expectProblem(synqly, 'accounts_list', 429);
      expect(synqly.headers['retry-after']).toBe('7');
      const connxio = await cx.get('/v2/subscriptions');
      expectProblem(connxio, 'list_subscriptions', 429);
      expect(connxio.headers['retry-after']).toBe('11');
    });
  });

  describe('admin_faults_create › delay', () => {
    it('waits the fixed delay, then answers normally', async () => {
      const s = await synqlySession(target);
      await addFault({ vendor: 'synqly', operationId: 'accounts_list', action: { type: 'delay', ms: 400 }, times: 1 });
      const slow = await timed(() => s.get('/v1/accounts'));
      expectOperation(slow.value, 'accounts_list', 200);
      expect(slow.ms).toBeGreaterThanOrEqual(380);
      const fast = await timed(() => s.get('/v1/accounts'));
      expectOperation(fast.value, 'accounts_list', 200);
      expect(fast.ms).toBeLessThan(slow.ms);
    });

    it('waits a uniformly drawn delay within [minMs, maxMs] for every matched call', async () => {
      const s = await synqlySession(target);
      await addFault({ vendor: 'synqly', operationId: 'accounts_list', action: { type: 'uniform-delay', minMs: 150, maxMs: 250 }, times: 4 });
      const durations: number[] = [];
      for (let i = 0; i < 4; i++) {
        const { value, ms } = await timed(() => s.get('/v1/accounts'));
        expectOperation(value, 'accounts_list', 200);
        durations.push(ms);
      }
      for (const ms of durations) expect(ms).toBeGreaterThanOrEqual(140);
      // the upper bound is the rule's plus the call itself; a loaded machine gets some slack
      for (const ms of durations) expect(ms).toBeLessThan(250 + 1500);
      expect(await faults()).toEqual([]);
    });
  });

  describe('admin_faults_create › connection-reset and empty-response', () => {
    it('resets the connection without a response, then the next call goes through', async () => {
      const s = await synqlySession(target);
      await addFault({ vendor: 'synqly', operationId: 'accounts_list', action: { type: 'connection-reset' }, times: 1 });
      await expectNoResponse(s.get('/v1/accounts'));
      expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200);
    });

    it('closes the connection without a byte of response', async () => {
      const s = await connxioSession(target);
      await addFault({ vendor: 'connxio', operationId: 'get_current_subscription', action: { type: 'empty-response' }, times: 1 });
      await expectNoResponse(s.get('/v2/subscriptions/current'));
      expectOperation(await s.get('/v2/subscriptions/current'), 'get_current_subscription', 200);
    });

    it('journals a dropped call with status 0', async () => {
      const s = await synqlySession(target);
      await addFault({ vendor: 'synqly', operationId: 'accounts_get', action: { type: 'empty-response' }, times: 1 });
      await expectNoResponse(s.get('/v1/accounts/dropped-here'));
      const journal = await admin.get('/__admin/requests').query({ operationId: 'accounts_get', limit: 5 });
      expectOperation(journal, 'admin_requests_list', 200);
      expect(journal.body.requests.find((r: { path: string }) => r.path === '/v1/accounts/dropped-here')).toMatchObject({ status: 0 });
    });
  });

  describe('admin_faults_create › matching', () => {
    it('matches by operationId: other operations of the vendor are untouched', async () => {
      const s = await synqlySession(target);
      await addFault({ vendor: 'synqly', operationId: 'accounts_get', action: { type: 'status', status: 500 } });
      expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200);
      expectProblem(await s.get('/v1/accounts/whatever'), 'accounts_get', 500);
      expectProblem(await s.get('/v1/accounts/whatever'), 'accounts_get', 500);
    });

    it('matches by vendor: a rule without operationId takes every call of that vendor, and only of that vendor', async () => {
      const sq = await synqlySession(target);
      const cx = await connxioSession(target);
      await addFault({ vendor: 'connxio', action: { type: 'status', status: 500 } });
      for (const path of ['/v2/subscriptions', '/v2/subscriptions/current', '/v2/integrations']) {
        const res = await cx.get(path);
        expect(res.status, path).toBe(500);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ status: 500, title: expect.any(String) });
      }
      expectOperation(await sq.get('/v1/accounts'), 'accounts_list', 200);
      // the control API is never faulted
      expectOperation(await admin.get('/__admin/health'), 'admin_health', 200);
    });

    it('counts: `times` calls are faulted, then the rule is gone; `matched` counts them', async () => {
      const s = await synqlySession(target);
      const rule = await addFault({ vendor: 'synqly', operationId: 'accounts_list', action: { type: 'status', status: 500 }, times: 3 });
      expect(rule).toMatchObject({ times: 3, matched: 0 });
      expectProblem(await s.get('/v1/accounts'), 'accounts_list', 500);
      expect((await faults()).find((f) => f.id === rule.id)).toMatchObject({ times: 2, matched: 1 });
      expectProblem(await s.get('/v1/accounts'), 'accounts_list', 500);
      expectProblem(await s.get('/v1/accounts'), 'accounts_list', 500);
      expect(await faults()).toEqual([]);
      expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200);
    });

    it('applies the first matching rule, in the order they were added', async () => {
      const s = await synqlySession(target);
      await addFault({ vendor: 'synqly', operationId: 'accounts_list', action: { type: 'throttle', retryAfterSeconds: 1 }, times: 1 });
      await addFault({ vendor: 'synqly', action: { type: 'status', status: 500 }, times: 1 });
      expectProblem(await s.get('/v1/accounts'), 'accounts_list', 429);
      expectProblem(await s.get('/v1/accounts'), 'accounts_list', 500);
      expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200);
    });

    it('refuses rules that cannot apply: unknown vendor, status outside 400-599, times 0, inverted uniform bounds', async () => {
      for (const rule of [
        { vendor: 'salesforce', action: { type: 'status', status: 500 } },
        { vendor: 'synqly', action: { type: 'status', status: 302 } },
        { vendor: 'synqly', action: { type: 'delay', ms: 10 }, times: 0 },
        { vendor: 'synqly', action: { type: 'uniform-delay', minMs: 300, maxMs: 100 } },
        { vendor: 'synqly', action: { type: 'teleport' } },
      ]) {
        const res = await admin.post('/__admin/faults').send(rule);
        expectOperation(res, 'admin_faults_create', 400);
      }
      expect(await faults()).toEqual([]);
    });
  });
});

async function addRateLimit(rule: Record<string, unknown>): Promise<{ id: string }> {
  const res = await admin.post('/__admin/rate-limits').send(rule);
  expectOperation(res, 'admin_rate_limits_create', 201);
  return res.body;
}

describe.runIf(target.capabilities.admin)('rate limits', () => {
  afterEach(async () => {
    await admin.delete('/__admin/rate-limits');
  });

  describe('admin_rate_limits_create', () => {
    it('limits each Synqly token: X-RateLimit-* on every call, 429 + Retry-After over the limit, a new window after it ends', async () => {
      const s = await synqlySession(target);
      const other = await synqlySession(target);
      // an hour-long window: the calls below never straddle its end
      await addRateLimit({ vendor: 'synqly', limit: 3, windowSeconds: 3600 });
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await s.get('/v1/accounts');
        expectOperation(res, 'accounts_list', 200);
        expect(res.headers['x-ratelimit-limit']).toBe('3');
        remaining.push(res.headers['x-ratelimit-remaining']);
      }
      expect(remaining).toEqual(['2', '1', '0']);
      const limited = await s.get('/v1/accounts');
      expectProblem(limited, 'accounts_list', 429);
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      const reset = Number(limited.headers['x-ratelimit-reset']);
      const clock = await admin.get('/__admin/clock');
      expect(reset * 1000 - Date.parse(clock.body.now)).toBeGreaterThan(0);
      // another token has its own budget; unauthenticated calls are not counted
      expectOperation(await other.get('/v1/accounts'), 'accounts_list', 200);
      expectProblem(await s.raw.get('/v1/accounts'), 'accounts_list', 401);
      // the next window
      await withClockAdvanced(target, '2h', async () => {
        const again = await s.get('/v1/accounts');
        expectOperation(again, 'accounts_list', 200);
        expect(again.headers['x-ratelimit-remaining']).toBe('2');
      });
    });

    it('limits each Connxio API key, for one operation only when the rule names it', async () => {
      const s = await connxioSession(target);
      await addRateLimit({ vendor: 'connxio', operationId: 'list_subscriptions', limit: 2, windowSeconds: 3600 });
      expectOperation(await s.get('/v2/subscriptions'), 'list_subscriptions', 200);
      expectOperation(await s.get('/v2/subscriptions'), 'list_subscriptions', 200);
      const limited = await s.get('/v2/subscriptions');
      expectProblem(limited, 'list_subscriptions', 429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['x-ratelimit-limit']).toBe('2');
      // another operation is not counted, and carries no rate-limit headers
      const current = await s.get('/v2/subscriptions/current');
      expectOperation(current, 'get_current_subscription', 200);
      expect(current.headers['x-ratelimit-limit']).toBeUndefined();
      // another key of the same company has its own budget
      const key = await portal(target, s).createKey(['Management']);
      const withOtherKey = await s.raw.get('/v2/subscriptions').set('connxio-api-key', key.key).set('authorization', `Bearer ${s.bearer}`);
      expectOperation(withOtherKey, 'list_subscriptions', 200);
      expect(withOtherKey.headers['x-ratelimit-remaining']).toBe('1');
    });

    it('limits Connxio messaging per key like any other call', async () => {
      const s: ConnxioSession = await connxioSession(target);
      const integrationId = await createIntegration(s);
      await addRateLimit({ vendor: 'connxio', operationId: 'send_message', limit: 1, windowSeconds: 3600 });
      expectOperation(await s.post(`/v2/messages/${integrationId}`).send({ n: 1 }), 'send_message', 200);
      expectProblem(await s.post(`/v2/messages/${integrationId}`).send({ n: 2 }), 'send_message', 429);
      const delivered = await portal(target, s).messages({ integrationId });
      expect(delivered).toHaveLength(1);
    });

    it('refuses a limit below 1 or a window below one second', async () => {
      expectOperation(await admin.post('/__admin/rate-limits').send({ vendor: 'synqly', limit: 0, windowSeconds: 60 }), 'admin_rate_limits_create', 400);
      expectOperation(await admin.post('/__admin/rate-limits').send({ vendor: 'synqly', limit: 5, windowSeconds: 0 }), 'admin_rate_limits_create', 400);
      expectOperation(await admin.post('/__admin/rate-limits').send({ vendor: 'stripe', limit: 5, windowSeconds: 1 }), 'admin_rate_limits_create', 400);
    });
  });

  describe('admin_rate_limits_list / admin_rate_limits_delete / admin_rate_limits_clear', () => {
    it('lists rules in match order, removes one (then 404), clears all', async () => {
      const s = await synqlySession(target);
      const a = await addRateLimit({ vendor: 'synqly', limit: 1, windowSeconds: 3600 });
      const b = await addRateLimit({ vendor: 'connxio', operationId: 'list_integrations', limit: 10, windowSeconds: 60 });
      const listed = await admin.get('/__admin/rate-limits');
      expectOperation(listed, 'admin_rate_limits_list', 200);
      expect(listed.body.rateLimits.map((r: { id: string }) => r.id)).toEqual([a.id, b.id]);
      expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200);
      expectProblem(await s.get('/v1/accounts'), 'accounts_list', 429);
      expectOperation(await admin.delete(`/__admin/rate-limits/${a.id}`), 'admin_rate_limits_delete', 204);
      expectOperation(await admin.delete(`/__admin/rate-limits/${a.id}`), 'admin_rate_limits_delete', 404);
      const free = await s.get('/v1/accounts');
      expectOperation(free, 'accounts_list', 200);
      expect(free.headers['x-ratelimit-limit']).toBeUndefined();
      expectOperation(await admin.delete('/__admin/rate-limits'), 'admin_rate_limits_clear', 204);
      expect((await admin.get('/__admin/rate-limits')).body.rateLimits).toEqual([]);
    });
  });
});
