import { operationTable } from '../core/pipeline.ts';
import type { operations } from '../generated/admin.ts';
import { setOrganizationState } from '../synqly/organization/model.ts';
import { listDeliveries } from '../synqly/organizationWebhooks/delivery.ts';
import { injectCalls } from '../synqly/status/admin.ts';

/** Control-API operations for Synqly (specs/admin.yaml, tag `synqly`). */
export const synqlyAdminOperations = operationTable<null, operations>({
  admin_synqly_organization_state_set: async (ctx) => {
    const org = await ctx.env.store.transact((tx) => setOrganizationState(tx, ctx.params.organizationId, ctx.body, ctx.env.clock.now()));
    return { status: 200, body: org };
  },
  admin_synqly_integration_calls_create: async (ctx) => ({ status: 201, body: await injectCalls(ctx) }),
  admin_synqly_webhook_deliveries_list: (ctx) => ({ status: 200, body: { deliveries: listDeliveries(ctx.env.store.reader, ctx.query) } }),
});
