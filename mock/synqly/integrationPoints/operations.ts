import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import { updateBodyCheck } from '../patch-check.ts';
import {
  createIntegrationPoint,
  deleteIntegrationPoint,
  getIntegrationPoint,
  listIntegrationPoints,
  patchIntegrationPoint,
  updateIntegrationPoint,
} from './model.ts';


export const integrationPointsOperations = operationTable<SynqlyPrincipal, operations>({
  integrationPoints_list: (ctx) => {
    const page = listIntegrationPoints(readOrg(ctx), ctx.query);
    return ok(page.items, { total: page.total });
  },
  integrationPoints_create: async (ctx) => ok(await mutateOrg(ctx, (org) => createIntegrationPoint(org, ctx.body, modelEnv(ctx)))),
  integrationPoints_get: (ctx) => ok(getIntegrationPoint(readOrg(ctx), ctx.params.integrationPointId)),
  integrationPoints_update: async (ctx) =>
    ok(await mutateOrg(ctx, (org) => updateIntegrationPoint(org, ctx.params.integrationPointId, ctx.body, modelEnv(ctx)))),
  integrationPoints_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'integrationPoints_update');
    return ok(await mutateOrg(ctx, (org) => patchIntegrationPoint(org, ctx.params.integrationPointId, ctx.body, check, modelEnv(ctx))));
  },
  integrationPoints_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteIntegrationPoint(org, ctx.params.integrationPointId));
    return noContent();
  },
});
