import type { OperationTable } from '../../core/pipeline.ts';
import type { ConnxioCaller } from '../auth.ts';
import { principalOf, readCompany } from '../context.ts';
import { listSubscriptions } from './model.ts';

export const subscriptionsOperations: OperationTable<ConnxioCaller> = {
  list_subscriptions: (ctx) => ({ body: listSubscriptions(readCompany(ctx)) }),
  get_current_subscription: (ctx) => ({ body: principalOf(ctx).subscription }),
};
