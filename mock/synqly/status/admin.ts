import { errors } from '../../core/errors.ts';
import type { TypedHandlerContext } from '../../core/pipeline.ts';
import type { operations } from '../../generated/admin.ts';
import { ORGANIZATIONS, orgState, type OrganizationRecord } from '../state.ts';
import { injectIntegrationCalls } from './model.ts';

/** admin_synqly_integration_calls_create: connector calls of an integration, recorded for its status. */
export function injectCalls(ctx: TypedHandlerContext<null, operations['admin_synqly_integration_calls_create']>) {
  const idOrName = ctx.params.organizationId;
  const nowMs = ctx.env.clock.now();
  return ctx.env.store.transact((tx) => {
    const org =
      tx.get<OrganizationRecord>(ORGANIZATIONS, idOrName) ?? tx.values<OrganizationRecord>(ORGANIZATIONS).find((o) => o.name.toLowerCase() === idOrName.toLowerCase());
    if (!org) throw errors.notFound(`Synqly organization ${idOrName} not found`);
    return injectIntegrationCalls(orgState(tx, org.id), ctx.body, nowMs);
  });
}
