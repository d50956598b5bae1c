import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import type { ListQuery } from '../lists.ts';
import { type PatchOperation } from '../updates.ts';
import { updateBodyCheck } from '../patch-check.ts';
import { bridgeStatus, bridgeView, createBridge, deleteBridge, getBridge, listBridges, patchBridge, updateBridge, type BridgeInput, type UpdateBridgeRequest } from './model.ts';
import type { SynqlyFacts } from '../operation-facts.ts';

const ids = (params: Record<string, unknown>) => [params.accountId as string, params.bridgeId as string] as const;

export const bridgesOperations: OperationTable<SynqlyPrincipal> = {
  bridges_list: (ctx) => {
    const page = listBridges(readOrg(ctx), ctx.params.accountId as string, ctx.query as ListQuery);
    return ok(page.items, { total: page.total });
  },
  bridges_create: async (ctx) => ok(await mutateOrg(ctx, (org) => createBridge(org, ctx.params.accountId as string, (ctx.body ?? {}) as BridgeInput, modelEnv(ctx)))),
  bridges_get: (ctx) => ok(bridgeView(getBridge(readOrg(ctx), ...ids(ctx.params)))),
  bridges_update: async (ctx) => ok(bridgeView(await mutateOrg(ctx, (org) => updateBridge(org, ...ids(ctx.params), ctx.body as UpdateBridgeRequest, modelEnv(ctx))))),
  bridges_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'bridges_update');
    return ok(bridgeView(await mutateOrg(ctx, (org) => patchBridge(org, ...ids(ctx.params), ctx.body as PatchOperation[], check, modelEnv(ctx)))));
  },
  bridges_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteBridge(org, ...ids(ctx.params)));
    return noContent();
  },
  bridges_get_status: (ctx) => ok(bridgeStatus(readOrg(ctx), ...ids(ctx.params))),
};

export const bridgesFacts: SynqlyFacts = {
  bridges_create: { creates: 'bridge' },
};
