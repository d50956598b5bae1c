import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { ok, readOrg } from '../context.ts';
import type { ListQuery } from '../lists.ts';
import { listAudit } from './model.ts';

export const auditOperations: OperationTable<SynqlyPrincipal> = {
  audit_list: (ctx) => ok(listAudit(readOrg(ctx), ctx.query as ListQuery).items),
};
