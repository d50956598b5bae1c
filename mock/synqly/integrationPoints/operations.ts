import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import type { ListQuery } from '../lists.ts';
import { type PatchOperation } from '../updates.ts';
import { updateBodyCheck } from '../patch-check.ts';
import {
  createIntegrationPoint,
  deleteIntegrationPoint,
  getIntegrationPoint,
  listIntegrationPoints,
  patchIntegrationPoint,
  updateIntegrationPoint,
  type IntegrationPointInput,
  type UpdateIntegrationPointRequest,
} from './model.ts';

const pointId = (params: Record<string, unknown>) => params.integrationPointId as string;

export const integrationPointsOperations: OperationTable<SynqlyPrincipal> = {
  integrationPoints_list: (ctx) => {
    const page = listIntegrationPoints(readOrg(ctx), ctx.query as ListQuery);
    return ok(page.items, { total: page.total });
  },
  integrationPoints_create: async (ctx) => ok(await mutateOrg(ctx, (org) => createIntegrationPoint(org, ctx.body as IntegrationPointInput, modelEnv(ctx)))),
  integrationPoints_get: (ctx) => ok(getIntegrationPoint(readOrg(ctx), pointId(ctx.params))),
  integrationPoints_update: async (ctx) =>
    ok(await mutateOrg(ctx, (org) => updateIntegrationPoint(org, pointId(ctx.params), ctx.body as UpdateIntegrationPointRequest, modelEnv(ctx)))),
  integrationPoints_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'integrationPoints_update');
    return ok(await mutateOrg(ctx, (org) => patchIntegrationPoint(org, pointId(ctx.params), ctx.body as PatchOperation[], check, modelEnv(ctx))));
  },
  integrationPoints_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteIntegrationPoint(org, pointId(ctx.params)));
    return noContent();
  },
};
