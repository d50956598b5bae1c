import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { ok, readOrg } from '../context.ts';
import type { ListQuery } from '../lists.ts';
import { listExecutionHistory, listOperations } from './model.ts';

export const operationsOperations: OperationTable<SynqlyPrincipal> = {
  operations_list: (ctx) => ok(listOperations(readOrg(ctx), ctx.query as ListQuery, ctx.env.clock.now()).items),
  operations_list_execution_history: (ctx) => ok(listExecutionHistory(readOrg(ctx), ctx.query as ListQuery, ctx.env.clock.now()).items),
};
