import type { Tx } from '../core/store/store.ts';
import type { AccountRef, Target } from './access.ts';
import { findByIdOrName } from './names.ts';
import { orgState, ORGANIZATIONS, type IntegrationRecord, type OrganizationRecord, type OrgState } from './state.ts';

/**
 * The resources a call touches, as its permission check sees them (access.ts `Target`). By
 * default they are read from the path parameters (ids or names); a family whose operation needs
 * another reading declares it as the operation's `target` (operation-facts.ts). A resource that
 * does not exist is left out: the handler answers 404 for it.
 */
export interface TargetBuilder {
  readonly tx: Tx;
  readonly org: OrganizationRecord;
  readonly state: OrgState;
  readonly target: Target;
  /**
   * The default reading of `accountId`, `integrationId`, `ownerId` (another organization's id is
   * no owner here: an integration, or with `ownerMayBeAccount` first an account), `refreshTokenId`
   * (an integration's token targets that integration) and `memberId`.
   */
  fromPath(params: Record<string, string>, options?: { ownerMayBeAccount?: boolean }): void;
  /** `idOrName` names the caller's organization or one of its sub-organizations (else it is kept as sent) */
  organization(idOrName: string): void;
  /** the account with this id, when it exists (else just its id) */
  accountById(id: string): void;
  /** the integration with this id and its account, when it exists */
  integrationById(id: string): void;
}

export type TargetReading = (t: TargetBuilder, params: Record<string, string>) => void;

function accountRef(account: AccountRef | undefined): AccountRef | undefined {
  return account ? { id: account.id, name: account.name, environment: account.environment, ...(account.labels ? { labels: account.labels } : {}) } : undefined;
}

function targetBuilder(tx: Tx, org: OrganizationRecord): TargetBuilder {
  const state = orgState(tx, org.id);
  const target: Target = { organizationId: org.id };
  const setIntegration = (integration: IntegrationRecord | undefined) => {
    if (!integration) return;
    target.category = integration.category;
    target.account ??= accountRef(state.accounts.get(integration.account_id)) ?? { id: integration.account_id };
  };
  const findIntegration = (idOrName: string, accountId?: string) => {
    const lower = idOrName.toLowerCase();
    return (
      state.integrations.get(idOrName) ??
      state.integrations.all().find((i) => (accountId === undefined || i.account_id === accountId) && i.name.toLowerCase() === lower)
    );
  };
  return {
    tx,
    org,
    state,
    target,
    fromPath(params, options = {}) {
      if (params.accountId !== undefined) target.account = accountRef(findByIdOrName(state.accounts, params.accountId));
      if (params.integrationId !== undefined) setIntegration(findIntegration(params.integrationId, target.account?.id));
      if (params.ownerId !== undefined && params.ownerId !== org.id && params.ownerId.toLowerCase() !== org.name.toLowerCase()) {
        const account = options.ownerMayBeAccount ? findByIdOrName(state.accounts, params.ownerId) : undefined;
        if (account) target.account = accountRef(account);
        else setIntegration(findIntegration(params.ownerId));
      }
      if (params.refreshTokenId !== undefined) {
        const token = findByIdOrName(state.refreshTokens, params.refreshTokenId);
        if (token?.owner_type === 'integration') setIntegration(state.integrations.get(token.owner_id));
      }
      if (params.memberId !== undefined) {
        const member = findByIdOrName(state.members, params.memberId);
        if (member) target.memberId = member.id;
      }
    },
    organization(idOrName) {
      const lower = idOrName.toLowerCase();
      if (idOrName === org.id || lower === org.name.toLowerCase()) return;
      const sub = tx.values<OrganizationRecord>(ORGANIZATIONS).find((o) => o.parent_id === org.id && (o.id === idOrName || o.name.toLowerCase() === lower));
      target.organizationId = sub?.id ?? idOrName;
    },
    accountById(id) {
      target.account = accountRef(state.accounts.get(id)) ?? { id };
    },
    integrationById(id) {
      setIntegration(state.integrations.get(id));
    },
  };
}

/** What a call's permission check targets: the operation's own reading, else the path's. */
export function targetOf(tx: Tx, org: OrganizationRecord, params: Record<string, string>, reading?: TargetReading): Target {
  const t = targetBuilder(tx, org);
  if (reading) reading(t, params);
  else t.fromPath(params);
  return t.target;
}
