import type { CompanyState, SubscriptionRecord } from '../state.ts';

/** GET /v2/subscriptions lists every subscription of the key's company (DECISIONS). */
export function listSubscriptions(company: CompanyState): SubscriptionRecord[] {
  return company.subscriptions.all().sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
