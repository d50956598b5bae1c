import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import { visibleOrganizations } from '../access.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { ok, type SynqlyContext } from '../context.ts';
import { childrenOf } from '../organization/model.ts';
import { orgState } from '../state.ts';
import { billedOrganization, getBilling, listBilling, type BilledOrganization } from './model.ts';
import type { SynqlyFacts } from '../operation-facts.ts';

/** the caller's organization and, for a root organization, its sub-organizations the caller may reach with `action` */
function scopeOf(ctx: SynqlyContext, action: string): BilledOrganization[] {
  const reader = ctx.env.store.reader;
  const own = ctx.principal.organization;
  const subs = own.organization_type === 'root' ? visibleOrganizations(ctx.principal, childrenOf(reader, own.id), action) : [];
  return [own, ...subs].map((organization) => ({ organization, state: orgState(reader, organization.id) }));
}

export const billingOperations = operationTable<SynqlyPrincipal, operations>({
  billing_list: (ctx) => ok(listBilling(scopeOf(ctx, 'billing.list'), ctx.query, ctx.env.clock.now()).items),
  billing_get: (ctx) => {
    const billed = billedOrganization(scopeOf(ctx, 'billing.get'), ctx.params.organizationId);
    return ok(getBilling(billed, ctx.params.month, ctx.env.clock.now()));
  },
});

export const billingFacts: SynqlyFacts = {
  // `{organizationId}`: the caller's own organization or one of its sub-organizations (id or name)
  billing_get: {
    target: (t, params) => {
      if (params.organizationId !== undefined) t.organization(params.organizationId);
    },
  },
};
