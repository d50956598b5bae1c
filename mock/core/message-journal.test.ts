import { describe, expect, it } from 'vitest';
import { createMessageJournal, type DeliveredMessage } from './message-journal.ts';

function entry(overrides: Partial<DeliveredMessage> = {}): Omit<DeliveredMessage, 'id'> {
  return {
    at: '2026-06-01T08:00:00.000Z',
    companyId: 'c1',
    subscriptionId: 's1',
    integrationId: 'i1',
    interchangeId: 'x',
    channel: 'message',
    apiVersion: 'v2',
    auth: 'bearer',
    keyId: 'k1',
    contentType: 'application/json',
    messageEncoding: 'utf-8',
    fileName: null,
    body: '{}',
    bodyBase64: 'e30=',
    preDefinedUserProperties: {},
    synchronous: false,
    ...overrides,
  };
}

describe('message journal', () => {
  it('bounds the message text it keeps: the oldest entries go first, the newest always stays', () => {
    // each entry weighs 2 × 10,000 characters + 1,024: four fit in 100,000
    const journal = createMessageJournal(1000, 100_000);
    const big = (id: string) => entry({ interchangeId: id, body: 'x'.repeat(10_000), bodyBase64: 'y'.repeat(10_000) });
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) journal.record(big(id));
    expect(journal.query().map((e) => e.interchangeId)).toEqual(['f', 'e', 'd', 'c']);
    journal.record(entry({ interchangeId: 'huge', body: 'x'.repeat(200_000), bodyBase64: '' }));
    expect(journal.query().map((e) => e.interchangeId)).toEqual(['huge']);
    journal.clear({ integrationId: 'i1' });
    for (const id of ['g', 'h', 'i', 'j']) journal.record(big(id));
    expect(journal.query().map((e) => e.interchangeId)).toEqual(['j', 'i', 'h', 'g']);
  });

  it('numbers entries, answers newest first and filters by company, integration (any casing) and channel', () => {
    const journal = createMessageJournal();
    journal.record(entry({ interchangeId: 'a' }));
    journal.record(entry({ interchangeId: 'b', integrationId: 'I2', channel: 'batch' }));
    journal.record(entry({ interchangeId: 'c', companyId: 'c2' }));
    expect(journal.query().map((e) => [e.id, e.interchangeId])).toEqual([
      [3, 'c'],
      [2, 'b'],
      [1, 'a'],
    ]);
    expect(journal.query({ companyId: 'c1' }).map((e) => e.interchangeId)).toEqual(['b', 'a']);
    expect(journal.query({ integrationId: 'i2' }).map((e) => e.interchangeId)).toEqual(['b']);
    expect(journal.query({ channel: 'batch' }).map((e) => e.interchangeId)).toEqual(['b']);
    expect(journal.query({ limit: 1 }).map((e) => e.interchangeId)).toEqual(['c']);
  });

  it('keeps only the newest entries up to its capacity', () => {
    const journal = createMessageJournal(2);
    for (const id of ['a', 'b', 'c']) journal.record(entry({ interchangeId: id }));
    expect(journal.size).toBe(2);
    expect(journal.query().map((e) => e.interchangeId)).toEqual(['c', 'b']);
  });

  it('clears everything or one company, and hands out copies', () => {
    const journal = createMessageJournal();
    journal.record(entry({ companyId: 'c1' }));
    journal.record(entry({ companyId: 'c2' }));
    journal.query()[0]!.preDefinedUserProperties['cx-x'] = 'changed';
    expect(journal.query()[0]!.preDefinedUserProperties).toEqual({});
    expect(journal.clear({ companyId: 'c1' })).toBe(1);
    expect(journal.query().map((e) => e.companyId)).toEqual(['c2']);
    expect(journal.clear()).toBe(1);
    expect(journal.size).toBe(0);
  });
});
