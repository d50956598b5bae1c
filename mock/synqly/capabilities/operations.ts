import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { ok } from '../context.ts';
import { getProvider, listConnectors, listProviders } from './model.ts';

const expandOf = (query: Record<string, unknown>): string[] => {
  const e = query.expand;
  return e === undefined ? [] : Array.isArray(e) ? e : [String(e)];
};

export const capabilitiesOperations = operationTable<SynqlyPrincipal, operations>({
  capabilities_list_connectors: (ctx) => ok(listConnectors(expandOf(ctx.query))),
  capabilities_list_providers: (ctx) => ok(listProviders(expandOf(ctx.query))),
  capabilities_get_provider: (ctx) => ok(getProvider(ctx.params.providerId, expandOf(ctx.query))),
});
