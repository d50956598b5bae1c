import type { Lease } from '../../core/lease.ts';
import type { TwinEnv } from '../../core/pipeline.ts';
import type { Tx } from '../../core/store/store.ts';
import { ORGANIZATIONS, orgState, type WebhookDeliveryRecord } from '../state.ts';
import { afterAttempt, journalAttempt, postDelivery } from './delivery-attempt.ts';
import { createDeliveryQueue } from './delivery-queue.ts';
import { planDeliveries, signBody, type OrganizationEvent, type PlannedDelivery } from './events.ts';
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

const DELIVERIES_COLLECTION = /^synqly\/org\/([^/]+)\/webhook_deliveries$/;

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

/**
 * The dispatcher: plans an event's deliveries (events.ts), stores each record, then runs its
 * attempts on a bounded queue (delivery-queue.ts), one signed POST each (delivery-attempt.ts),
 * storing the record after every attempt and retrying on the backoff schedule.
 */
export function createWebhookDispatcher(env: TwinEnv, options: WebhookDeliveryOptions & DeliveryLeaseOption = {}): WebhookDispatcher {
  const { lease, ...delivery } = options;
  const opts = { ...DEFAULT_DELIVERY_OPTIONS, ...delivery };
  const holdsLease = () => lease?.held() ?? true;
  /** ids of the delivery records scheduled in this process (a lease renewal picks up only the others) */
  const tracked = new Set<string>();
  const store = (record: WebhookDeliveryRecord) => storeDelivery(env, record, opts.maxRecordsPerOrganization);

  /** the delivery record as stored (the planned one if it is gone) */
  const current = (job: Job): WebhookDeliveryRecord =>
    orgState(env.store.reader, job.planned.record.organization_id).webhookDeliveries.get(job.planned.record.id) ?? job.planned.record;

  const fail = async (job: Job, error: string) => {
    const { next_attempt_at: _next, ...rest } = current(job);
    await store({ ...rest, state: 'failed', updated_at: env.clock.nowIso(), error });
    queue.end();
  };

  const enqueue = (job: Job) => {
    const queued = queue.submit(job);
    if (queued === 'closed') queue.end();
    else if (queued === 'full') void fail(job, 'the delivery queue is full');
  };

  /** one POST; ends the delivery or schedules its retry */
  const attempt = async (job: Job): Promise<void> => {
    if (!holdsLease()) {
      // another replica holds the lease now: the record stays pending for it
      tracked.delete(job.planned.record.id);
      return queue.end();
    }
    const record = current(job);
    if (!orgState(env.store.reader, record.organization_id).webhooks.get(record.webhook_id)) return fail(job, 'the webhook was deleted');
    const outcome = await postDelivery(env, job.planned, record, job.attempt, { timeoutMs: opts.timeoutMs, stop: queue.signal });
    journalAttempt(env, job.planned, record, outcome);
    const next = afterAttempt(record, job.attempt, outcome, { retryDelaysMs: opts.retryDelaysMs, nowMs: env.clock.now(), stopped: queue.closed });
    const stored = await store(next.record);
    if (next.retryInMs !== undefined && stored && !queue.closed) queue.later(() => enqueue({ planned: job.planned, attempt: job.attempt + 1 }), next.retryInMs);
    else queue.end();
  };

  const queue = createDeliveryQueue<Job>(attempt, opts, env.logger);

  return {
    emit(ev) {
      if (queue.closed) return;
      let planned: PlannedDelivery[];
      try {
        planned = planDeliveries(orgState(env.store.reader, ev.organizationId), ev, { nowMs: env.clock.now(), random: env.random });
      } catch (err) {
        env.logger.error({ err }, 'webhook deliveries could not be planned');
        return;
      }
      for (const p of planned) {
        queue.begin();
        // the record first, then the first attempt: both after the current call has been answered
        // tracked before the record is written: a lease renewal resuming pending records meanwhile leaves it to this job
        tracked.add(p.record.id);
        queue.later(
          () =>
            void store(p.record).then((stored) => {
              if (stored && holdsLease()) return enqueue({ planned: p, attempt: 1 });
              tracked.delete(p.record.id);
              queue.end();
            }),
          0,
        );
      }
    },
    resume() {
      if (queue.closed || !holdsLease()) return 0;
      const pending = pendingDeliveries(env.store.reader).filter(({ job }) => !tracked.has(job.planned.record.id));
      for (const { job, signable, dueMs } of pending) {
        queue.begin();
        tracked.add(job.planned.record.id);
        if (!signable) void fail(job, 'the webhook or its signing secret was deleted');
        else queue.later(() => enqueue(job), Math.max(0, (dueMs ?? env.clock.now()) - env.clock.now()));
      }
      return pending.length;
    },
    idle: () => queue.idle(),
    close: () => queue.close(),
  };
}

/** One store write of a delivery record (pruning the organization's oldest); a closed store or a deleted organization ends the delivery quietly (false). */
async function storeDelivery(env: TwinEnv, record: WebhookDeliveryRecord, maxRecordsPerOrganization: number): Promise<boolean> {
  try {
    return await env.store.transact((tx) => {
      if (!tx.get(ORGANIZATIONS, record.organization_id)) return false;
      orgState(tx, record.organization_id).webhookDeliveries.put(record);
      prune(tx, record.organization_id, maxRecordsPerOrganization);
      return true;
    });
  } catch (err) {
    env.logger.debug({ err }, 'webhook delivery record not stored');
    return false;
  }
}

/**
 * The deliveries a store holds as pending, as jobs for their next attempt (the same body, signed
 * again with the webhook's secret; `signable` false when the webhook or its secret is gone).
 */
function pendingDeliveries(reader: Tx): Array<{ job: Job; signable: boolean; dueMs: number | undefined }> {
  const out: Array<{ job: Job; signable: boolean; dueMs: number | undefined }> = [];
  for (const name of reader.collections('synqly/org/')) {
    const organizationId = DELIVERIES_COLLECTION.exec(name)?.[1];
    if (!organizationId) continue;
    const org = orgState(reader, organizationId);
    for (const record of org.webhookDeliveries.all()) {
      if (record.state !== 'pending') continue;
      const webhook = org.webhooks.get(record.webhook_id);
      const secret = webhook ? signingSecretOf(org.credentials.get(webhook.credential_id)) : undefined;
      const body = JSON.stringify(record.payload);
      out.push({
        job: { planned: { record, body, signature: signBody(body, secret ?? '') }, attempt: record.attempts.length + 1 },
        signable: secret !== undefined,
        dueMs: record.next_attempt_at ? Date.parse(record.next_attempt_at) : undefined,
      });
    }
  }
  return out;
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
