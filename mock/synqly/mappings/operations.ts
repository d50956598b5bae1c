import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import { patchDocument } from '../updates.ts';
import { updateBodyCheck } from '../patch-check.ts';
import {
  applyMappings,
  createMapping,
  deleteMapping,
  getMapping,
  listMappings,
  mappingView,
  updateMapping,
} from './model.ts';

const mappingId = (ctx: { params: { mappingId: string } }) => ctx.params.mappingId;

export const mappingsOperations = operationTable<SynqlyPrincipal, operations>({
  mappings_list: (ctx) => {
    const page = listMappings(readOrg(ctx), ctx.query);
    return ok(page.items, { total: page.total });
  },
  mappings_create: async (ctx) => {
    const mapping = await mutateOrg(ctx, (org) => createMapping(org, ctx.body, modelEnv(ctx)));
    return ok({ mapping: mappingView(mapping) });
  },
  mappings_get: (ctx) => ok(mappingView(getMapping(readOrg(ctx), mappingId(ctx)))),
  mappings_update: async (ctx) => ok(mappingView(await mutateOrg(ctx, (org) => updateMapping(org, mappingId(ctx), ctx.body, modelEnv(ctx))))),
  mappings_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'mappings_update');
    const mapping = await mutateOrg(ctx, (org) => {
      const current = getMapping(org, mappingId(ctx));
      // `version` is the server's, like `updated_at`
      const doc = patchDocument(mappingView(current), ctx.body, check, { extraProtected: ['/version'] });
      return updateMapping(org, current.id, doc, modelEnv(ctx));
    });
    return ok(mappingView(mapping));
  },
  mappings_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteMapping(org, mappingId(ctx)));
    return noContent();
  },
  mappings_apply: async (ctx) => {
    const mapping = await applyMappings(readOrg(ctx), ctx.body, { includeRawData: ctx.query.include_raw_data === true }, modelEnv(ctx));
    return ok({ mapping });
  },
});
