import { ApiError } from '../core/errors.ts';
import { createRandom } from '../core/random.ts';
import { Store } from '../core/store/store.ts';
import { createCompany } from './company/model.ts';
import type { ModelEnv } from '../core/model-env.ts';
import { saveIntegration, type SaveMode } from './integrations/model.ts';
import type { IntegrationInput } from './integrations/types.ts';
import { companyState, type CompanyState, type SubscriptionRecord } from './state.ts';

/** Shared set-up for the model unit tests of the Connxio families: a memory store with one company (Contoso) of two subscriptions, test and prod. */

export async function companyFixture(seed: string, nowMs: number) {
  const store = await Store.open();
  const env: ModelEnv = { nowMs, random: createRandom(seed) };
  const { company, subscriptions } = await store.transact((tx) => createCompany(tx, { name: 'Contoso', subscriptions: ['test', 'prod'] }, env));
  const [test, prod] = subscriptions;
  /** one transaction against the company; a model error rejects the promise and writes nothing */
  const write = async <R>(fn: (c: CompanyState) => R): Promise<R> => store.transact((tx) => fn(companyState(tx, company.id)));
  const read = (): CompanyState => companyState(store.reader, company.id);
  /** saves an integration as an API key of the subscription would, answering the stored integration */
  const save = (subscription: SubscriptionRecord, body: IntegrationInput, mode: SaveMode = 'validate') =>
    write((c) => saveIntegration(c, { subscription, actor: 'test' }, body, env, { mode }).integration);
  return { store, env, company, subscriptions, test, prod, write, read, save };
}

/** a valid integration request of the subscription: Api-triggered, enabled, one sub-integration that discards; overrides replace whole fields */
export function integrationRequest(subscriptionId: string, overrides: Partial<IntegrationInput> = {}): IntegrationInput {
  return {
    transactionType: 'Order',
    sender: 'Webshop',
    receiver: 'ERP',
    messageInboundFormat: 'json',
    messageInboundEncoding: 'utf-8',
    subscriptionId,
    enabled: true,
    inboundConnection: { adapterType: 'Api', connectionProperties: null },
    subIntegrations: [{ subIntegrationId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', outboundConnections: [{ adapterType: 'Discard' }], messageOutboundFormat: 'json', enabled: true }],
    ...overrides,
  };
}

/** runs fn and returns the ApiError it throws (fails the test when it throws none) */
export function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}
