import { describe, expect, it } from 'vitest';
import { createRequestJournal, redactBody, REDACTED } from './request-journal.ts';

const entry = (n: number) => ({ at: '2026-01-01T00:00:00.000Z', listener: 'synqly', vendor: 'synqly', method: 'GET', path: `/v1/accounts/${n}`, query: {}, status: 200, durationMs: 1, requestHeaders: {} });

describe('request journal', () => {
  it('keeps the newest `capacity` entries, newest first, with increasing ids across the wrap', () => {
    const journal = createRequestJournal(5);
    for (let i = 0; i < 12; i++) journal.record(entry(i));
    expect(journal.size).toBe(5);
    const all = journal.query({ limit: 100 });
    expect(all.map((e) => e.path)).toEqual([11, 10, 9, 8, 7].map((n) => `/v1/accounts/${n}`));
    expect(all.map((e) => e.id)).toEqual([12, 11, 10, 9, 8]);
    expect(journal.query({ sinceId: 10 }).map((e) => e.id)).toEqual([12, 11]);
    journal.clear();
    expect(journal.size).toBe(0);
    journal.record(entry(99));
    expect(journal.query()).toHaveLength(1);
  });

  it('redacts secret fields, sharing (not copying) the parts without secrets', () => {
    const clean = { id: 'a', labels: ['x', 'y'], nested: { name: 'n' } };
    expect(redactBody(clean)).toBe(clean);
    const list = [clean, { id: 'b', token: 't0ken', config: { secret: { value: 's3cret', type: 'basic' } } }];
    const redacted = redactBody(list) as Array<Record<string, unknown>>;
    expect(redacted).not.toBe(list);
    expect(redacted[0]).toBe(clean);
    expect(redacted[1]).toEqual({ id: 'b', token: REDACTED, config: { secret: { value: REDACTED, type: 'basic' } } });
    expect(list[1]).toMatchObject({ token: 't0ken' });
  });
});
