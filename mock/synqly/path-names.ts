import { findByIdOrName } from './names.ts';
import type { AccountRecord, BridgeGroupRecord, IntegrationRecord, MemberRecord, OrganizationRecord, OrgState } from './state.ts';

/**
 * What a Management call's path parameters name, resolved by id or name (ignoring case) in the
 * caller's organization. The one reading of `accountId`, `integrationId`, `ownerId`, `bridgeId`,
 * `refreshTokenId` and `memberId`, shared by the permission check (targets.ts) and the audit
 * event (audit/observe.ts). What does not exist is left out.
 */
export interface PathNames {
  /** `{accountId}`, or `{ownerId}` naming an account (with `ownerMayBeAccount`) */
  account?: AccountRecord;
  /** `{integrationId}` (in the path's account), or `{ownerId}` naming an integration */
  integration?: IntegrationRecord;
  /** `{bridgeId}` in the path's account */
  bridge?: BridgeGroupRecord;
  /** `{memberId}` */
  member?: MemberRecord;
  /** the integration whose token `{refreshTokenId}` is */
  tokenIntegration?: IntegrationRecord;
}

export interface PathReading {
  /** `{ownerId}` may name an account (tried before an integration); else it names an integration */
  ownerMayBeAccount?: boolean;
  /**
   * `{integrationId}` is found by id in any account, and by name in any account when the path's
   * account does not exist. The permission check reads it so: it denies what the name could
   * reach before the handler answers 404. Without it, as the handlers look it up: in the path's
   * account only (none when that account does not exist).
   */
  integrationsAcrossAccounts?: boolean;
}

function findIntegration(state: OrgState, idOrName: string, accountId?: string): IntegrationRecord | undefined {
  const candidates = state.integrations.all().filter((i) => accountId === undefined || i.account_id === accountId);
  const lower = idOrName.toLowerCase();
  return candidates.find((i) => i.id === idOrName) ?? candidates.find((i) => i.name.toLowerCase() === lower);
}

/** `{ownerId}` equal to the organization's own id or name names no account or integration */
function namesOrganization(org: OrganizationRecord, idOrName: string): boolean {
  return idOrName === org.id || idOrName.toLowerCase() === org.name.toLowerCase();
}

export function namedInPath(state: OrgState, org: OrganizationRecord, params: Readonly<Record<string, string>>, reading: PathReading = {}): PathNames {
  const named: PathNames = {};
  if (params.accountId !== undefined) named.account = findByIdOrName(state.accounts, params.accountId);
  if (params.integrationId !== undefined) {
    const id = params.integrationId;
    if (reading.integrationsAcrossAccounts) named.integration = state.integrations.get(id) ?? findIntegration(state, id, named.account?.id);
    else if (named.account || params.accountId === undefined) named.integration = findIntegration(state, id, named.account?.id);
  }
  if (params.ownerId !== undefined && !namesOrganization(org, params.ownerId)) {
    const account = reading.ownerMayBeAccount ? findByIdOrName(state.accounts, params.ownerId) : undefined;
    if (account) named.account = account;
    else named.integration = findIntegration(state, params.ownerId);
  }
  if (params.bridgeId !== undefined && named.account) {
    const accountId = named.account.id;
    const bridges = state.bridges.all().filter((b) => b.account_id === accountId);
    const lower = params.bridgeId.toLowerCase();
    named.bridge = bridges.find((b) => b.id === params.bridgeId) ?? bridges.find((b) => b.name.toLowerCase() === lower);
  }
  if (params.refreshTokenId !== undefined) {
    const token = findByIdOrName(state.refreshTokens, params.refreshTokenId);
    if (token?.owner_type === 'integration') named.tokenIntegration = state.integrations.get(token.owner_id);
  }
  if (params.memberId !== undefined) named.member = findByIdOrName(state.members, params.memberId);
  return named;
}
