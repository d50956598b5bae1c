import { errors } from '../../core/errors.ts';
import type { CompanyState } from '../state.ts';
import { integrationView } from './normalise.ts';
import type { IntegrationRecord } from './types.ts';

/** The integration `id` of the given subscription, or undefined (other subscriptions' ids too). */
export function findIntegration(company: CompanyState, subscriptionId: string, id: string): IntegrationRecord | undefined {
  const found = company.integrations.get(id) ?? company.integrations.get(id.toLowerCase());
  return found && found.subscriptionId === subscriptionId ? integrationView(found) : undefined;
}

export function requireIntegration(company: CompanyState, subscriptionId: string, id: string): IntegrationRecord {
  const found = findIntegration(company, subscriptionId, id);
  if (!found) throw errors.notFound(`Integration ${id} was not found.`, { parameter: { id: 'id', location: 'path', value: id } });
  return found;
}

/** Every integration of the subscription, enabled or not, oldest first. */
export function listIntegrations(company: CompanyState, subscriptionId: string): IntegrationRecord[] {
  return company.integrations
    .all()
    .filter((i) => i.subscriptionId === subscriptionId)
    .map(integrationView)
    .sort((a, b) => a.createdAtUtc.localeCompare(b.createdAtUtc) || a.id.localeCompare(b.id));
}

/** Does any integration of the company (any subscription) reference this code component id? */
export function integrationsUsingComponent(company: CompanyState, componentId: string): IntegrationRecord[] {
  const escaped = componentId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const token = new RegExp(`(^|[^A-Za-z0-9-])${escaped}($|[^A-Za-z0-9-])`, 'i');
  return company.integrations.all().filter((integration) => {
    const adapters = [integration.inboundConnection, ...integration.subIntegrations.flatMap((s) => s.outboundConnections)];
    if (adapters.some((a) => a.ackOptions?.transformationId && a.ackOptions.transformationId.toLowerCase() === componentId.toLowerCase())) return true;
    return integration.subIntegrations.some((s) => s.transformations.some((t) => token.test(t.properties ?? '')));
  });
}
