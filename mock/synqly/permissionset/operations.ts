import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { ok } from '../context.ts';
import { getPermissionSet, listPermissionSets } from './model.ts';

export const permissionsetOperations = operationTable<SynqlyPrincipal, operations>({
  permissionset_list: () => ok(listPermissionSets()),
  permissionset_get: (ctx) => ok(getPermissionSet(ctx.params.permissionsetId)),
});
