import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import { assertCanBind, assertMemberWithin } from '../access.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg, type SynqlyContext } from '../context.ts';
import type { MemberRecord, OrgState } from '../state.ts';
import { accountLookup } from '../tokens/create.ts';
import { patchDocument } from '../updates.ts';
import { updateBodyCheck } from '../patch-check.ts';
import { createMember, deleteMember, findMember, listMembers, memberView, updateMember } from './model.ts';

/** roles a write adds to a binding must not grant more than the caller has */
function assertBindable(ctx: SynqlyContext, org: OrgState, binding: readonly string[], before: readonly string[] = []): void {
  const added = binding.filter((r) => !before.includes(r));
  assertCanBind(ctx.principal.access, org.tx, org.orgId, added, accountLookup(org));
}

/** a member the caller changes or deletes must hold nothing the caller does not (no acting on wider members) */
function assertChangeable(ctx: SynqlyContext, org: OrgState, member: MemberRecord, doing: string): void {
  assertMemberWithin(ctx.principal.access, org.tx, org.orgId, member, accountLookup(org), doing);
}

const memberId = (ctx: { params: { memberId: string } }) => ctx.params.memberId;

export const membersOperations = operationTable<SynqlyPrincipal, operations>({
  members_list: (ctx) => ok(listMembers(readOrg(ctx), ctx.query).items.map(memberView)),

  members_create: async (ctx) => {
    const body = ctx.body;
    const member = await mutateOrg(ctx, (org) => {
      assertBindable(ctx, org, body.role_binding ?? ['member']);
      return createMember(org, body, modelEnv(ctx));
    });
    return ok({ member: memberView(member) });
  },

  members_get: (ctx) => ok(memberView(findMember(readOrg(ctx), memberId(ctx)))),

  members_update: async (ctx) => {
    const body = ctx.body;
    const member = await mutateOrg(ctx, (org) => {
      const current = findMember(org, memberId(ctx));
      assertChangeable(ctx, org, current, 'change');
      assertBindable(ctx, org, body.role_binding, current.role_binding);
      return updateMember(org, memberId(ctx), body, modelEnv(ctx));
    });
    return ok(memberView(member));
  },

  members_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'members_update');
    const member = await mutateOrg(ctx, (org) => {
      const current = findMember(org, memberId(ctx));
      assertChangeable(ctx, org, current, 'change');
      const doc = patchDocument(memberView(current), ctx.body, check);
      assertBindable(ctx, org, doc.role_binding, current.role_binding);
      return updateMember(org, current.id, doc, modelEnv(ctx));
    });
    return ok(memberView(member));
  },

  members_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => {
      assertChangeable(ctx, org, findMember(org, memberId(ctx)), 'delete');
      deleteMember(org, memberId(ctx));
    });
    return noContent();
  },
});
