import { describe, expect, it } from 'vitest';
import { companyFixture, thrown } from '../model-testing.ts';
import { companyState } from '../state.ts';
import { deleteEnvironmentVariable, getEnvironmentVariable, listEnvironmentVariables, upsertEnvironmentVariable } from './model.ts';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');

const setup = () => companyFixture('env-vars-test', T0);

describe('environment variables model', () => {
  it('creates with a new id, stamps company and times, and upserts by id (created stamps kept)', async () => {
    const t = await setup();
    const { variable, created } = await t.write((c) => upsertEnvironmentVariable(c, { name: 'ErpBaseUrl', defaultValue: 'https://erp-test', subscriptionValues: { [t.prod.id.toUpperCase()]: 'https://erp' } }, 'ci key', t.env));
    expect(created).toBe(true);
    expect(variable).toMatchObject({ name: 'ErpBaseUrl', defaultValue: 'https://erp-test', subscriptionValues: { [t.prod.id]: 'https://erp' }, companyId: t.company.id, createdBy: 'ci key', createdAtUtc: '2026-05-01T10:00:00.000Z' });
    const later = { ...t.env, nowMs: T0 + 1000 };
    const again = await t.write((c) => upsertEnvironmentVariable(c, { id: variable.id, name: 'ErpBaseUrl', defaultValue: 'changed', subscriptionValues: null }, 'other', later));
    expect(again.created).toBe(false);
    expect(again.variable).toMatchObject({ id: variable.id, defaultValue: 'changed', subscriptionValues: null, createdBy: 'ci key', updatedBy: 'other', createdAtUtc: '2026-05-01T10:00:00.000Z', updatedAtUtc: '2026-05-01T10:00:01.000Z' });
    expect(listEnvironmentVariables(t.read())).toHaveLength(1);
    // a given id that does not exist yet creates the variable under that id
    const named = await t.write((c) => upsertEnvironmentVariable(c, { id: 'my-own-id', name: 'Other' }, 'ci', t.env));
    expect(named).toMatchObject({ created: true, variable: { id: 'my-own-id', defaultValue: null } });
    expect(listEnvironmentVariables(t.read()).map((v) => v.name)).toEqual(['ErpBaseUrl', 'Other']);
  });

  it('refuses a missing or brace-holding name, a duplicate name and a foreign subscription, storing nothing', async () => {
    const t = await setup();
    await t.write((c) => upsertEnvironmentVariable(c, { name: 'Taken' }, 'ci', t.env));
    const attempt = (input: Parameters<typeof upsertEnvironmentVariable>[1]) => thrown(() => t.store.transact((tx) => upsertEnvironmentVariable(companyState(tx, t.company.id), input, 'ci', t.env)));
    expect(attempt({ defaultValue: 'x' }).details.extra?.errors).toEqual({ Name: ['The Name field is required.'] });
    expect(attempt({ name: 'a{b}' }).details.extra?.errors).toHaveProperty('Name');
    expect(attempt({ name: 'taken' }).details.extra?.errors).toHaveProperty('Name');
    const foreign = attempt({ name: 'X', subscriptionValues: { 'f0000000-0000-4000-8000-000000000000': 'v' } });
    expect(foreign.status).toBe(400);
    expect(foreign.details.extra?.errors).toHaveProperty(['SubscriptionValues[f0000000-0000-4000-8000-000000000000]']);
    expect(listEnvironmentVariables(t.read())).toHaveLength(1);
  });

  it('get and delete answer 400 for an unknown id; delete removes', async () => {
    const t = await setup();
    const { variable } = await t.write((c) => upsertEnvironmentVariable(c, { name: 'Gone' }, 'ci', t.env));
    expect(getEnvironmentVariable(t.read(), variable.id).name).toBe('Gone');
    await t.write((c) => deleteEnvironmentVariable(c, variable.id));
    const missing = thrown(() => getEnvironmentVariable(t.read(), variable.id));
    expect(missing.status).toBe(400);
    expect(missing.message).toMatch(/was not found/);
    expect(thrown(() => t.store.transact((tx) => deleteEnvironmentVariable(companyState(tx, t.company.id), variable.id))).status).toBe(400);
  });
});
