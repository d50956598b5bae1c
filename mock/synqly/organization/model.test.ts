import { describe, expect, it } from 'vitest';
import { apiError } from '../model-testing.ts';
import { createRandom } from '../../core/random.ts';
import { Store } from '../../core/store/store.ts';
import { orgState, ORGANIZATIONS, SECRET_INDEX, type OrganizationRecord } from '../state.ts';
import { resolveBearer } from '../tokens/model.ts';
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  organizationView,
  paymentRequiredReason,
  setOrganizationState,
  updateOrganization,
  type UpdateOrganizationRequest,
} from './model.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const env = (seed = 1, nowMs = T0) => ({ nowMs, random: createRandom(seed) });

async function setup() {
  const store = await Store.open();
  const e = env();
  const root = await store.transact((tx) => createOrganization(tx, { name: 'acme', fullname: 'Acme Corp' }, e));
  return { store, e, root };
}

function putBody(org: OrganizationRecord, changes: Partial<UpdateOrganizationRequest> = {}): UpdateOrganizationRequest {
  return { ...(organizationView(org) as UpdateOrganizationRequest), ...changes };
}

describe('createOrganization', () => {
  it('makes a root organization with an administrator token that authenticates', async () => {
    const { store, root } = await setup();
    expect(root.organization).toMatchObject({ name: 'acme', fullname: 'Acme Corp', organization_type: 'root', reply_to: 'no-reply@synqly.com' });
    expect(root.organization.parent_id).toBeUndefined();
    const resolved = resolveBearer(store.reader, root.token.access.secret, T0);
    expect(resolved.ok && resolved.organization.id).toBe(root.organization.id);
    expect(root.token.access.permissions.role_binding).toEqual(['administrator']);
  });

  it('makes a standard sub-organization whose token names its parent token and root', async () => {
    const { store, e, root } = await setup();
    const sub = await store.transact((tx) =>
      createOrganization(tx, { name: 'acme-emea', parent_id: root.organization.id, parent_token_id: root.organization.refresh_token_id }, e),
    );
    expect(sub.organization).toMatchObject({ organization_type: 'standard', parent_id: root.organization.id });
    expect(sub.token.access.permissions).toMatchObject({
      organization_id: sub.organization.id,
      parent_id: root.organization.refresh_token_id,
      root_organization_id: root.organization.id,
      resource_type: 'organization',
    });
    const grand = await store.transact((tx) => createOrganization(tx, { name: 'acme-emea-de', parent_id: sub.organization.id }, e));
    expect(grand.token.access.permissions.root_organization_id).toBe(root.organization.id);
  });

  it('refuses a duplicate organization name (also one derived from a fullname) and an unknown parent', async () => {
    const { store, e } = await setup();
    expect(apiError(() => store.transact((tx) => createOrganization(tx, { fullname: 'ACME' }, e)))).toMatchObject({ status: 409 });
    expect(apiError(() => store.transact((tx) => createOrganization(tx, { name: 'x', parent_id: 'nope' }, e)))).toMatchObject({ status: 404 });
  });
});

describe('organizationView', () => {
  it('keeps the twin-internal parent_id out of the API shape', async () => {
    const { store, e, root } = await setup();
    const sub = await store.transact((tx) => createOrganization(tx, { name: 'child', parent_id: root.organization.id }, e));
    expect(organizationView(sub.organization)).not.toHaveProperty('parent_id');
    expect(organizationView(sub.organization).id).toBe(sub.organization.id);
  });
});

describe('updateOrganization', () => {
  it('replaces the writable fields, keeps the stored ones and stamps updated_at', async () => {
    const { store, root } = await setup();
    const later = env(2, T0 + 60_000);
    const withContact = await store.transact((tx) =>
      updateOrganization(orgState(tx, root.organization.id), putBody(root.organization, { contact: 'sec@acme.com', options: { minimum_password_length: 12 } }), later),
    );
    expect(withContact).toMatchObject({ contact: 'sec@acme.com', options: { minimum_password_length: 12 }, updated_at: new Date(T0 + 60_000).toISOString() });
    const replaced = await store.transact((tx) =>
      updateOrganization(
        orgState(tx, root.organization.id),
        putBody(withContact, {
          fullname: 'Acme Corporation',
          contact: undefined,
          options: undefined,
          refresh_token_id: 'forged',
          created_at: '2000-01-01T00:00:00Z',
        }),
        later,
      ),
    );
    expect(replaced.fullname).toBe('Acme Corporation');
    expect(replaced).not.toHaveProperty('contact');
    expect(replaced).not.toHaveProperty('options');
    expect(replaced.refresh_token_id).toBe(root.organization.refresh_token_id);
    expect(replaced.created_at).toBe(root.organization.created_at);
    expect(getOrganization(orgState(store.reader, root.organization.id)).fullname).toBe('Acme Corporation');
  });

  it('refuses to change state, end_date or organization_type, but accepts them repeated', async () => {
    const { store, e, root } = await setup();
    const state = orgState(store.reader, root.organization.id);
    expect(apiError(() => updateOrganization(state, putBody(root.organization, { state: 'disabled' }), e))).toMatchObject({ status: 400 });
    expect(apiError(() => updateOrganization(state, putBody(root.organization, { end_date: '2027-01-01' }), e))).toMatchObject({ status: 400 });
    expect(apiError(() => updateOrganization(state, putBody(root.organization, { organization_type: 'standard' }), e)).details.parameter).toMatchObject({
      id: '/organization_type',
    });
    const same = await store.transact((tx) => updateOrganization(orgState(tx, root.organization.id), putBody(root.organization, { state: 'enabled' }), e));
    expect(same).not.toHaveProperty('state');
  });

  it('answers 400 for another id, 409 for a name another organization has, 400 for options out of range', async () => {
    const { store, e, root } = await setup();
    await store.transact((tx) => createOrganization(tx, { name: 'globex' }, e));
    const state = orgState(store.reader, root.organization.id);
    expect(apiError(() => updateOrganization(state, putBody(root.organization, { id: 'other' }), e))).toMatchObject({ status: 400 });
    expect(apiError(() => updateOrganization(state, putBody(root.organization, { name: 'Globex' }), e))).toMatchObject({ status: 409 });
    const tooShort = apiError(() => updateOrganization(state, putBody(root.organization, { options: { invite_duration: '1h' } }), e));
    expect(tooShort.details.parameter).toMatchObject({ id: '/options/invite_duration' });
    expect(apiError(() => updateOrganization(state, putBody(root.organization, { options: { password_duration: '9000h' } }), e)).status).toBe(400);
    expect(getOrganization(orgState(store.reader, root.organization.id)).name).toBe('acme');
  });
});

describe('setOrganizationState (the private API)', () => {
  it('disables, sets pov with an end date, and enables again by clearing the state', async () => {
    const { store, root } = await setup();
    const disabled = await store.transact((tx) => setOrganizationState(tx, 'acme', { state: 'disabled' }, T0));
    expect(disabled.state).toBe('disabled');
    const pov = await store.transact((tx) => setOrganizationState(tx, root.organization.id, { state: 'pov', end_date: '2026-12-31' }, T0));
    expect(pov).toMatchObject({ state: 'pov', end_date: '2026-12-31' });
    const enabled = await store.transact((tx) => setOrganizationState(tx, root.organization.id, { state: 'enabled' }, T0));
    expect(enabled).not.toHaveProperty('state');
    expect(enabled).not.toHaveProperty('end_date');
  });

  it('refuses an end_date for disabled and an unknown organization', async () => {
    const { store } = await setup();
    expect(apiError(() => store.transact((tx) => setOrganizationState(tx, 'acme', { state: 'disabled', end_date: '2026-12-31' }, T0)))).toMatchObject({ status: 400 });
    expect(apiError(() => store.transact((tx) => setOrganizationState(tx, 'nope', { state: 'disabled' }, T0)))).toMatchObject({ status: 404 });
  });
});

describe('paymentRequiredReason (402, contract §1.7)', () => {
  const org = (state: OrganizationRecord['state'], end_date?: string) => ({ name: 'acme', state, ...(end_date !== undefined ? { end_date } : {}) });
  const at = (iso: string) => Date.parse(iso);

  it('a plg date-only end_date works through that whole UTC day and blocks from the next day', () => {
    const plg = org('plg', '2026-11-26');
    expect(paymentRequiredReason(plg, at('2026-11-26T00:00:00Z'))).toBeUndefined();
    expect(paymentRequiredReason(plg, at('2026-11-26T15:50:00Z'))).toBeUndefined();
    expect(paymentRequiredReason(plg, at('2026-11-26T23:59:59.999Z'))).toBeUndefined();
    expect(paymentRequiredReason(plg, at('2026-11-27T00:00:00Z'))).toMatch(/plg period ended on 2026-11-26/);
  });

  it('a plg date-time end_date blocks strictly after that instant', () => {
    const plg = org('plg', '2026-11-26T12:00:00Z');
    expect(paymentRequiredReason(plg, at('2026-11-26T12:00:00Z'))).toBeUndefined();
    expect(paymentRequiredReason(plg, at('2026-11-26T12:00:00.001Z'))).toMatch(/ended/);
  });

  it('disabled always blocks; enabled, pov and plg without end_date never do', () => {
    expect(paymentRequiredReason(org('disabled'), T0)).toMatch(/acme is disabled/);
    for (const o of [org(undefined), org('pov', '2020-01-01'), org('plg'), org('plg', 'not a date')]) expect(paymentRequiredReason(o, T0)).toBeUndefined();
  });
});

describe('deleteOrganization', () => {
  it('removes the organization, its sub-organizations, their partitions and their token secrets', async () => {
    const { store, e, root } = await setup();
    const sub = await store.transact((tx) => createOrganization(tx, { name: 'sub', parent_id: root.organization.id }, e));
    const grand = await store.transact((tx) => createOrganization(tx, { name: 'grand', parent_id: sub.organization.id }, e));
    const other = await store.transact((tx) => createOrganization(tx, { name: 'other' }, e));
    await store.transact((tx) => deleteOrganization(tx, root.organization.id));
    const ids = store.reader.values<OrganizationRecord>(ORGANIZATIONS).map((o) => o.id);
    expect(ids).toEqual([other.organization.id]);
    for (const gone of [root, sub, grand]) {
      expect(store.reader.collections(`synqly/org/${gone.organization.id}/`)).toEqual([]);
      expect(resolveBearer(store.reader, gone.token.access.secret, T0).ok).toBe(false);
    }
    expect(store.reader.count(SECRET_INDEX)).toBe(2);
    expect(resolveBearer(store.reader, other.token.access.secret, T0).ok).toBe(true);
  });
});
