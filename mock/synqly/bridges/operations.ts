import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import { updateBodyCheck } from '../patch-check.ts';
import { bridgeStatus, bridgeView, createBridge, deleteBridge, getBridge, listBridges, patchBridge, updateBridge } from './model.ts';
import type { SynqlyFacts } from '../operation-facts.ts';

/** the bridge group the path names */
const ids = (params: { accountId: string; bridgeId: string }) => [params.accountId, params.bridgeId] as const;

export const bridgesOperations = operationTable<SynqlyPrincipal, operations>({
  bridges_list: (ctx) => {
    const page = listBridges(readOrg(ctx), ctx.params.accountId, ctx.query);
    return ok(page.items, { total: page.total });
  },
  bridges_create: async (ctx) => ok(await mutateOrg(ctx, (org) => createBridge(org, ctx.params.accountId, (ctx.body ?? {}), modelEnv(ctx)))),
  bridges_get: (ctx) => ok(bridgeView(getBridge(readOrg(ctx), ...ids(ctx.params)))),
  bridges_update: async (ctx) => ok(bridgeView(await mutateOrg(ctx, (org) => updateBridge(org, ...ids(ctx.params), ctx.body, modelEnv(ctx))))),
  bridges_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'bridges_update');
    return ok(bridgeView(await mutateOrg(ctx, (org) => patchBridge(org, ...ids(ctx.params), ctx.body, check, modelEnv(ctx)))));
  },
  bridges_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteBridge(org, ...ids(ctx.params)));
    return noContent();
  },
  bridges_get_status: (ctx) => ok(bridgeStatus(readOrg(ctx), ...ids(ctx.params))),
});

export const bridgesFacts: SynqlyFacts = {
  bridges_create: { creates: 'bridge' },
};
