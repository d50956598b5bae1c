import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import { patchDocument } from '../updates.ts';
import { updateBodyCheck } from '../patch-check.ts';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, updateWebhook } from './model.ts';

const webhookId = (ctx: { params: { webhookId: string } }) => ctx.params.webhookId;

export const organizationWebhooksOperations = operationTable<SynqlyPrincipal, operations>({
  organizationWebhooks_list: (ctx) => ok(listWebhooks(readOrg(ctx), ctx.query).items),
  organizationWebhooks_create: async (ctx) => ok(await mutateOrg(ctx, (org) => createWebhook(org, ctx.body, modelEnv(ctx)))),
  organizationWebhooks_get: (ctx) => ok(getWebhook(readOrg(ctx), webhookId(ctx))),
  organizationWebhooks_update: async (ctx) =>
    ok(await mutateOrg(ctx, (org) => updateWebhook(org, webhookId(ctx), ctx.body, modelEnv(ctx)))),
  organizationWebhooks_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'organizationWebhooks_update');
    const webhook = await mutateOrg(ctx, (org) => {
      const current = getWebhook(org, webhookId(ctx));
      const doc = patchDocument(current, ctx.body, check);
      return updateWebhook(org, current.id, doc, modelEnv(ctx));
    });
    return ok(webhook);
  },
  organizationWebhooks_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteWebhook(org, webhookId(ctx)));
    return noContent();
  },
});
