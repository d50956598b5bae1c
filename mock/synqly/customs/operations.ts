import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import { patchDocument } from '../updates.ts';
import { updateBodyCheck } from '../patch-check.ts';
import { createCustom, deleteCustom, getCustom, listCustoms, updateCustom } from './model.ts';

const customId = (ctx: { params: { customId: string } }) => ctx.params.customId;

export const customsOperations = operationTable<SynqlyPrincipal, operations>({
  customs_list: (ctx) => {
    const page = listCustoms(readOrg(ctx), ctx.query);
    return ok(page.items, { total: page.total });
  },
  customs_create: async (ctx) => ok({ custom: await mutateOrg(ctx, (org) => createCustom(org, ctx.body, modelEnv(ctx))) }),
  customs_get: (ctx) => ok(getCustom(readOrg(ctx), customId(ctx))),
  customs_update: async (ctx) => ok(await mutateOrg(ctx, (org) => updateCustom(org, customId(ctx), ctx.body, modelEnv(ctx)))),
  customs_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'customs_update');
    return ok(
      await mutateOrg(ctx, (org) => {
        const current = getCustom(org, customId(ctx));
        const doc = patchDocument(current, ctx.body, check);
        return updateCustom(org, current.id, doc, modelEnv(ctx));
      }),
    );
  },
  customs_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteCustom(org, customId(ctx)));
    return noContent();
  },
});
