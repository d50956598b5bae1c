import { errors } from '../core/errors.ts';
import { operationTable, type OperationTable } from '../core/pipeline.ts';
import type { operations } from '../generated/admin.ts';
import { getTenant, rederiveCredentials } from './tenants/lookup.ts';

/**
 * Control-API operations the dashboard (mock/ui) needs beyond the rest: which listener is where,
 * and the credentials of an existing tenant. Both are ordinary control-API operations, protected
 * like the others (loopback, or the admin token).
 */

export type ListenerUrls = Partial<Record<'synqly' | 'connxio' | 'custom', string>>;

const LISTENER_ORDER = ['synqly', 'connxio', 'custom'] as const;

/** `listeners` is filled in by startTwin once the ports are bound; empty for an in-process twin. */
export function dashboardOperations(listeners: ListenerUrls): OperationTable<null> {
  return operationTable<null, operations>({
    admin_listeners: (ctx) => ({
      status: 200,
      body: {
        current: ctx.request.listener,
        listeners: LISTENER_ORDER.filter((name) => listeners[name] !== undefined).map((name) => ({ name, url: listeners[name]! })),
      },
    }),

    admin_tenants_credentials: async (ctx) => {
      const tenant = getTenant(ctx.env.store.reader, ctx.params.tenantId);
      const withCredentials = await rederiveCredentials(ctx.env.store.reader, tenant, ctx.env.clock.now());
      if (!withCredentials) {
        throw errors.notFound(
          `the credentials of ${tenant.vendor} tenant ${tenant.name} were rotated, reset or deleted since it was created; resetting the tenant (POST /__admin/tenants/${tenant.id}/reset) restores them`,
        );
      }
      return { status: 200, body: withCredentials };
    },
  });
}
