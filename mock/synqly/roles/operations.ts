import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import type { ListQuery } from '../lists.ts';
import { patchDocument, updateBodyCheck, type PatchOperation } from '../updates.ts';
import { createRole, deleteRole, getRole, listRoles, updateRole, type CreateRoleRequest, type UpdateRoleRequest } from './model.ts';

const roleId = (ctx: { params: Record<string, unknown> }) => ctx.params.roleId as string;

export const rolesOperations: OperationTable<SynqlyPrincipal> = {
  roles_list: (ctx) => ok(listRoles(readOrg(ctx), ctx.query as ListQuery).items),
  roles_create: async (ctx) => ok(await mutateOrg(ctx, (org) => createRole(org, ctx.body as CreateRoleRequest, modelEnv(ctx)))),
  roles_get: (ctx) => ok(getRole(readOrg(ctx), roleId(ctx))),
  roles_update: async (ctx) => ok(await mutateOrg(ctx, (org) => updateRole(org, roleId(ctx), ctx.body as UpdateRoleRequest, modelEnv(ctx)))),
  roles_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'roles_update');
    const role = await mutateOrg(ctx, (org) => {
      const current = getRole(org, roleId(ctx));
      const doc = patchDocument(current, ctx.body as PatchOperation[], check);
      return updateRole(org, current.id, doc as unknown as UpdateRoleRequest, modelEnv(ctx));
    });
    return ok(role);
  },
  roles_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteRole(org, roleId(ctx)));
    return noContent();
  },
};
