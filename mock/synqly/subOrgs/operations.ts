import { underBodyPointer } from '../../core/errors.ts';
import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import { assertCanGrant, visibleOrganizations } from '../access.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, noContent, ok } from '../context.ts';
import { createMember, memberView } from '../members/model.ts';
import { organizationView } from '../organization/model.ts';
import { orgState } from '../state.ts';
import { accountLookup } from '../tokens/create.ts';
import { createdSubOrgView, createSubOrg, deleteSubOrg, getSubOrg, listSubOrgs } from './model.ts';
import type { SynqlyFacts } from '../operation-facts.ts';
import type { TargetReading } from '../targets.ts';

const subOrgId = (ctx: { params: { organizationId: string } }) => ctx.params.organizationId;

export const subOrgsOperations = operationTable<SynqlyPrincipal, operations>({
  subOrgs_list: (ctx) => ok(visibleOrganizations(ctx.principal, listSubOrgs(ctx.env.store.reader, ctx.principal.organization.id)).map(organizationView)),

  subOrgs_create: async (ctx) => {
    // the new organization comes with an unrestricted administrator token: only a caller who could
    // grant that much may create one (contract §4.4, no escalation)
    assertCanGrant(ctx.principal.access, { set: 'administrator' }, accountLookup(orgState(ctx.env.store.reader, ctx.principal.organization.id)));
    const body = ctx.body ?? {};
    const { created, member } = await ctx.env.store.transact((tx) => {
      const env = modelEnv(ctx);
      const created = createSubOrg(tx, ctx.principal.organization, ctx.principal.token.id, body, env);
      const memberRequest = body.member;
      const member = memberRequest ? underBodyPointer('/member', () => createMember(orgState(tx, created.organization.id), memberRequest, env)) : undefined;
      return { created, member };
    });
    return ok(createdSubOrgView(created, member ? memberView(member) : undefined));
  },

  subOrgs_get: (ctx) => ok(organizationView(getSubOrg(ctx.env.store.reader, ctx.principal.organization.id, subOrgId(ctx)))),

  subOrgs_delete: async (ctx) => {
    await ctx.env.store.transact((tx) => deleteSubOrg(tx, ctx.principal.organization.id, subOrgId(ctx)));
    return noContent();
  },
});

/** `{organizationId}` names a sub-organization of the caller's (id or name): the check targets it */
const subOrgTarget: TargetReading = (t, params) => {
  if (params.organizationId !== undefined) t.organization(params.organizationId);
};

export const subOrgsFacts: SynqlyFacts = {
  subOrgs_get: { target: subOrgTarget },
  subOrgs_delete: { target: subOrgTarget },
};
