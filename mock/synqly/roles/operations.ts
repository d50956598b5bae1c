import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import { assertRoleWithin } from '../access.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg, type SynqlyContext } from '../context.ts';
import type { OrgState, RoleRecord } from '../state.ts';
import { accountLookup } from '../tokens/create.ts';
import { patchDocument } from '../updates.ts';
import { updateBodyCheck } from '../patch-check.ts';
import { createRole, deleteRole, getRole, listRoles, updateRole } from './model.ts';

const roleId = (ctx: { params: { roleId: string } }) => ctx.params.roleId;

/**
 * No escalation through roles (contract §4.4; DECISIONS "ad-hoc tokens"): a role the caller
 * writes, and a role it changes or deletes, must grant nothing the calling token may not do.
 */
function assertWithin(ctx: SynqlyContext, org: OrgState, role: RoleRecord, doing: string): void {
  assertRoleWithin(ctx.principal.access, { name: role.name, permission_set: role.permission_set, resources: role.resources }, accountLookup(org), doing);
}

export const rolesOperations = operationTable<SynqlyPrincipal, operations>({
  roles_list: (ctx) => ok(listRoles(readOrg(ctx), ctx.query).items),
  roles_create: async (ctx) =>
    ok(
      await mutateOrg(ctx, (org) => {
        const role = createRole(org, ctx.body, modelEnv(ctx));
        assertWithin(ctx, org, role, 'create');
        return role;
      }),
    ),
  roles_get: (ctx) => ok(getRole(readOrg(ctx), roleId(ctx))),
  roles_update: async (ctx) =>
    ok(
      await mutateOrg(ctx, (org) => {
        assertWithin(ctx, org, getRole(org, roleId(ctx)), 'change');
        const role = updateRole(org, roleId(ctx), ctx.body, modelEnv(ctx));
        assertWithin(ctx, org, role, 'widen');
        return role;
      }),
    ),
  roles_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'roles_update');
    const role = await mutateOrg(ctx, (org) => {
      const current = getRole(org, roleId(ctx));
      assertWithin(ctx, org, current, 'change');
      const doc = patchDocument(current, ctx.body, check);
      const next = updateRole(org, current.id, doc, modelEnv(ctx));
      assertWithin(ctx, org, next, 'widen');
      return next;
    });
    return ok(role);
  },
  roles_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => {
      assertWithin(ctx, org, getRole(org, roleId(ctx)), 'delete');
      deleteRole(org, roleId(ctx));
    });
    return noContent();
  },
});
