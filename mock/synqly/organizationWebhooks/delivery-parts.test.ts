import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { WebhookDeliveryRecord } from '../state.ts';
import { afterAttempt, type AttemptOutcome } from './delivery-attempt.ts';
import { createDeliveryQueue } from './delivery-queue.ts';

/** The parts of webhook delivery on their own; model.test.ts runs the dispatcher against a real receiver. */

const logger = pino({ level: 'silent' });

describe('delivery › afterAttempt', () => {
  const record: WebhookDeliveryRecord = {
    id: 'd1',
    organization_id: 'o1',
    webhook_id: 'w1',
    event: 'account_create',
    nonce: 'n',
    url: 'http://127.0.0.1:1/hook',
    state: 'pending',
    payload: { event: 'account_create' },
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    next_attempt_at: '2026-01-01T00:00:01.000Z',
    attempts: [{ attempt: 1, at: '2026-01-01T00:00:00.000Z', status: 500, duration_ms: 3, error: 'the receiver answered 500' }],
  };
  const nowMs = Date.parse('2026-01-01T00:00:02.000Z');
  const policy = { retryDelaysMs: [1000, 4000], nowMs, stopped: false };
  const outcome = (status: number, error?: string): AttemptOutcome => ({ at: '2026-01-01T00:00:02.000Z', headers: {}, status, durationMs: 7, ...(error ? { error } : {}) });

  it('marks a 2xx delivered, appends the attempt and drops the retry time', () => {
    const next = afterAttempt(record, 2, outcome(204), policy);
    expect(next.retryInMs).toBeUndefined();
    expect(next.record).toMatchObject({ state: 'delivered', updated_at: '2026-01-01T00:00:02.000Z' });
    expect(next.record).not.toHaveProperty('next_attempt_at');
    expect(next.record).not.toHaveProperty('error');
    expect(next.record.attempts.at(-1)).toEqual({ attempt: 2, at: '2026-01-01T00:00:02.000Z', status: 204, duration_ms: 7 });
  });

  it('keeps a failed attempt pending with the next delay while attempts remain', () => {
    const next = afterAttempt(record, 2, outcome(503, 'the receiver answered 503'), policy);
    expect(next.retryInMs).toBe(4000);
    expect(next.record).toMatchObject({ state: 'pending', next_attempt_at: '2026-01-01T00:00:06.000Z' });
    expect(next.record.attempts).toHaveLength(2);
    expect(next.record.attempts[1]).toMatchObject({ status: 503, error: 'the receiver answered 503' });
  });

  it('gives up after the last attempt, or at once when the dispatcher stopped', () => {
    const last = afterAttempt(record, 3, outcome(0, 'ECONNREFUSED'), policy);
    expect(last.retryInMs).toBeUndefined();
    expect(last.record).toMatchObject({ state: 'failed', error: 'gave up after 3 attempt(s): ECONNREFUSED' });
    expect(last.record).not.toHaveProperty('next_attempt_at');
    const stopped = afterAttempt(record, 1, outcome(0, 'the twin stopped'), { ...policy, stopped: true });
    expect(stopped.record).toMatchObject({ state: 'failed', error: 'gave up after 1 attempt(s): the twin stopped' });
  });
});

describe('delivery › queue', () => {
  function gate() {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  }

  it('runs at most maxConcurrent jobs at once and refuses beyond maxQueued', async () => {
    const started: number[] = [];
    const release = gate();
    const queue = createDeliveryQueue<number>(
      async (n) => {
        started.push(n);
        await release.opened;
        queue.end();
      },
      { maxConcurrent: 2, maxQueued: 1 },
      logger,
    );
    for (let n = 1; n <= 4; n++) queue.begin();
    expect([1, 2, 3, 4].map((n) => queue.submit(n))).toEqual(['queued', 'queued', 'queued', 'full']);
    queue.end(); // the caller ends the refused delivery
    expect(started).toEqual([1, 2]);
    let idle = false;
    const idled = queue.idle().then(() => (idle = true));
    release.open();
    await idled;
    expect(started).toEqual([1, 2, 3]);
    expect(idle).toBe(true);
  });

  it('ends a delivery whose job throws, and goes on with the next', async () => {
    const ran: number[] = [];
    const queue = createDeliveryQueue<number>(
      async (n) => {
        ran.push(n);
        if (n === 1) throw new Error('bug');
        queue.end();
      },
      { maxConcurrent: 1, maxQueued: 10 },
      logger,
    );
    queue.begin();
    queue.begin();
    queue.submit(1);
    queue.submit(2);
    await queue.idle();
    expect(ran).toEqual([1, 2]);
  });

  it('close() abandons timers and waiting jobs, aborts the signal and refuses new jobs', async () => {
    const release = gate();
    const ran: number[] = [];
    const queue = createDeliveryQueue<number>(
      async (n) => {
        ran.push(n);
        await release.opened;
        queue.end();
      },
      { maxConcurrent: 1, maxQueued: 10 },
      logger,
    );
    for (let i = 0; i < 3; i++) queue.begin();
    queue.submit(1);
    queue.submit(2);
    let fired = false;
    queue.later(() => (fired = true), 5);
    const closed = queue.close();
    expect(queue.closed).toBe(true);
    expect(queue.signal.aborted).toBe(true);
    expect(queue.submit(3)).toBe('closed');
    release.open();
    await closed;
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toEqual([1]);
    expect(fired).toBe(false);
  });
});
