import { describe, expect, it } from 'vitest';
import { ApiError } from '../../core/errors.ts';
import { createRandom } from '../../core/random.ts';
import { Store, type Tx } from '../../core/store/store.ts';
import { accessOf } from '../access.ts';
import { createOrganization } from '../organization/model.ts';
import { orgState, type OrgState } from '../state.ts';
import { createAdhocToken, type TokenCaller } from './create.ts';
import { deleteRefreshToken, issueRefreshToken, refreshTokenView, removeSecondaryPair, resetRefreshToken, resolveBearer, rotateRefreshToken } from './model.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-01T12:00:00Z');

async function setup() {
  const store = await Store.open();
  const random = createRandom('tokens-model');
  const env = (nowMs = T0) => ({ nowMs, random });
  const { organization, token } = await store.transact((tx) => createOrganization(tx, { name: 'acme' }, env()));
  const org = (tx: Tx = store.reader): OrgState => orgState(tx, organization.id);
  return { store, env, organization, adminSecret: token.access.secret, org };
}

describe('token lifecycle (model)', () => {
  it('rotate keeps the old primary valid as secondary; the next rotate and remove-secondary end it', async () => {
    const { store, env, org } = await setup();
    const { record, pair } = await store.transact((tx) =>
      issueRefreshToken(org(tx), { ownerId: 'integ-1', ownerType: 'integration', kind: 'integration', tokenType: 'default', ttlMs: HOUR, expiresMs: 24 * HOUR }, env()),
    );
    const first = await store.transact((tx) => rotateRefreshToken(org(tx), org(tx).refreshTokens.get(record.id)!, env(T0 + 1000)));
    const old = resolveBearer(store.reader, pair.access.secret, T0 + 2000);
    expect(old.ok && old.slot).toBe('secondary');
    expect(resolveBearer(store.reader, first.pair.access.secret, T0 + 2000).ok).toBe(true);
    expect(first.record.expires).toBe(record.expires);

    const second = await store.transact((tx) => rotateRefreshToken(org(tx), org(tx).refreshTokens.get(record.id)!, env(T0 + 3000)));
    expect(resolveBearer(store.reader, pair.access.secret, T0 + 4000)).toEqual({ ok: false, reason: 'unknown' });
    expect(resolveBearer(store.reader, first.pair.access.secret, T0 + 4000).ok).toBe(true);

    await store.transact((tx) => removeSecondaryPair(org(tx), org(tx).refreshTokens.get(record.id)!, env(T0 + 5000)));
    expect(resolveBearer(store.reader, first.pair.access.secret, T0 + 6000).ok).toBe(false);
    expect(resolveBearer(store.reader, second.pair.access.secret, T0 + 6000).ok).toBe(true);
  });

  it('reset invalidates both pairs at once and restarts the lifetime from the clock', async () => {
    const { store, env, org } = await setup();
    const { record, pair } = await store.transact((tx) =>
      issueRefreshToken(org(tx), { ownerId: 'o', ownerType: 'organization', kind: 'organization', tokenType: 'adhoc', ttlMs: HOUR, expiresMs: 2 * HOUR }, env()),
    );
    const rotated = await store.transact((tx) => rotateRefreshToken(org(tx), org(tx).refreshTokens.get(record.id)!, env(T0 + HOUR / 2)));
    const reset = await store.transact((tx) => resetRefreshToken(org(tx), org(tx).refreshTokens.get(record.id)!, env(T0 + HOUR)));
    for (const secret of [pair.access.secret, pair.refresh.secret, rotated.pair.access.secret, rotated.pair.refresh.secret]) {
      expect(resolveBearer(store.reader, secret, T0 + HOUR).ok).toBe(false);
    }
    expect(reset.record.secondary).toBeUndefined();
    expect(reset.record.expires).toBe(new Date(T0 + 3 * HOUR).toISOString());
    expect(resolveBearer(store.reader, reset.pair.access.secret, T0 + HOUR + 1).ok).toBe(true);
  });

  it('expiry is judged against the time it is given: access after token_ttl, everything after expires', async () => {
    const { store, env, org } = await setup();
    const { pair } = await store.transact((tx) =>
      issueRefreshToken(org(tx), { ownerId: 'o', ownerType: 'organization', kind: 'organization', tokenType: 'logon', ttlMs: HOUR, expiresMs: 24 * HOUR }, env()),
    );
    expect(resolveBearer(store.reader, pair.access.secret, T0 + HOUR - 1).ok).toBe(true);
    expect(resolveBearer(store.reader, pair.access.secret, T0 + HOUR)).toEqual({ ok: false, reason: 'expired' });
    expect(resolveBearer(store.reader, pair.refresh.secret, T0 + HOUR).ok).toBe(true);
    expect(resolveBearer(store.reader, pair.refresh.secret, T0 + 24 * HOUR)).toEqual({ ok: false, reason: 'expired' });
  });

  it('stores only hashes, returns secrets only when just issued, and never shows twin bookkeeping', async () => {
    const { store, env, org } = await setup();
    const { record, pair } = await store.transact((tx) =>
      issueRefreshToken(org(tx), { ownerId: 'o', ownerType: 'organization', kind: 'organization', tokenType: 'adhoc', ttlMs: HOUR, onlyActions: ['auth.change_password'] }, env()),
    );
    expect(JSON.stringify(store.exportDocument())).not.toContain(pair.access.secret);
    const shown = refreshTokenView(record, { primary: pair });
    expect(shown.primary.access.secret).toBe(pair.access.secret);
    expect(refreshTokenView(record).primary.access.secret).toBe('');
    expect(Object.keys(shown)).not.toEqual(expect.arrayContaining(['kind']));
    for (const internal of ['kind', 'lifetime', 'only_actions', 'mcp_scope', 'adhoc_limits']) expect(shown).not.toHaveProperty(internal);
    await store.transact((tx) => deleteRefreshToken(org(tx), record));
    expect(resolveBearer(store.reader, pair.access.secret, T0).ok).toBe(false);
  });
});

describe('createAdhocToken', () => {
  async function caller(ctx: Awaited<ReturnType<typeof setup>>, secret: string): Promise<TokenCaller> {
    const r = resolveBearer(ctx.store.reader, secret, T0);
    if (!r.ok) throw new Error('caller secret invalid');
    return { token: r.token, access: accessOf(ctx.store.reader, ctx.organization.id, r.token), secretExpiresMs: Date.parse(r.token[r.slot]![r.part].expires) };
  }

  it('carries the parent chain, caps the lifetime and refuses to widen (403, nothing stored)', async () => {
    const ctx = await setup();
    const { store, env, org } = ctx;
    const admin = await caller(ctx, ctx.adminSecret);
    const parent = await store.transact((tx) => createAdhocToken(org(tx), admin, { resources: { accounts: { ids: ['*'], environments: ['test'] } }, permission_set: 'administrator', token_ttl: '1h' }, env()));
    const parentCaller = await caller(ctx, parent.pair.access.secret);
    const child = await store.transact((tx) => createAdhocToken(org(tx), parentCaller, { resources: { accounts: { ids: ['*'], environments: ['test'] } }, permission_set: 'viewer', token_ttl: '48h' }, env()));
    expect(Date.parse(child.record.expires)).toBe(T0 + HOUR);
    expect(child.record.adhoc_limits).toEqual([{ resources: { accounts: { ids: ['*'], environments: ['test'] } }, permission_set: 'administrator' }]);
    expect(child.record.primary.access.permissions).toMatchObject({ parent_id: parent.record.id, role_binding: ['administrator'] });

    const before = org().refreshTokens.count();
    await expect(
      (async () => store.transact((tx) => createAdhocToken(org(tx), parentCaller, { resources: { accounts: { ids: ['*'] } }, permission_set: 'viewer' }, env())))(),
    ).rejects.toSatisfy((e) => e instanceof ApiError && e.status === 403);
    expect(org().refreshTokens.count()).toBe(before);
  });

  it('answers 409 for a duplicate name and 400 for a bad ttl', async () => {
    const ctx = await setup();
    const admin = await caller(ctx, ctx.adminSecret);
    await ctx.store.transact((tx) => createAdhocToken(ctx.org(tx), admin, { name: 'ci', resources: {}, permission_set: 'viewer' }, ctx.env()));
    const attempt = async (input: Parameters<typeof createAdhocToken>[2]) => ctx.store.transact((tx) => createAdhocToken(ctx.org(tx), admin, input, ctx.env()));
    await expect(attempt({ name: 'ci', resources: {}, permission_set: 'viewer' })).rejects.toSatisfy((e) => (e as ApiError).status === 409);
    await expect(attempt({ resources: {}, permission_set: 'viewer', token_ttl: 'soon' })).rejects.toSatisfy((e) => (e as ApiError).status === 400);
  });
});
