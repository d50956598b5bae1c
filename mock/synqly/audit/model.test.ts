import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../core/pipeline.ts';
import type { OperationSpec } from '../../core/spec.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { pino } from 'pino';
import { createClock } from '../../core/clock.ts';
import type { TwinEnv } from '../../core/pipeline.ts';
import { orgFixture, T0 } from '../model-testing.ts';
import { appendAudit, appendAuditEntries, AUDIT_RETENTION, auditEvents, listAudit } from './model.ts';
import { auditEntryOf, createCallRecorder } from './observe.ts';

function call(overrides: Partial<CallRecord<SynqlyPrincipal>> & { operationId: string; method: string; path: string }): CallRecord<SynqlyPrincipal> {
  const { operationId, method, path, ...rest } = overrides;
  return {
    operation: { operationId } as OperationSpec,
    request: { method, path, query: {}, headers: { 'user-agent': 'Synqly-Python-SDK/2.0.39' }, listener: 'synqly', remoteAddress: '203.0.113.7' },
    principal: { token: { member_id: 'member-1' } } as unknown as SynqlyPrincipal,
    status: 200,
    requestBody: undefined,
    responseBody: undefined,
    ...rest,
  };
}

describe('auditEntryOf', () => {
  it('records the call with its subject, redacting secrets of the body', async () => {
    const { prod } = await orgFixture();
    const entry = auditEntryOf(
      call({ operationId: 'credentials_create', method: 'POST', path: `/v1/credentials/${prod.id}`, requestBody: { name: 'k', config: { type: 'basic', username: 'svc', secret: 'hunter2' } } }),
      { account: prod, accountId: prod.id },
      T0,
    );
    expect(entry).toMatchObject({
      environment: 'prod',
      created_at: new Date(T0).toISOString(),
      remote_addr: '203.0.113.7',
      user_agent: 'Synqly-Python-SDK/2.0.39',
      audit_type: 'API',
      method: 'POST',
      code: '200',
      status: '200 OK',
      member_id: 'member-1',
      account_id: prod.id,
    });
    expect(JSON.stringify(entry.body)).not.toContain('hunter2');
    expect(entry.body).toEqual({ name: 'k', config: { type: 'basic', username: '[redacted]', secret: '[redacted]' } });
    expect(entry).not.toHaveProperty('response');
  });

  it('redacts inline secrets anywhere in a provider config, webhook URLs and key ids included', () => {
    const entry = auditEntryOf(
      call({
        operationId: 'integrations_create',
        method: 'POST',
        path: '/v1/integrations/a',
        requestBody: {
          name: 'slack',
          provider_config: { type: 'notifications_slack', credential: { type: 'webhook_url', url: 'https://hooks.slack.com/services/T0/B0/xyz' }, channel: 'alerts' },
          extra: [{ auth: { type: 'aws', access_key_id: 'AKIA123', secret_access_key: 'abc' } }],
        },
      }),
      {},
      T0,
    );
    const text = JSON.stringify(entry.body);
    for (const secret of ['hooks.slack.com', 'AKIA123', 'abc']) expect(text).not.toContain(secret);
    expect(entry.body).toMatchObject({ name: 'slack', provider_config: { type: 'notifications_slack', channel: 'alerts', credential: { type: 'webhook_url' } } });
  });

  it('keeps the problem message of failed calls and marks 5xx as ERROR', () => {
    const failed = auditEntryOf(call({ operationId: 'accounts_get', method: 'GET', path: '/v1/accounts/x', status: 404, responseBody: { status: 404, message: 'account x not found' } }), {}, T0);
    expect(failed).toMatchObject({ audit_type: 'API', code: '404', status: '404 Not Found', response: 'account x not found', environment: '' });
    expect(auditEntryOf(call({ operationId: 'accounts_get', method: 'GET', path: '/v1/accounts', status: 503 }), {}, T0).audit_type).toBe('ERROR');
  });
});

describe('appendAudit / listAudit', () => {
  it('keeps events in call order, filters and pages by created_at', async () => {
    const { write, org } = await orgFixture();
    for (let i = 0; i < 3; i++) {
      await write((o) => appendAudit(o, auditEntryOf(call({ operationId: 'accounts_list', method: 'GET', path: `/v1/accounts?${i}` }), {}, T0 + i * 1000)));
    }
    await write((o) => appendAudit(o, auditEntryOf(call({ operationId: 'accounts_create', method: 'POST', path: '/v1/accounts' }), {}, T0 + 5000)));
    const all = listAudit(org(), {}).items;
    expect(all.map((a) => a.path)).toEqual(['/v1/accounts?0', '/v1/accounts?1', '/v1/accounts?2', '/v1/accounts']);
    expect(all[0]).not.toHaveProperty('id');
    expect(listAudit(org(), { filter: 'method[eq]POST' }).items).toHaveLength(1);
    expect(listAudit(org(), { start_after: new Date(T0 + 1000).toISOString(), limit: 1 }).items.map((a) => a.path)).toEqual(['/v1/accounts?2']);
    expect(listAudit(org(), { order: 'created_at[desc]', limit: 1 }).items[0]!.method).toBe('POST');
  });
});

describe('appendAudit › retention', () => {
  it(`keeps the newest ${AUDIT_RETENTION} events per organization, dropping the oldest`, async () => {
    const { write, org } = await orgFixture();
    const entry = (i: number) => auditEntryOf(call({ operationId: 'accounts_list', method: 'GET', path: `/v1/accounts?n=${i}` }), {}, T0 + i);
    await write((o) => {
      for (let i = 0; i < AUDIT_RETENTION + 25; i++) appendAudit(o, entry(i));
    });
    expect(auditEvents(org())).toHaveLength(AUDIT_RETENTION);
    expect(org().audit.count()).toBe(AUDIT_RETENTION); // one event per transaction here: a record each, the oldest 25 deleted
    const oldest = listAudit(org(), { limit: 1 }).items[0]!;
    expect(oldest.path).toBe('/v1/accounts?n=25');
    const newest = listAudit(org(), { limit: 1, order: 'created_at[desc]' }).items[0]!;
    expect(newest.path).toBe(`/v1/accounts?n=${AUDIT_RETENTION + 24}`);
  });
});

describe('appendAuditEntries', () => {
  it('appends as that many appendAudit calls would: ids in order, one counter, retention across the batch', async () => {
    const one = await orgFixture();
    const many = await orgFixture();
    const entry = (i: number) => auditEntryOf(call({ operationId: 'accounts_list', method: 'GET', path: `/v1/accounts?n=${i}` }), {}, T0 + i);
    await one.write((o) => {
      for (let i = 0; i < AUDIT_RETENTION + 3; i++) appendAudit(o, entry(i));
    });
    await many.write((o) => appendAuditEntries(o, Array.from({ length: AUDIT_RETENTION + 3 }, (_, i) => entry(i))));
    expect(auditEvents(many.org())).toEqual(auditEvents(one.org()));
    expect(many.org().counters.get('audit')).toMatchObject({ id: 'audit', value: AUDIT_RETENTION + 3 });
    expect(auditEvents(many.org())[0]).toMatchObject({ id: '000000000004', path: '/v1/accounts?n=3' });
    // stored as one record, which still holds the three events past retention (listing leaves them out)
    expect(many.org().audit.count()).toBe(1);
    expect(listAudit(many.org(), { limit: 1 }).items[0]!.path).toBe('/v1/accounts?n=3');
  });
});

describe('appendAudit › numbering', () => {
  it('numbers an entry in place, and copies one the store froze already (a transaction undone and run again)', async () => {
    const { write, org } = await orgFixture();
    const entry = auditEntryOf(call({ operationId: 'accounts_list', method: 'GET', path: '/v1/accounts' }), {}, T0);
    expect(entry.id).toBe('');
    const first = await write((o) => appendAudit(o, entry));
    expect(first).toBe(entry);
    expect(Object.keys(first)[0]).toBe('id');
    const again = await write((o) => appendAudit(o, entry));
    expect(again).not.toBe(entry);
    expect(Object.keys(again)[0]).toBe('id');
    expect([first.id, again.id]).toEqual(['000000000001', '000000000002']);
    expect(auditEvents(org()).map((a) => a.id)).toEqual(['000000000001', '000000000002']);
  });
});

describe('appendAuditEntries › stored batches', () => {
  const entry = (i: number) => auditEntryOf(call({ operationId: 'accounts_list', method: 'GET', path: `/v1/accounts?n=${i}` }), {}, T0 + i);

  it('drops a stored batch once all its events are past retention, and never a newer one', async () => {
    const { write, org } = await orgFixture();
    const batch = 4_000;
    for (let b = 0; b < 5; b++) await write((o) => appendAuditEntries(o, Array.from({ length: batch }, (_, i) => entry(b * batch + i))));
    // 20,000 events: batches 1–2 (events 1–8,000) are past the newest 10,000; batch 3 (8,001–12,000) straddles the line
    expect(org().audit.all().map((r) => r.id)).toEqual(['000000008001', '000000012001', '000000016001']);
    expect(org().counters.get('audit')).toEqual({ id: 'audit', value: 20_000, oldest: '000000008001' });
    const kept = auditEvents(org());
    expect(kept).toHaveLength(AUDIT_RETENTION);
    expect(kept[0]!.id).toBe('000000010001');
    expect(kept.at(-1)!.id).toBe('000000020000');
  });

  it('reads and retires records of one event each (stores written before batches) alongside batches', async () => {
    const { write, org } = await orgFixture();
    // as an older twin wrote them: a record per event, a counter without `oldest`
    await write((o) => {
      for (let i = 1; i <= 3; i++) o.audit.put({ ...entry(i - 1), id: String(i).padStart(12, '0') });
      o.counters.put({ id: 'audit', value: 3 });
    });
    await write((o) => appendAuditEntries(o, [entry(3), entry(4)]));
    expect(auditEvents(org()).map((a) => a.path)).toEqual(['/v1/accounts?n=0', '/v1/accounts?n=1', '/v1/accounts?n=2', '/v1/accounts?n=3', '/v1/accounts?n=4']);
    await write((o) => appendAuditEntries(o, Array.from({ length: AUDIT_RETENTION - 3 }, (_, i) => entry(5 + i))));
    // 10,005 events: the first two single records are gone, the third is the oldest kept
    expect(org().audit.all().map((r) => r.id)).toEqual(['000000000003', '000000000004', '000000000006']);
    expect(org().counters.get('audit')?.oldest).toBe('000000000003');
    expect(listAudit(org(), { limit: 1 }).items[0]!.path).toBe('/v1/accounts?n=2');
  });

  it('finds the oldest record by a scan when the counter names one that is gone', async () => {
    const { write, org } = await orgFixture();
    await write((o) => appendAuditEntries(o, Array.from({ length: AUDIT_RETENTION }, (_, i) => entry(i))));
    await write((o) => o.counters.put({ id: 'audit', value: AUDIT_RETENTION, oldest: '000000999999' }));
    await write((o) => appendAuditEntries(o, Array.from({ length: AUDIT_RETENTION }, (_, i) => entry(AUDIT_RETENTION + i))));
    expect(org().audit.all().map((r) => r.id)).toEqual([`0000000${AUDIT_RETENTION + 1}`.slice(-12)]);
  });
});

describe('createCallRecorder', () => {
  it('writes the events of calls answered together in call order, and a later call after them once they ran', async () => {
    const { store, organization, org } = await orgFixture();
    // the recorder reads only the store, the clock and the logger
    const env = { store, clock: createClock(), logger: pino({ level: 'silent' }) } as unknown as TwinEnv;
    const record = createCallRecorder(env, {});
    const principal = { organization, token: { member_id: 'member-1' } } as unknown as SynqlyPrincipal;
    const get = (path: string) => call({ operationId: 'accounts_list', method: 'GET', path, principal });
    record(get('/v1/accounts?a'));
    record(get('/v1/accounts?b'));
    record(get('/v1/accounts?c'));
    // reading the audit log runs the queued events first, stored as one record
    expect(org().audit.count()).toBe(1);
    expect(auditEvents(org()).map((a) => [a.id, a.path])).toEqual([
      ['000000000001', '/v1/accounts?a'],
      ['000000000002', '/v1/accounts?b'],
      ['000000000003', '/v1/accounts?c'],
    ]);
    record(get('/v1/accounts?d'));
    await store.transact(() => undefined); // a transaction runs them too
    expect(auditEvents(org()).map((a) => a.path)).toEqual(['/v1/accounts?a', '/v1/accounts?b', '/v1/accounts?c', '/v1/accounts?d']);
    expect(org().counters.get('audit')?.value).toBe(4);
    await store.close();
  });
});
