import { describe, expect, it } from 'vitest';
import { apiError } from '../model-testing.ts';
import { createRandom } from '../../core/random.ts';
import { Store } from '../../core/store/store.ts';
import { createAccount } from '../accounts/model.ts';
import { createOrganization } from '../organization/model.ts';
import { orgState } from '../state.ts';
import { resolveBearer } from '../tokens/model.ts';
import { createdSubOrgView, createSubOrg, deleteSubOrg, getSubOrg, listSubOrgs } from './model.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

async function setup() {
  const store = await Store.open();
  const env = { nowMs: T0, random: createRandom(5) };
  const parent = await store.transact((tx) => createOrganization(tx, { name: 'acme' }, env));
  const other = await store.transact((tx) => createOrganization(tx, { name: 'globex' }, env));
  return { store, env, parent, other };
}

describe('sub-organizations', () => {
  it('creates an isolated organization with its own working token, seen only by its parent', async () => {
    const { store, env, parent, other } = await setup();
    const created = await store.transact((tx) =>
      createSubOrg(tx, parent.organization, parent.organization.refresh_token_id, { name: 'acme-emea', fullname: 'Acme EMEA', contact: 'emea@acme.com' }, env),
    );
    const view = createdSubOrgView(created);
    expect(view.organization).toMatchObject({ name: 'acme-emea', fullname: 'Acme EMEA', contact: 'emea@acme.com', organization_type: 'standard' });
    expect(view.organization).not.toHaveProperty('parent_id');
    expect(view.token.access.permissions).toMatchObject({ organization_id: created.organization.id, parent_id: parent.organization.refresh_token_id, root_organization_id: parent.organization.id });
    const resolved = resolveBearer(store.reader, view.token.access.secret, T0);
    expect(resolved.ok && resolved.organization.id).toBe(created.organization.id);

    // isolation: data of the sub-organization is its own
    await store.transact((tx) => createAccount(orgState(tx, created.organization.id), { name: 'emea-prod' }, env));
    expect(orgState(store.reader, parent.organization.id).accounts.count()).toBe(0);

    expect(listSubOrgs(store.reader, parent.organization.id).map((o) => o.name)).toEqual(['acme-emea']);
    expect(listSubOrgs(store.reader, other.organization.id)).toEqual([]);
    expect(getSubOrg(store.reader, parent.organization.id, 'ACME-EMEA').id).toBe(created.organization.id);
    expect(apiError(() => getSubOrg(store.reader, other.organization.id, created.organization.id)).status).toBe(404);
    // an organization is not its own sub-organization, nor is an unrelated one
    expect(apiError(() => getSubOrg(store.reader, parent.organization.id, parent.organization.id)).status).toBe(404);
    expect(apiError(() => getSubOrg(store.reader, parent.organization.id, 'globex')).status).toBe(404);
  });

  it('refuses a name any organization already has (409)', async () => {
    const { store, env, parent } = await setup();
    expect(apiError(() => store.transact((tx) => createSubOrg(tx, parent.organization, 'x', { name: 'globex' }, env))).status).toBe(409);
  });

  it('deletes the whole sub-organization: its data, its token and its own sub-organizations', async () => {
    const { store, env, parent, other } = await setup();
    const sub = await store.transact((tx) => createSubOrg(tx, parent.organization, 't', { name: 'sub' }, env));
    const grand = await store.transact((tx) => createSubOrg(tx, sub.organization, 't', { name: 'grand' }, env));
    await store.transact((tx) => createAccount(orgState(tx, sub.organization.id), { name: 'a' }, env));
    expect(apiError(() => store.transact((tx) => deleteSubOrg(tx, other.organization.id, 'sub'))).status).toBe(404);
    await store.transact((tx) => deleteSubOrg(tx, parent.organization.id, 'sub'));
    expect(listSubOrgs(store.reader, parent.organization.id)).toEqual([]);
    expect(store.reader.collections(`synqly/org/${sub.organization.id}/`)).toEqual([]);
    expect(resolveBearer(store.reader, sub.token.access.secret, T0).ok).toBe(false);
    expect(resolveBearer(store.reader, grand.token.access.secret, T0).ok).toBe(false);
    expect(resolveBearer(store.reader, parent.token.access.secret, T0).ok).toBe(true);
  });
});
