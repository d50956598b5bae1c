import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, ok, readOrg } from '../context.ts';
import { patchDocument } from '../updates.ts';
import { updateBodyCheck } from '../patch-check.ts';
import { getOrganization, organizationView, updateOrganization } from './model.ts';

export const organizationOperations = operationTable<SynqlyPrincipal, operations>({
  organization_get: (ctx) => ok(organizationView(getOrganization(readOrg(ctx)))),

  organization_update: async (ctx) => {
    const org = await mutateOrg(ctx, (state) => updateOrganization(state, ctx.body, modelEnv(ctx)));
    return ok(organizationView(org));
  },

  organization_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'organization_update');
    const org = await mutateOrg(ctx, (state) => {
      const current = organizationView(getOrganization(state));
      const doc = patchDocument(current, ctx.body, check);
      return updateOrganization(state, doc, modelEnv(ctx));
    });
    return ok(organizationView(org));
  },
});
