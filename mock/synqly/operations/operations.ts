import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import { visibleIntegrations } from '../access.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { ok, readOrg, type SynqlyContext } from '../context.ts';
import type { IntegrationRecord, OrgState } from '../state.ts';
import { listExecutionHistory, listOperations } from './model.ts';

/** jobs of the integrations the caller may see with `action` only (its resource restriction) */
const visibleTo = (ctx: SynqlyContext, org: OrgState, action: string) => (all: IntegrationRecord[]) =>
  visibleIntegrations(ctx.principal, all, (id) => org.accounts.get(id), action);

export const operationsOperations = operationTable<SynqlyPrincipal, operations>({
  operations_list: (ctx) => {
    const org = readOrg(ctx);
    return ok(listOperations(org, ctx.query, ctx.env.clock.now(), visibleTo(ctx, org, 'operations.list')).items);
  },
  operations_list_execution_history: (ctx) => {
    const org = readOrg(ctx);
    return ok(listExecutionHistory(org, ctx.query, ctx.env.clock.now(), visibleTo(ctx, org, 'operations.list_history')).items);
  },
});
