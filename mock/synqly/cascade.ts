import type { AccountRecord, BridgeGroupRecord, IntegrationPointRecord, IntegrationRecord, OrgState, RefreshTokenRecord } from './state.ts';
import { deleteRefreshToken } from './tokens/model.ts';

/**
 * Cascading deletes (DECISIONS "cascades"), in one place so account, integration and
 * integration-point deletes agree:
 * - integration → its RefreshTokens (its own and ad-hoc integration tokens), its integration-owned
 *   credentials, its status and status events;
 * - account → its integrations (as above), bridge groups, account-owned credentials and any status left;
 * - integration point → its integration-point-owned credentials (the delete is refused while
 *   integrations use the point, see integrationPoints/model.ts);
 * - bridge group → its agent credential (kept on the group's record as a hash; the agent's JWT is
 *   void once the group is gone). Integrations routed to the group by id keep their selector: a
 *   bridge delete does not rewrite other resources. Their route is gone; an integration update
 *   that keeps the selector is accepted, a new `id` selector must name a live group.
 * Audit events are history and stay.
 */

function belongsToIntegration(token: RefreshTokenRecord, integration: IntegrationRecord): boolean {
  return (
    token.id === integration.refresh_token_id ||
    (token.owner_type === 'integration' && token.owner_id === integration.id) ||
    token.primary.access.permissions.resource_id === integration.id
  );
}

export function removeIntegrationCascade(org: OrgState, integration: IntegrationRecord): void {
  for (const token of org.refreshTokens.all()) if (belongsToIntegration(token, integration)) deleteRefreshToken(org, token);
  for (const c of org.credentials.all()) if (c.owner_type === 'integration' && c.owner_id === integration.id) org.credentials.delete(c.id);
  org.statuses.delete(integration.id);
  for (const e of org.statusEvents.all()) if (e.integration_id === integration.id) org.statusEvents.delete(e.id);
  org.integrations.delete(integration.id);
}

export function removeAccountCascade(org: OrgState, account: AccountRecord): void {
  for (const integration of org.integrations.all()) if (integration.account_id === account.id) removeIntegrationCascade(org, integration);
  for (const bridge of org.bridges.all()) if (bridge.account_id === account.id) removeBridgeCascade(org, bridge);
  for (const c of org.credentials.all()) if (c.owner_type === 'account' && c.owner_id === account.id) org.credentials.delete(c.id);
  for (const s of org.statuses.all()) if (s.account_id === account.id) org.statuses.delete(s.id);
  for (const e of org.statusEvents.all()) if (e.account_id === account.id) org.statusEvents.delete(e.id);
  org.accounts.delete(account.id);
}

export function removeIntegrationPointCascade(org: OrgState, point: IntegrationPointRecord): void {
  for (const c of org.credentials.all()) if (c.owner_type === 'integration_point' && c.owner_id === point.id) org.credentials.delete(c.id);
  org.integrationPoints.delete(point.id);
}

export function removeBridgeCascade(org: OrgState, bridge: BridgeGroupRecord): void {
  org.bridges.delete(bridge.id);
}
