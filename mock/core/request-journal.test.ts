import { describe, expect, it } from 'vitest';
import { createRequestJournal, redactBody, REDACTED, redactHeaders, redactQuery } from './request-journal.ts';

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

  it('bounds the bodies it keeps by bytes besides its count: the oldest entries go first, the newest always stays', () => {
    const journal = createRequestJournal(100, 10_000);
    for (let i = 0; i < 10; i++) journal.record(entry(i), 3_000);
    expect(journal.query().map((e) => e.path)).toEqual([9, 8, 7].map((n) => `/v1/accounts/${n}`));
    journal.record(entry(10), 50_000);
    expect(journal.query().map((e) => e.path)).toEqual(['/v1/accounts/10']);
    for (let i = 11; i < 100; i++) journal.record(entry(i), 100);
    expect(journal.size).toBe(89); // 89 × 100 bytes fit beside nothing else once entry 10 is pushed out
    journal.clear();
    for (let i = 0; i < 3; i++) journal.record(entry(i), 3_000);
    expect(journal.size).toBe(3);
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

describe('redactHeaders / redactQuery', () => {
  it('redacts secret headers; a frozen header object of strings is redacted once and the result shared', () => {
    const sent = Object.freeze({ 'content-type': 'application/json', Authorization: 'Bearer s3cret' });
    const first = redactHeaders(sent);
    expect(first).toEqual({ 'content-type': 'application/json', Authorization: REDACTED });
    expect(redactHeaders(sent)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // not frozen: a fresh copy each time, so later changes to the headers are not journaled twice
    const open: Record<string, unknown> = { authorization: 'Bearer s3cret', 'x-list': ['a', 'b'] };
    const a = redactHeaders(open);
    open['x-list'] = 'c';
    expect(a).toEqual({ authorization: REDACTED, 'x-list': 'a, b' });
    expect(redactHeaders(open)).toEqual({ authorization: REDACTED, 'x-list': 'c' });
    // frozen, but holding an array that may still change: not kept
    const list = ['a'];
    const frozenWithList = Object.freeze({ 'x-list': list });
    expect(redactHeaders(frozenWithList)).toEqual({ 'x-list': 'a' });
    list.push('b');
    expect(redactHeaders(frozenWithList)).toEqual({ 'x-list': 'a, b' });
  });

  it('redacts secret query parameters; a query without parameters is one shared empty object', () => {
    expect(redactQuery({ token: 'abc', limit: '5' })).toEqual({ token: REDACTED, limit: '5' });
    const none = redactQuery({});
    expect(none).toEqual({});
    expect(redactQuery({})).toBe(none);
    expect(Object.isFrozen(none)).toBe(true);
  });
});
