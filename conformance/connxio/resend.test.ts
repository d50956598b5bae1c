import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { createIntegration, portal, UUID } from '../support/connxio-portal.ts';

/**
 * The legacy resend endpoints (contract §5.1, the vendor's ArcheoResendEventRequest):
 * `POST /v1/resend/archeo` and `/v1/resend/archeo/restart` answer 200 with no body and the twin
 * keeps the request in the message journal (channel `resend`). A resend acts on messages the
 * vendor logged, so the accepted requests run on twins only; refused ones (400, nothing resent)
 * are safe against a live tenant.
 */

const target = await useTarget();
const twin = target.kind !== 'live';
const admin = target.capabilities.admin;
const writes = target.capabilities.writes;

const NO_SUCH_ID = '3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f';
const logStep = (metadata: Record<string, unknown>) => ({
  transactionId: 'log-ic-1',
  description: 'Outbound REST call failed',
  transactionTypeName: 'Order',
  messageTypeName: 'json',
  senderName: 'Webshop',
  recieverName: 'ERP',
  statusName: 'Failed',
  fileName: 'order-1.json',
  processed: '2026-05-14T13:04:59.120Z',
  metadata,
});

/** bodies that are not an ArcheoResendEventRequest, each with the ASP.NET model-state key it is refused at */
const notTheType: Array<[string, unknown, string]> = [
  ['an array', [{ transactionId: 'x' }], '$'],
  ['a number transactionId', { transactionId: 42 }, '$.transactionId'],
  ['a logStepMetaData that is a string', { logStepMetaData: 'failed' }, '$.logStepMetaData'],
  ['processed that is not a date-time', { logStepMetaData: { processed: 'yesterday' } }, '$.logStepMetaData.processed'],
  ['metadata that is a list', { logStepMetaData: { metadata: ['ConfigCorrelatioId'] } }, '$.logStepMetaData.metadata'],
];

describe.runIf(writes)('resend_archeo_v1', () => {
  it.runIf(twin)('accepts an ArcheoResendEventRequest: 200 with no body, kept in the message journal as a resend request (SAS signature redacted)', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const body = {
      transactionId: 'resend-ic-1',
      contentSasUri: 'https://starcheo.blob.core.windows.net/content/a.json?sv=2024-05-04&sig=c2VjcmV0&se=2026-06-01',
      resendDateTime: '2026-05-14T13:05:00Z',
      logStepMetaData: logStep({ ConfigCorrelatioId: id, OriginalSbMessage: 'eyJhIjoxfQ==' }),
      unknownMember: 'ignored',
    };
    const res = await s.post('/v1/resend/archeo').set('cx-reason', 'retry').send(body);
    expectOperation(res, 'resend_archeo_v1', 200);
    expect(res.text ?? '').toBe('');
    // every field is optional in the vendor's type
    expectOperation(await s.post('/api/v1/resend/archeo').set('content-type', 'application/json; x-api-version=1.0').send({}), 'resend_archeo_v1', 200);
    if (admin) {
      const [empty, first] = await portal(target, s).messages({ channel: 'resend' });
      expect(first).toMatchObject({ channel: 'resend', apiVersion: 'v1', auth: 'bearer', integrationId: id, interchangeId: 'resend-ic-1', fileName: 'order-1.json', subscriptionId: s.subscriptionId, preDefinedUserProperties: { 'cx-reason': 'retry' } });
      expect(first!.resend).toEqual({ kind: 'archeo', contentSasUri: 'https://starcheo.blob.core.windows.net/content/a.json?sv=2024-05-04&sig=REDACTED&se=2026-06-01', resendDateTime: '2026-05-14T13:05:00Z' });
      expect(first!.body).not.toContain('c2VjcmV0');
      expect(JSON.parse(first!.body as string)).toMatchObject({ transactionId: 'resend-ic-1', logStepMetaData: { metadata: { OriginalSbMessage: 'eyJhIjoxfQ==' } } });
      // members the vendor's type does not declare are ignored, never kept
      expect(JSON.parse(first!.body as string)).not.toHaveProperty('unknownMember');
      expect(empty).toMatchObject({ channel: 'resend', integrationId: '', fileName: null, resend: { kind: 'archeo', contentSasUri: null, resendDateTime: null } });
      expect(empty!.interchangeId).toMatch(UUID);
      // the log step's transactionId stands in for a missing transactionId
      expectOperation(await s.post('/v1/resend/archeo').send({ logStepMetaData: logStep({}) }), 'resend_archeo_v1', 200);
      expect((await portal(target, s).messages({ channel: 'resend', limit: 1 }))[0]).toMatchObject({ interchangeId: 'log-ic-1' });
    }
  });

  it('answers 400 for a body that is not an ArcheoResendEventRequest, or none, and 415 for another media type; nothing journaled', async () => {
    const s = await connxioSession(target);
    for (const [what, body, key] of notTheType) {
      const res = await s.post('/v1/resend/archeo').send(body as object);
      expectProblem(res, 'resend_archeo_v1', 400);
      if (twin) expect(Object.keys(res.body.errors), what).toEqual([key]);
    }
    expectProblem(await s.post('/v1/resend/archeo'), 'resend_archeo_v1', 400);
    // a free-form metadata nested deeper than the journal can write out
    const deep = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    const tooDeep = await s.post('/v1/resend/archeo').set('content-type', 'application/json').send(`{"logStepMetaData":{"metadata":${deep}}}`);
    expectProblem(tooDeep, 'resend_archeo_v1', 400);
    if (twin) expect(Object.keys(tooDeep.body.errors)).toEqual(['LogStepMetaData.Metadata']);
    expectProblem(await s.post('/v1/resend/archeo').set('content-type', 'text/plain').send('resend please'), 'resend_archeo_v1', 415);
    if (admin) expect(await portal(target, s).messages({ channel: 'resend' })).toEqual([]);
  });
});

describe.runIf(writes)('resend_archeo_restart_v1', () => {
  it.runIf(twin)('restarts the integration metadata["ConfigCorrelatioId"] names: 200, kept in the message journal', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const res = await s.post('/v1/resend/archeo/restart').send({ transactionId: 'restart-ic', logStepMetaData: logStep({ ConfigCorrelatioId: id.toUpperCase() }) });
    expectOperation(res, 'resend_archeo_restart_v1', 200);
    expect(res.text ?? '').toBe('');
    if (admin) {
      const [entry] = await portal(target, s).messages({ integrationId: id });
      expect(entry).toMatchObject({ channel: 'resend', apiVersion: 'v1', integrationId: id, interchangeId: 'restart-ic', resend: { kind: 'restart', contentSasUri: null, resendDateTime: null } });
    }
  });

  it('answers 400 without metadata["ConfigCorrelatioId"], for an id no integration has and for a body that is not the type; 404 (twin) for another subscription\'s integration; nothing journaled', async () => {
    const s = await connxioSession(target);
    const missing = await s.post('/v1/resend/archeo/restart').send({ transactionId: 'x', logStepMetaData: logStep({}) });
    expectProblem(missing, 'resend_archeo_restart_v1', 400);
    if (twin) expect(missing.body.errors).toEqual({ 'LogStepMetaData.Metadata.ConfigCorrelatioId': ['The ConfigCorrelatioId field is required.'] });
    expectProblem(await s.post('/v1/resend/archeo/restart').send({}), 'resend_archeo_restart_v1', 400);
    expectProblem(await s.post('/v1/resend/archeo/restart').send({ logStepMetaData: logStep({ ConfigCorrelatioId: NO_SUCH_ID }) }), 'resend_archeo_restart_v1', 400);
    for (const [, body] of notTheType) expectProblem(await s.post('/v1/resend/archeo/restart').send(body as object), 'resend_archeo_restart_v1', 400);
    if (admin) {
      const id = await createIntegration(s);
      const otherKey = await portal(target, s).createKey(['Messaging'], { subscriptionId: s.otherSubscriptionId });
      const hidden = await s.raw.post('/v1/resend/archeo/restart').set('connxio-api-key', otherKey.key).set('authorization', `Bearer ${s.bearer}`).send({ logStepMetaData: logStep({ ConfigCorrelatioId: id }) });
      expectProblem(hidden, 'resend_archeo_restart_v1', 404);
      expect(await portal(target, s).messages({ channel: 'resend' })).toEqual([]);
    }
  });
});
