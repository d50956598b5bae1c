import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { mutateOrg, noContent, ok, readOrg } from '../context.ts';
import type { ListQuery } from '../lists.ts';
import { getStatus, integrationTimeseries, listStatus, listStatusEvents, organizationTimeseries, resetStatus } from './model.ts';

const ids = (params: Record<string, unknown>) => [params.accountId as string, params.integrationId as string] as const;

export const statusOperations: OperationTable<SynqlyPrincipal> = {
  status_list: (ctx) => ok(listStatus(readOrg(ctx), ctx.query as ListQuery & { expand?: string[] }).items),
  status_get: (ctx) => ok(getStatus(readOrg(ctx), ...ids(ctx.params))),
  status_reset: async (ctx) => {
    await mutateOrg(ctx, (org) => resetStatus(org, ...ids(ctx.params), ctx.env.clock.now()));
    return noContent();
  },
  status_list_events: (ctx) => ok(listStatusEvents(readOrg(ctx), ...ids(ctx.params), ctx.query as ListQuery).items),
  status_get_timeseries: (ctx) => ok(organizationTimeseries(readOrg(ctx), ctx.env.clock.now())),
  status_get_integration_timeseries: (ctx) =>
    ok(integrationTimeseries(readOrg(ctx), ...ids(ctx.params), ctx.query.interval as string | undefined, ctx.env.clock.now())),
};
