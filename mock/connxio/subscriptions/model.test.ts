import { describe, expect, it } from 'vitest';
import { companyFixture, thrown } from '../model-testing.ts';
import { assertCompanyContext, listSubscriptions, ownSubscription } from './model.ts';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');

describe('listSubscriptions', () => {
  it('lists every subscription of the company, by name', async () => {
    const { read, test, prod } = await companyFixture('subscriptions-list', T0);
    expect(listSubscriptions(read()).map((s) => s.id)).toEqual([prod.id, test.id]);
  });
});

describe('assertCompanyContext (v1 companyId header)', () => {
  it('passes when absent, empty or the key\'s company in any case', async () => {
    const { company } = await companyFixture('subscriptions-company', T0);
    for (const value of [undefined, null, '', company.id, company.id.toUpperCase()]) expect(() => assertCompanyContext(company.id, value)).not.toThrow();
  });

  it('answers 404 naming the header for any other company', async () => {
    const { company } = await companyFixture('subscriptions-company-404', T0);
    const err = thrown(() => assertCompanyContext(company.id, '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b'));
    expect(err.status).toBe(404);
    expect(err.message).toBe('Company 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b was not found.');
    expect(err.details.parameter).toEqual({ id: 'companyId', location: 'header', value: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b' });
    expect(thrown(() => assertCompanyContext(company.id, ` ${company.id}`)).status).toBe(404);
  });
});

describe('ownSubscription (v1 subscriptionId)', () => {
  it('answers the key\'s subscription when absent, empty or named in any case', async () => {
    const { test } = await companyFixture('subscriptions-own', T0);
    for (const value of [undefined, '', test.id, test.id.toUpperCase()]) expect(ownSubscription(test, value, 'query')).toBe(test);
  });

  it('answers 404 for the company\'s other subscription and an unknown one, at the given location', async () => {
    const { test, prod } = await companyFixture('subscriptions-own-404', T0);
    const other = thrown(() => ownSubscription(test, prod.id, 'path'));
    expect(other.status).toBe(404);
    expect(other.message).toBe(`Subscription ${prod.id} was not found.`);
    expect(other.details.parameter).toEqual({ id: 'subscriptionId', location: 'path', value: prod.id });
    expect(thrown(() => ownSubscription(test, 'no-such-subscription', 'query')).details.parameter?.location).toBe('query');
  });
});
