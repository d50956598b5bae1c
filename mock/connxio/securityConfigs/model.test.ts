import { describe, expect, it } from 'vitest';
import { companyFixture, thrown } from '../model-testing.ts';
import { companyState } from '../state.ts';
import { deleteSecurityConfig, getSecurityConfig, listSecurityConfigs, upsertSecurityConfig, type SecurityConfigRequest } from './model.ts';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');

const setup = () => companyFixture('security-test', T0);

const basic: SecurityConfigRequest = {
  id: 'e1f2a3b4-c5d6-4e7f-9a8b-7c6d5e4f3a2b',
  name: 'ERP basic auth',
  isGlobal: true,
  securityType: 0,
  globalSecurityProperties: { authenticationType: 'Basic', userName: 'svc', password: 'p@ss', tokenUrl: 'https://idp.example.test/token' },
  securityProperties: null,
};

describe('security configurations model', () => {
  it('stores a global configuration with the server fields; secrets become key-store references and are never returned', async () => {
    const t = await setup();
    const { config, created } = await t.write((c) => upsertSecurityConfig(c, basic, 'ci key', t.env));
    expect(created).toBe(true);
    expect(config).toMatchObject({
      id: basic.id,
      name: 'ERP basic auth',
      isGlobal: true,
      securityType: 0,
      createdBy: 'ci key',
      deletedAtUtc: null,
      cosmosEntityName: 'MessageHub.Models.Security.SecurityConfiguration',
      companyId: t.company.id,
      globalSecurityProperties: { authenticationType: 'Basic', userName: 'svc', tokenUrl: 'https://idp.example.test/token', password: { decryptedValue: null, version: '1' } },
    });
    expect(config.eTag).toMatch(/^"[0-9a-f]{8}-0000-0d00-0000-[0-9a-f]{8}0000"$/);
    expect(JSON.stringify(t.read().securityConfigs.get(basic.id))).not.toContain('p@ss');
    expect(JSON.stringify(getSecurityConfig(t.read(), basic.id))).not.toContain('secrets');
    expect(config).not.toHaveProperty('eTagSetter');
  });

  it('never returns eTagSetter (write-only), not even from a record stored while it was kept', async () => {
    const t = await setup();
    await t.write((c) => upsertSecurityConfig(c, basic, 'ci key', t.env));
    await t.write((c) => c.securityConfigs.put({ ...c.securityConfigs.get(basic.id)!, eTagSetter: null } as never));
    expect(getSecurityConfig(t.read(), basic.id)).not.toHaveProperty('eTagSetter');
    expect(listSecurityConfigs(t.read())[0]).not.toHaveProperty('eTagSetter');
  });

  it('re-sending the reference keeps the secret version; a new value bumps it; the eTag changes on every write', async () => {
    const t = await setup();
    const first = (await t.write((c) => upsertSecurityConfig(c, basic, 'ci', t.env))).config;
    const ref = (first.globalSecurityProperties as Record<string, unknown>).password;
    const roundTrip = await t.write((c) => upsertSecurityConfig(c, { ...basic, globalSecurityProperties: { ...basic.globalSecurityProperties, password: ref } }, 'ci', t.env));
    expect((roundTrip.config.globalSecurityProperties as Record<string, { version: string }>).password.version).toBe('1');
    expect(roundTrip.created).toBe(false);
    expect(roundTrip.config.eTag).not.toBe(first.eTag);
    const same = await t.write((c) => upsertSecurityConfig(c, basic, 'ci', t.env));
    expect((same.config.globalSecurityProperties as Record<string, { version: string }>).password.version).toBe('1');
    const rotated = await t.write((c) => upsertSecurityConfig(c, { ...basic, globalSecurityProperties: { ...basic.globalSecurityProperties, password: { decryptedValue: 'new', name: null, version: null } } }, 'ci', t.env));
    expect((rotated.config.globalSecurityProperties as Record<string, { version: string }>).password.version).toBe('2');
    expect(rotated.config.createdAtUtc).toBe(first.createdAtUtc);
    expect(listSecurityConfigs(t.read())).toHaveLength(1);
  });

  it('per-subscription configurations need values for known subscriptions of the company', async () => {
    const t = await setup();
    const { config } = await t.write((c) => upsertSecurityConfig(c, { id: 'per-sub', name: 'SFTP', isGlobal: false, securityType: 2, securityProperties: { [t.prod.id]: { host: 'sftp.example.test', password: 'x' } } }, 'ci', t.env));
    expect(config.securityProperties![t.prod.id]).toMatchObject({ host: 'sftp.example.test', password: { decryptedValue: null } });
    const attempt = (input: SecurityConfigRequest) => thrown(() => t.store.transact((tx) => upsertSecurityConfig(companyState(tx, t.company.id), input, 'ci', t.env)));
    expect(attempt({ id: 'x', name: 'X', isGlobal: false, securityType: 2 }).details.extra?.errors).toHaveProperty('SecurityProperties');
    expect(attempt({ id: 'x', name: 'X', isGlobal: true, securityType: 2 }).details.extra?.errors).toHaveProperty('GlobalSecurityProperties');
    expect(attempt({ id: 'x', name: ' ', isGlobal: false, securityType: 2, securityProperties: { 'f0000000-0000-4000-8000-000000000000': {} } }).details.extra?.errors).toEqual({
      Name: ['The Name field is required.'],
      'SecurityProperties[f0000000-0000-4000-8000-000000000000]': ['The subscription f0000000-0000-4000-8000-000000000000 does not belong to this company.'],
    });
    expect(listSecurityConfigs(t.read()).map((c) => c.id)).toEqual(['per-sub']);
  });

  it('get and delete answer 400 for an unknown id', async () => {
    const t = await setup();
    await t.write((c) => upsertSecurityConfig(c, basic, 'ci', t.env));
    const deleted = await t.write((c) => deleteSecurityConfig(c, basic.id));
    expect(deleted.id).toBe(basic.id);
    expect(thrown(() => getSecurityConfig(t.read(), basic.id)).status).toBe(400);
    expect(thrown(() => t.store.transact((tx) => deleteSecurityConfig(companyState(tx, t.company.id), basic.id))).status).toBe(400);
  });
});
