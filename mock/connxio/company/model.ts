import { iso, type ModelEnv } from '../../core/model-env.ts';
import type { Tx } from '../../core/store/store.ts';
import { companyState, COMPANIES, type CompanyRecord, type SubscriptionRecord } from '../state.ts';
import { deleteApiKey } from '../apiKeys/model.ts';

/** Creates a company with the given subscriptions (all active). */
export function createCompany(tx: Tx, input: { name: string; subscriptions: string[] }, env: ModelEnv): { company: CompanyRecord; subscriptions: SubscriptionRecord[] } {
  const id = env.random.uuid();
  const state = companyState(tx, id);
  const company: CompanyRecord = { id, name: input.name, created_at: iso(env.nowMs) };
  state.companies.put(company);
  const subscriptions = input.subscriptions.map((name) => {
    const sub: SubscriptionRecord = { id: env.random.uuid(), name, active: true, companyId: id, companyName: input.name };
    state.subscriptions.put(sub);
    return sub;
  });
  return { company, subscriptions };
}

/** Removes a company, its partition and its entries in the global indexes. */
export function deleteCompany(tx: Tx, companyId: string): void {
  const state = companyState(tx, companyId);
  for (const key of state.apiKeys.all()) deleteApiKey(state, key);
  for (const client of state.oauthClients.all()) state.clientIndex.delete(client.id);
  for (const token of state.oauthTokens.all()) if (token.company_id === companyId) state.oauthTokens.delete(token.id);
  for (const name of tx.collections(`connxio/company/${companyId}/`)) tx.drop(name);
  tx.del(COMPANIES, companyId);
}
