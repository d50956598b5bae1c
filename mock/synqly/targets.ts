import type { Tx } from '../core/store/store.ts';
import type { AccountRef, Target } from './access.ts';
import { namedInPath } from './path-names.ts';
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
   * The default reading of the path (path-names.ts): its account, its integration's category (and
   * account), the integration whose token `refreshTokenId` is, and `memberId`. `ownerId` names an
   * integration, or with `ownerMayBeAccount` first an account (the organization itself: neither).
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
  return {
    tx,
    org,
    state,
    target,
    fromPath(params, options = {}) {
      const named = namedInPath(state, org, params, { ...options, integrationsAcrossAccounts: true });
      if (params.accountId !== undefined || named.account) target.account = accountRef(named.account);
      setIntegration(named.integration);
      setIntegration(named.tokenIntegration);
      if (named.member) target.memberId = named.member.id;
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
