import { describe, expect, it } from 'vitest';
import { createRandom } from '../../core/random.ts';
import { companyFixture, integrationRequest, thrown } from '../model-testing.ts';
import { metadataIntegrationId, redactSasUri, resendEntry, restartTarget, type ResendCaller } from './model.ts';

const NOW = Date.parse('2026-05-14T13:05:00.000Z');

describe('resend requests', () => {
  it('reads the integration from metadata ConfigCorrelatioId (the vendor\'s spelling) or ConfigCorrelationId, any case; blank counts as none', () => {
    expect(metadataIntegrationId({ logStepMetaData: { metadata: { ConfigCorrelatioId: 'a' } } })).toBe('a');
    expect(metadataIntegrationId({ logStepMetaData: { metadata: { configcorrelationid: 'b' } } })).toBe('b');
    expect(metadataIntegrationId({ logStepMetaData: { metadata: { ConfigCorrelatioId: ' ' } } })).toBeUndefined();
    expect(metadataIntegrationId({ logStepMetaData: { metadata: { ConfigCorrelatioId: 7 } } })).toBeUndefined();
    expect(metadataIntegrationId({ logStepMetaData: null })).toBeUndefined();
  });

  it('redacts a SAS signature wherever it sits in the query', () => {
    expect(redactSasUri('https://x.blob.core.windows.net/c/a?sig=abc%2B&sv=1')).toBe('https://x.blob.core.windows.net/c/a?sig=REDACTED&sv=1');
    expect(redactSasUri('https://x/c?sv=1&SIG=abc')).toBe('https://x/c?sv=1&SIG=REDACTED');
    expect(redactSasUri('no url')).toBe('no url');
    expect(redactSasUri(undefined)).toBeNull();
  });

  it('journals the request: interchange id from transactionId, else the log step\'s, else a new UUID', () => {
    const caller: ResendCaller = { companyId: 'c', subscriptionId: 's', keyId: 'k', userProperties: {} };
    const env = { nowMs: NOW, random: createRandom('resend') };
    const entry = resendEntry('archeo', { transactionId: 't1', contentSasUri: 'https://x/c?sig=s3cret', logStepMetaData: { transactionId: 't2', fileName: 'f.json' } }, caller, 'int', env);
    expect(entry).toMatchObject({ channel: 'resend', apiVersion: 'v1', integrationId: 'int', interchangeId: 't1', fileName: 'f.json', at: '2026-05-14T13:05:00.000Z', resend: { kind: 'archeo', contentSasUri: 'https://x/c?sig=REDACTED', resendDateTime: null } });
    expect(entry.body).not.toContain('s3cret');
    expect(Buffer.from(entry.bodyBase64, 'base64').toString()).toBe(entry.body);
    expect(resendEntry('restart', { logStepMetaData: { transactionId: 't2' } }, caller, 'int', env).interchangeId).toBe('t2');
    expect(resendEntry('restart', {}, caller, 'int', env).interchangeId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('restart: the caller\'s integration; missing or unknown → 400, another subscription\'s → 404', async () => {
    const { store, company, test, prod, save } = await companyFixture('resend', NOW);
    const mine = await save(test, integrationRequest(test.id));
    const theirs = await save(prod, integrationRequest(prod.id));
    const caller: ResendCaller = { companyId: company.id, subscriptionId: test.id, keyId: 'k', userProperties: {} };
    const named = (id: string) => ({ logStepMetaData: { metadata: { ConfigCorrelatioId: id } } });
    expect(restartTarget(store.reader, caller, named(mine.id.toUpperCase()))).toBe(mine.id);
    expect(thrown(() => restartTarget(store.reader, caller, {})).details.issues).toEqual([{ location: 'body', pointer: '/logStepMetaData/metadata/ConfigCorrelatioId', message: 'is required' }]);
    expect(thrown(() => restartTarget(store.reader, caller, named('3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f'))).status).toBe(400);
    expect(thrown(() => restartTarget(store.reader, caller, named(theirs.id))).status).toBe(404);
  });
});
