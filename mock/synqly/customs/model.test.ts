import { describe, expect, it } from 'vitest';
import { apiError, orgFixture, rejected, T0 } from '../model-testing.ts';
import type { IntegrationRecord } from '../state.ts';
import { createCustom, deleteCustom, getCustom, listCustoms, updateCustom } from './model.ts';

const DEF = 'name: assets\nendpoints:\n  default:\n    url: https://assets.example\n';

describe('custom provider definitions', () => {
  it('creates, lists without data, gets with data by id or name, updates and deletes', async () => {
    const { write, env, org, organization } = await orgFixture();
    const c = await write((o) => createCustom(o, { fullname: 'Acme Assets', data: DEF }, env));
    expect(c).toMatchObject({ name: 'acme-assets', fullname: 'Acme Assets', organization_id: organization.id, data: DEF });
    const listed = listCustoms(org(), { total: true });
    expect(listed.total).toBe(1);
    expect(listed.items[0]).not.toHaveProperty('data');
    expect(getCustom(org(), 'ACME-ASSETS').id).toBe(c.id);
    const next = await write((o) => updateCustom(o, c.id, { ...c, fullname: 'Assets', organization_id: 'forged', created_at: '2020-01-01T00:00:00Z' }, { ...env, nowMs: T0 + 9 }));
    expect(next).toMatchObject({ fullname: 'Assets', organization_id: organization.id, created_at: c.created_at, updated_at: new Date(T0 + 9).toISOString() });
    await write((o) => deleteCustom(o, c.name));
    expect(apiError(() => getCustom(org(), c.id)).status).toBe(404);
  });

  it('refuses data that is not a YAML mapping (400 at /data), a taken name (409), a body id of another (400); nothing stored', async () => {
    const { store, write, env } = await orgFixture();
    // an alias to no anchor parses but throws only when resolved (fuzz seed 1352242024 found it as a 500)
    for (const data of ['- a\n- b', 'just text', 'a: [unclosed', '', "*!-oi|6'", 'a: *nowhere']) {
      expect((await rejected(store, () => write((o) => createCustom(o, { name: 'x', data }, env)))).details.parameter?.id).toBe('/data');
    }
    const c = await write((o) => createCustom(o, { name: 'one', data: DEF }, env));
    expect((await rejected(store, () => write((o) => createCustom(o, { name: 'one', data: DEF }, env)))).status).toBe(409);
    // names are lowercase (decisions.yaml: an upper-case name is refused, not folded)
    expect((await rejected(store, () => write((o) => createCustom(o, { name: 'ONE', data: DEF }, env)))).status).toBe(400);
    expect((await rejected(store, () => write((o) => updateCustom(o, c.id, { ...c, id: 'other' }, env)))).status).toBe(400);
  });

  it('answers 409 to a delete while an integration runs the definition', async () => {
    const { store, write, env, prod } = await orgFixture();
    const c = await write((o) => createCustom(o, { name: 'one', data: DEF }, env));
    const user = { id: 'i1', name: 'runner', account_id: prod.id, provider_config: { type: 'custom_synqly', custom_id: c.id } } as unknown as IntegrationRecord;
    await write((o) => o.integrations.put(user));
    expect((await rejected(store, () => write((o) => deleteCustom(o, c.id)))).status).toBe(409);
  });
});
