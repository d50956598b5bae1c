import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { ok } from '../context.ts';
import { getPermissionSet, listPermissionSets } from './model.ts';

export const permissionsetOperations: OperationTable<SynqlyPrincipal> = {
  permissionset_list: () => ok(listPermissionSets()),
  permissionset_get: (ctx) => ok(getPermissionSet(ctx.params.permissionsetId as string)),
};
