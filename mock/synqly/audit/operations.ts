import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import { evaluate, reachesAllAccounts, type HasAccess } from '../access.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { ok, readOrg } from '../context.ts';
import type { AuditRecord, OrgState } from '../state.ts';
import { listAudit } from './model.ts';

/**
 * The audit events a caller may see (a twin choice): a token that reaches every
 * account sees every event; a token restricted to some accounts (ids, labels, environments) sees
 * only the events of those accounts — events without an account (organization-level calls, which
 * may name any account in their path or body) are left out. An event of an integration is checked
 * against the integration's category too; an account or integration deleted since is matched by
 * id alone (its labels, environment and category are unknown, so label, environment and category
 * restrictions exclude it).
 */
export function visibleAudit(principal: HasAccess, org: OrgState, events: AuditRecord[], action = 'audit.list'): AuditRecord[] {
  if (reachesAllAccounts(principal, action)) {
    // account-unrestricted; a category restriction still hides events of other categories' integrations
    return events.filter((e) => !e.integration_id || !evaluate(principal.access, action, targetOf(principal, org, e)));
  }
  return events.filter((e) => (e.account_id !== undefined || e.integration_id !== undefined) && !evaluate(principal.access, action, targetOf(principal, org, e)));
}

function targetOf(principal: HasAccess, org: OrgState, e: AuditRecord) {
  const integration = e.integration_id ? org.integrations.get(e.integration_id) : undefined;
  const accountId = e.account_id ?? integration?.account_id;
  return {
    organizationId: principal.access.organizationId,
    ...(accountId ? { account: org.accounts.get(accountId) ?? { id: accountId } } : {}),
    ...(e.integration_id ? { category: integration?.category ?? '' } : {}),
  };
}

export const auditOperations = operationTable<SynqlyPrincipal, operations>({
  audit_list: (ctx) => {
    const org = readOrg(ctx);
    return ok(listAudit(org, ctx.query, (all) => visibleAudit(ctx.principal, org, all)).items);
  },
});
