import { errors } from '../../core/errors.ts';
import type { CompanyState, SubscriptionRecord } from '../state.ts';

/** GET /v2/subscriptions (and the legacy GET /v1/management/subscription) lists every subscription of the key's company (DECISIONS). */
export function listSubscriptions(company: CompanyState): SubscriptionRecord[] {
  return company.subscriptions.all().sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** ASP.NET binds an empty query value or header to null: only a non-empty string names something */
function named(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The legacy v1 management API's optional `companyId` header (contract §1.3, "selects the company
 * context"): absent or empty → the key's company; otherwise it must name the key's company (GUIDs
 * compared ignoring case). Any other company, known or not, is one the key cannot see → 404, as a
 * resource of another subscription is (DECISIONS "auth").
 */
export function assertCompanyContext(keyCompanyId: string, requested: unknown): void {
  const companyId = named(requested);
  if (companyId === undefined || companyId.toLowerCase() === keyCompanyId.toLowerCase()) return;
  throw errors.notFound(`Company ${companyId} was not found.`, { parameter: { id: 'companyId', location: 'header', value: companyId } });
}

/**
 * A v1 `subscriptionId` (the list's query parameter, the delete's path segment): absent or empty →
 * the key's own subscription; otherwise it must be that subscription (ignoring case). Another
 * subscription of the company, or an unknown one, → 404: a key manages only its own subscription.
 */
export function ownSubscription(own: SubscriptionRecord, requested: unknown, location: 'query' | 'path'): SubscriptionRecord {
  const subscriptionId = named(requested);
  if (subscriptionId === undefined || subscriptionId.toLowerCase() === own.id.toLowerCase()) return own;
  throw errors.notFound(`Subscription ${subscriptionId} was not found.`, { parameter: { id: 'subscriptionId', location, value: subscriptionId } });
}
