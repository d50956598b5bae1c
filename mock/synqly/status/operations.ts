import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import { visibleIntegrations } from '../access.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { mutateOrg, noContent, ok, readOrg, type SynqlyContext } from '../context.ts';
import type { OrgState } from '../state.ts';
import { getStatus, integrationTimeseries, listStatus, listStatusEvents, organizationTimeseries, resetStatus } from './model.ts';
import type { SynqlyFacts } from '../operation-facts.ts';

/** the integration the path names */
const ids = (params: { accountId: string; integrationId: string }) => [params.accountId, params.integrationId] as const;

/** ids of the integrations the caller may see with `action` (its resource restriction) */
const visibleIds = (ctx: SynqlyContext, org: OrgState, action: string) =>
  new Set(visibleIntegrations(ctx.principal, org.integrations.all(), (id) => org.accounts.get(id), action).map((i) => i.id));

export const statusOperations = operationTable<SynqlyPrincipal, operations>({
  status_list: (ctx) => {
    const org = readOrg(ctx);
    return ok(listStatus(org, ctx.query, visibleIds(ctx, org, 'status.list')).items);
  },
  status_get: (ctx) => ok(getStatus(readOrg(ctx), ...ids(ctx.params))),
  status_reset: async (ctx) => {
    await mutateOrg(ctx, (org) => resetStatus(org, ...ids(ctx.params), ctx.env.clock.now()));
    return noContent();
  },
  status_list_events: (ctx) => ok(listStatusEvents(readOrg(ctx), ...ids(ctx.params), ctx.query).items),
  status_get_timeseries: (ctx) => {
    const org = readOrg(ctx);
    return ok(organizationTimeseries(org, ctx.env.clock.now(), visibleIds(ctx, org, 'status.timeseries')));
  },
  status_get_integration_timeseries: (ctx) =>
    ok(integrationTimeseries(readOrg(ctx), ...ids(ctx.params), ctx.query.interval, ctx.env.clock.now())),
});

/** reading or resetting an integration's status is not a call of that integration (no StatusEvent of its own) */
export const statusFacts: SynqlyFacts = Object.fromEntries(Object.keys(statusOperations).map((operationId) => [operationId, { notAnIntegrationCall: true }]));
