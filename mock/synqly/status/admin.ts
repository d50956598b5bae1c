import { errors } from '../../core/errors.ts';
import type { HandlerContext } from '../../core/pipeline.ts';
import { ORGANIZATIONS, orgState, type OrganizationRecord } from '../state.ts';
import { injectIntegrationCalls, type InjectedCalls } from './model.ts';

/** admin_synqly_integration_calls_create: connector calls of an integration, recorded for its status. */
export function injectCalls(ctx: HandlerContext<null>) {
  const idOrName = ctx.params.organizationId as string;
  const nowMs = ctx.env.clock.now();
  return ctx.env.store.transact((tx) => {
    const org =
      tx.get<OrganizationRecord>(ORGANIZATIONS, idOrName) ?? tx.values<OrganizationRecord>(ORGANIZATIONS).find((o) => o.name.toLowerCase() === idOrName.toLowerCase());
    if (!org) throw errors.notFound(`Synqly organization ${idOrName} not found`);
    return injectIntegrationCalls(orgState(tx, org.id), ctx.body as InjectedCalls, nowMs);
  });
}
