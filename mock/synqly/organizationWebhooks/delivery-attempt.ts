import { performance } from 'node:perf_hooks';
import type { TwinEnv } from '../../core/pipeline.ts';
import { redactBody, redactHeaders } from '../../core/request-journal.ts';
import type { WebhookDeliveryRecord } from '../state.ts';
import { SIGNATURE_HEADER, type PlannedDelivery } from './events.ts';

/**
 * One delivery attempt of a webhook, in three parts: the signed POST (`postDelivery`), its line
 * in the admin request journal (`journalAttempt`) and the delivery record after it, with the
 * retry it schedules (`afterAttempt`, pure).
 */

const DELIVERY_USER_AGENT = 'apitwin-webhooks/0.1';
const RESPONSE_BODY_LIMIT = 2048;

export interface AttemptOutcome {
  /** when the attempt started (the twin's clock) */
  at: string;
  /** the request headers sent */
  headers: Record<string, string>;
  /** the receiver's status; 0 when it never answered */
  status: number;
  /** why it did not deliver (a refused connection, a timeout, a non-2xx answer) */
  error?: string;
  responseHeaders?: Record<string, string>;
  /** the first characters of the receiver's answer */
  responseBody?: string;
  durationMs: number;
}

/** POSTs the planned body, signed, to the record's url; never throws (a failure is the outcome's `error`). */
export async function postDelivery(
  env: Pick<TwinEnv, 'clock'>,
  planned: PlannedDelivery,
  record: WebhookDeliveryRecord,
  attempt: number,
  limits: { timeoutMs: number; stop: AbortSignal },
): Promise<AttemptOutcome> {
  const at = env.clock.nowIso();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': DELIVERY_USER_AGENT,
    [SIGNATURE_HEADER.toLowerCase()]: planned.signature,
    'x-apitwin-delivery': record.id,
    'x-apitwin-attempt': String(attempt),
  };
  const started = performance.now();
  let status = 0;
  let error: string | undefined;
  let responseHeaders: Record<string, string> | undefined;
  let responseBody: string | undefined;
  try {
    const signal = AbortSignal.any([AbortSignal.timeout(limits.timeoutMs), limits.stop]);
    const res = await fetch(record.url, { method: 'POST', headers, body: planned.body, redirect: 'manual', signal });
    status = res.status;
    responseHeaders = Object.fromEntries(res.headers);
    responseBody = await readLimited(res, RESPONSE_BODY_LIMIT, limits.timeoutMs);
  } catch (err) {
    // fetch rejects with a TypeError whose cause is the socket error; a timeout with an AbortError
    const e = err as Error & { cause?: { code?: string; message?: string } };
    error = limits.stop.aborted
      ? 'the twin stopped'
      : e.name === 'TimeoutError' || e.name === 'AbortError'
        ? `timed out after ${limits.timeoutMs} ms`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
  }
  const durationMs = Math.round((performance.now() - started) * 100) / 100;
  if (!isDelivered(status) && !error) error = `the receiver answered ${status}`;
  return { at, headers, status, ...(error !== undefined ? { error } : {}), ...(responseHeaders ? { responseHeaders } : {}), ...(responseBody !== undefined ? { responseBody } : {}), durationMs };
}

function isDelivered(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** The attempt in the admin request journal (listener `webhooks`), secrets redacted. */
export function journalAttempt(env: Pick<TwinEnv, 'requests'>, planned: PlannedDelivery, record: WebhookDeliveryRecord, outcome: AttemptOutcome): void {
  env.requests.record({
    at: outcome.at,
    listener: 'webhooks',
    vendor: 'synqly',
    method: 'POST',
    path: record.url,
    query: {},
    operationId: 'webhook_delivery',
    status: outcome.status,
    durationMs: outcome.durationMs,
    requestHeaders: redactHeaders(outcome.headers),
    requestBody: redactBody(JSON.parse(planned.body)),
    ...(outcome.responseHeaders ? { responseHeaders: redactHeaders(outcome.responseHeaders) } : {}),
    ...(outcome.responseBody !== undefined ? { responseBody: outcome.responseBody } : {}),
  }, planned.body.length + (outcome.responseBody?.length ?? 0) + 1024);
}

export interface AfterAttempt {
  /** the delivery record with the attempt appended: delivered, pending a retry, or failed */
  record: WebhookDeliveryRecord;
  /** set when another attempt follows: the wait before it */
  retryInMs?: number;
}

/**
 * The delivery record after attempt `attempt`: delivered on a 2xx; else pending with the next
 * attempt's time while attempts remain (and the dispatcher runs), else failed with the reason.
 */
export function afterAttempt(
  record: WebhookDeliveryRecord,
  attempt: number,
  outcome: AttemptOutcome,
  policy: { retryDelaysMs: readonly number[]; nowMs: number; stopped: boolean },
): AfterAttempt {
  const delivered = isDelivered(outcome.status);
  const attempts = [...record.attempts, { attempt, at: outcome.at, status: outcome.status, duration_ms: outcome.durationMs, ...(!delivered && outcome.error ? { error: outcome.error } : {}) }];
  const retry = !delivered && attempt <= policy.retryDelaysMs.length && !policy.stopped;
  const delay = retry ? policy.retryDelaysMs[attempt - 1]! : 0;
  const { next_attempt_at: _next, error: _error, ...rest } = record;
  return {
    record: {
      ...rest,
      state: delivered ? 'delivered' : retry ? 'pending' : 'failed',
      updated_at: new Date(policy.nowMs).toISOString(),
      attempts,
      ...(retry ? { next_attempt_at: new Date(policy.nowMs + delay).toISOString() } : {}),
      ...(!delivered && !retry ? { error: `gave up after ${attempt} attempt(s): ${outcome.error}` } : {}),
    },
    ...(retry ? { retryInMs: delay } : {}),
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
