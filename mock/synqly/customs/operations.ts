import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import type { ListQuery } from '../lists.ts';
import { patchDocument, type PatchOperation } from '../updates.ts';
import { updateBodyCheck } from '../patch-check.ts';
import { createCustom, deleteCustom, getCustom, listCustoms, updateCustom, type CreateCustomRequest, type UpdateCustomRequest } from './model.ts';

const customId = (ctx: { params: Record<string, unknown> }) => ctx.params.customId as string;

export const customsOperations: OperationTable<SynqlyPrincipal> = {
  customs_list: (ctx) => {
    const page = listCustoms(readOrg(ctx), ctx.query as ListQuery);
    return ok(page.items, { total: page.total });
  },
  customs_create: async (ctx) => ok({ custom: await mutateOrg(ctx, (org) => createCustom(org, ctx.body as CreateCustomRequest, modelEnv(ctx))) }),
  customs_get: (ctx) => ok(getCustom(readOrg(ctx), customId(ctx))),
  customs_update: async (ctx) => ok(await mutateOrg(ctx, (org) => updateCustom(org, customId(ctx), ctx.body as UpdateCustomRequest, modelEnv(ctx)))),
  customs_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'customs_update');
    return ok(
      await mutateOrg(ctx, (org) => {
        const current = getCustom(org, customId(ctx));
        const doc = patchDocument(current, ctx.body as PatchOperation[], check);
        return updateCustom(org, current.id, doc as unknown as UpdateCustomRequest, modelEnv(ctx));
      }),
    );
  },
  customs_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteCustom(org, customId(ctx)));
    return noContent();
  },
};
