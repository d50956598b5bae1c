import { performance } from 'node:perf_hooks';
import type { Lease } from '../../core/lease.ts';
import type { TwinEnv } from '../../core/pipeline.ts';
import { redactBody, redactHeaders } from '../../core/request-journal.ts';
import type { Tx } from '../../core/store/store.ts';
import { ORGANIZATIONS, orgState, type WebhookDeliveryRecord } from '../state.ts';
import { planDeliveries, SIGNATURE_HEADER, signBody, type OrganizationEvent, type PlannedDelivery } from './events.ts';
import { signingSecretOf } from './model.ts';

/**
 * Real delivery of organization webhooks (DECISIONS "webhooks"): an HTTP POST of the payload,
 * signed in `X-Synqly-Signature`, retried with backoff. Asynchronous (never delays the API
 * response that caused it), bounded (per-attempt timeout, concurrency and queue limits), and
 * observable: every attempt goes into the admin request journal and into the delivery record
 * (`synqly/org/<id>/webhook_deliveries`, read through GET /__admin/synqly/webhook-deliveries).
 * `close()` (called by Twin.close) clears the waiting retries (their records stay `pending`),
 * aborts the attempts in flight (recorded as failed, "the twin stopped") and resolves once their
 * records are written, so the store can close after it. `resume()`, when the twin starts on a
 * store, picks the pending deliveries up again at their `next_attempt_at`, resending the same body.
 */

export interface WebhookDeliveryOptions {
  /** waits before the 2nd, 3rd … attempt; its length + 1 is the number of attempts */
  retryDelaysMs?: readonly number[];
  /** per-attempt limit for connect + response headers */
  timeoutMs?: number;
  /** attempts in flight at once */
  maxConcurrent?: number;
  /** attempts waiting for a free slot; beyond it a delivery fails at once ("queue full") */
  maxQueued?: number;
  /** delivery records kept per organization (oldest dropped) */
  maxRecordsPerOrganization?: number;
}

/**
 * Replicas of a shared store: every replica records the deliveries its calls cause (pending);
 * only the replica holding this lease sends them, picking up pending records at each renewal.
 */
export interface DeliveryLeaseOption {
  lease?: Lease;
}

export const DEFAULT_DELIVERY_OPTIONS: Required<WebhookDeliveryOptions> = {
  retryDelaysMs: [1000, 4000, 16_000, 64_000],
  timeoutMs: 5000,
  maxConcurrent: 8,
  maxQueued: 1000,
  maxRecordsPerOrganization: 500,
};

const RESPONSE_BODY_LIMIT = 2048;
const DELIVERIES_COLLECTION = /^synqly\/org\/([^/]+)\/webhook_deliveries$/;
export const DELIVERY_USER_AGENT = 'apitwin-webhooks/0.1';

export interface WebhookDispatcher {
  /** plans the event's deliveries now and sends them in the background */
  emit(ev: OrganizationEvent): void;
  /** schedules the deliveries a store holds as pending (left by a twin that stopped); returns how many */
  resume(): number;
  /** resolves when no delivery is waiting or in flight (for tests and shutdown) */
  idle(): Promise<void>;
  /** stops scheduling, drops waiting deliveries, aborts attempts in flight; resolves when nothing is left */
  close(): Promise<void>;
}

interface Job {
  planned: PlannedDelivery;
  attempt: number;
}

export function createWebhookDispatcher(env: TwinEnv, options: WebhookDeliveryOptions & DeliveryLeaseOption = {}): WebhookDispatcher {
  const { lease, ...delivery } = options;
  const opts = { ...DEFAULT_DELIVERY_OPTIONS, ...delivery };
  const holdsLease = () => lease?.held() ?? true;
  /** ids of the delivery records scheduled in this process (a lease renewal picks up only the others) */
  const tracked = new Set<string>();
  const maxAttempts = opts.retryDelaysMs.length + 1;
  const ready: Job[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let active = 0;
  /** deliveries planned and not yet delivered, failed or abandoned */
  let outstanding = 0;
  let closed = false;
  /** aborts the attempts in flight when the dispatcher closes */
  const stopping = new AbortController();
  let idleWaiters: Array<() => void> = [];

  const done = () => {
    outstanding--;
    if (outstanding > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  /** one store write; a closed store or a deleted organization ends the delivery quietly */
  const write = async (record: WebhookDeliveryRecord): Promise<boolean> => {
    try {
      return await env.store.transact((tx) => {
        if (!tx.get(ORGANIZATIONS, record.organization_id)) return false;
        orgState(tx, record.organization_id).webhookDeliveries.put(record);
        prune(tx, record.organization_id, opts.maxRecordsPerOrganization);
        return true;
      });
    } catch (err) {
      env.logger.debug({ err }, 'webhook delivery record not stored');
      return false;
    }
  };

  const later = (fn: () => void, delayMs: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, delayMs);
    timer.unref();
    timers.add(timer);
  };

  const idle = (): Promise<void> => (outstanding === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve)));

  /** the delivery record as stored (the planned one if it is gone) */
  const current = (job: Job): WebhookDeliveryRecord =>
    orgState(env.store.reader, job.planned.record.organization_id).webhookDeliveries.get(job.planned.record.id) ?? job.planned.record;

  const fail = async (job: Job, error: string) => {
    const { next_attempt_at: _next, ...rest } = current(job);
    await write({ ...rest, state: 'failed', updated_at: env.clock.nowIso(), error });
    done();
  };

  const enqueue = (job: Job) => {
    if (closed) return done();
    if (ready.length >= opts.maxQueued) return void fail(job, 'the delivery queue is full');
    ready.push(job);
    pump();
  };

  const pump = () => {
    while (!closed && active < opts.maxConcurrent && ready.length > 0) {
      const job = ready.shift()!;
      active++;
      void attempt(job)
        .catch((err: unknown) => {
          env.logger.error({ err }, 'a webhook delivery attempt failed unexpectedly');
          done();
        })
        .finally(() => {
          active--;
          pump();
        });
    }
  };

  /** one POST; ends with done() or a scheduled retry */
  const attempt = async (job: Job) => {
    const { planned } = job;
    if (!holdsLease()) {
      // another replica holds the lease now: the record stays pending for it
      tracked.delete(planned.record.id);
      return done();
    }
    const base = current(job);
    if (!orgState(env.store.reader, base.organization_id).webhooks.get(base.webhook_id)) return fail(job, 'the webhook was deleted');
    const at = env.clock.nowIso();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': DELIVERY_USER_AGENT,
      [SIGNATURE_HEADER.toLowerCase()]: planned.signature,
      'x-apitwin-delivery': base.id,
      'x-apitwin-attempt': String(job.attempt),
    };
    const started = performance.now();
    let status = 0;
    let error: string | undefined;
    let responseHeaders: Record<string, string> | undefined;
    let responseBody: string | undefined;
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), stopping.signal]);
      const res = await fetch(base.url, { method: 'POST', headers, body: planned.body, redirect: 'manual', signal });
      status = res.status;
      responseHeaders = Object.fromEntries(res.headers);
      responseBody = await readLimited(res, RESPONSE_BODY_LIMIT, opts.timeoutMs);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      error = closed
        ? 'the twin stopped'
        : e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `timed out after ${opts.timeoutMs} ms`
          : (e.cause?.code ?? e.cause?.message ?? e.message);
    }
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const delivered = status >= 200 && status <= 299;
    if (!delivered && !error) error = `the receiver answered ${status}`;
    env.requests.record({
      at,
      listener: 'webhooks',
      vendor: 'synqly',
      method: 'POST',
      path: base.url,
      query: {},
      operationId: 'webhook_delivery',
      status,
      durationMs,
      requestHeaders: redactHeaders(headers),
      requestBody: redactBody(JSON.parse(planned.body)),
      ...(responseHeaders ? { responseHeaders: redactHeaders(responseHeaders) } : {}),
      ...(responseBody !== undefined ? { responseBody } : {}),
    });
    const attempts = [...base.attempts, { attempt: job.attempt, at, status, duration_ms: durationMs, ...(!delivered && error ? { error } : {}) }];
    const retry = !delivered && job.attempt < maxAttempts && !closed;
    const delay = retry ? opts.retryDelaysMs[job.attempt - 1]! : 0;
    const { next_attempt_at: _next, error: _error, ...rest } = base;
    const stored = await write({
      ...rest,
      state: delivered ? 'delivered' : retry ? 'pending' : 'failed',
      updated_at: env.clock.nowIso(),
      attempts,
      ...(retry ? { next_attempt_at: new Date(env.clock.now() + delay).toISOString() } : {}),
      ...(!delivered && !retry ? { error: `gave up after ${job.attempt} attempt(s): ${error}` } : {}),
    });
    if (retry && stored && !closed) later(() => enqueue({ planned, attempt: job.attempt + 1 }), delay);
    else done();
  };

  return {
    emit(ev) {
      if (closed) return;
      let planned: PlannedDelivery[];
      try {
        planned = planDeliveries(orgState(env.store.reader, ev.organizationId), ev, { nowMs: env.clock.now(), random: env.random });
      } catch (err) {
        env.logger.error({ err }, 'webhook deliveries could not be planned');
        return;
      }
      for (const p of planned) {
        outstanding++;
        // the record first, then the first attempt: both after the current call has been answered
        later(
          () =>
            void write(p.record).then((stored) => {
              if (!stored || !holdsLease()) return done();
              tracked.add(p.record.id);
              enqueue({ planned: p, attempt: 1 });
            }),
          0,
        );
      }
    },
    resume() {
      let resumed = 0;
      if (closed || !holdsLease()) return 0;
      for (const name of env.store.reader.collections('synqly/org/')) {
        const organizationId = DELIVERIES_COLLECTION.exec(name)?.[1];
        if (!organizationId) continue;
        const org = orgState(env.store.reader, organizationId);
        for (const record of org.webhookDeliveries.all()) {
          if (record.state !== 'pending' || tracked.has(record.id)) continue;
          const webhook = org.webhooks.get(record.webhook_id);
          const secret = webhook ? signingSecretOf(org.credentials.get(webhook.credential_id)) : undefined;
          const body = JSON.stringify(record.payload);
          const job: Job = { planned: { record, body, signature: signBody(body, secret ?? '') }, attempt: record.attempts.length + 1 };
          outstanding++;
          resumed++;
          tracked.add(record.id);
          if (secret === undefined) {
            void fail(job, 'the webhook or its signing secret was deleted');
            continue;
          }
          const dueMs = record.next_attempt_at ? Date.parse(record.next_attempt_at) : env.clock.now();
          later(() => enqueue(job), Math.max(0, dueMs - env.clock.now()));
        }
      }
      return resumed;
    },
    idle,
    close() {
      if (!closed) {
        closed = true;
        stopping.abort();
        const abandoned = timers.size + ready.length;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        ready.length = 0;
        for (let i = 0; i < abandoned; i++) done();
      }
      return idle();
    },
  };
}

/** reads at most `limit` characters of a response body, then lets the rest go */
async function readLimited(res: Response, limit: number, timeoutMs: number): Promise<string | undefined> {
  if (!res.body) return undefined;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const deadline = Date.now() + timeoutMs;
  try {
    while (size < limit && Date.now() < deadline) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // a broken body does not change the outcome; the status decides
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length > limit ? text.slice(0, limit) : text;
}

/** keeps the newest `max` delivery records of an organization */
function prune(tx: Tx, organizationId: string, max: number): void {
  const org = orgState(tx, organizationId);
  const all = org.webhookDeliveries.all();
  if (all.length <= max) return;
  const oldest = [...all].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id)).slice(0, all.length - max);
  for (const r of oldest) org.webhookDeliveries.delete(r.id);
}

// ---- the control API's view

export interface DeliveryQuery {
  organization_id?: string;
  webhook_id?: string;
  event?: string;
  state?: string;
  limit?: number;
}

/** delivery records across organizations, newest first */
export function listDeliveries(tx: Tx, q: DeliveryQuery = {}): WebhookDeliveryRecord[] {
  const names = q.organization_id ? [`synqly/org/${q.organization_id}/webhook_deliveries`] : tx.collections('synqly/org/').filter((n) => n.endsWith('/webhook_deliveries'));
  const all = names.flatMap((n) => tx.values<WebhookDeliveryRecord>(n));
  return all
    .filter((d) => (q.webhook_id === undefined || d.webhook_id === q.webhook_id) && (q.event === undefined || d.event === q.event) && (q.state === undefined || d.state === q.state))
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id))
    .slice(0, q.limit ?? 100);
}
