import { operationTable, type TypedHandler } from '../../core/pipeline.ts';
import type { operations } from '../../generated/connxio.ts';
import type { ConnxioCaller } from '../auth.ts';
import { principalOf, readCompany } from '../context.ts';
import { assertCompanyContext, listSubscriptions } from './model.ts';

/**
 * A legacy v1 management handler (`/v1/management/…`): the optional `companyId` header is checked
 * against the key's company before the handler runs (404 for another company).
 */
export function v1Management<O>(handler: TypedHandler<ConnxioCaller, O>): TypedHandler<ConnxioCaller, O> {
  return (ctx) => {
    assertCompanyContext(principalOf(ctx).company.id, ctx.headers.companyid);
    return handler(ctx);
  };
}

export const subscriptionsOperations = operationTable<ConnxioCaller, operations>({
  list_subscriptions: (ctx) => ({ body: listSubscriptions(readCompany(ctx)) }),
  get_current_subscription: (ctx) => ({ body: principalOf(ctx).subscription }),
  list_subscriptions_v1: v1Management((ctx) => ({ body: listSubscriptions(readCompany(ctx)) })),
});
