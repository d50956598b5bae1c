import { ApiError } from '../core/errors.ts';
import { createRandom } from '../core/random.ts';
import { Store } from '../core/store/store.ts';
import { createAccount } from './accounts/model.ts';
import { createOrganization } from './organization/model.ts';
import { orgState, type OrgState } from './state.ts';
import type { ModelEnv } from '../core/model-env.ts';

/** Shared set-up for the model unit tests of the Synqly families: a memory store with one organization. */

export const T0 = Date.parse('2026-03-01T10:00:00Z');

export async function orgFixture(seed = 7) {
  const store = await Store.open();
  const env: ModelEnv = { nowMs: T0, random: createRandom(seed) };
  const { organization, token } = await store.transact((tx) => createOrganization(tx, { name: `org-${seed}` }, env));
  const org = (): OrgState => orgState(store.reader, organization.id);
  const write = <R>(fn: (o: OrgState) => R): Promise<R> => store.transact((tx) => fn(orgState(tx, organization.id)));
  const prod = await write((o) => createAccount(o, { name: 'acme-prod', environment: 'prod' }, env));
  const test = await write((o) => createAccount(o, { name: 'acme-test', environment: 'test' }, env));
  return { store, env, organization, orgToken: token, org, write, prod, test };
}

/** runs fn and returns the ApiError it throws (fails the test when it throws none) */
export function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

/** the same, for a store transaction: the error, and proof that nothing was written */
export async function rejected(store: Store, fn: () => Promise<unknown>): Promise<ApiError> {
  const before = JSON.stringify(store.exportDocument().collections);
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  if (!(caught instanceof ApiError)) throw caught ?? new Error('expected an ApiError');
  if (JSON.stringify(store.exportDocument().collections) !== before) throw new Error('a failed transaction changed the store');
  return caught;
}
