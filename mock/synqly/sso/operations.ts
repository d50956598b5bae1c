import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import { createSso, deleteSso, getSso, listSso, ssoMetadata, ssoView, updateSso } from './model.ts';

const ssoId = (ctx: { params: { ssoId: string } }) => ctx.params.ssoId;

export const ssoOperations = operationTable<SynqlyPrincipal, operations>({
  auth_list_sso: (ctx) => ok(listSso(readOrg(ctx)).map(ssoView)),
  auth_create_sso: async (ctx) => ok(ssoView(await mutateOrg(ctx, (org) => createSso(org, ctx.body, modelEnv(ctx))))),
  auth_get_sso: (ctx) => ok(ssoView(getSso(readOrg(ctx), ssoId(ctx)))),
  auth_update_sso: async (ctx) => ok(ssoView(await mutateOrg(ctx, (org) => updateSso(org, ssoId(ctx), ctx.body, modelEnv(ctx))))),
  auth_delete_sso: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteSso(org, ssoId(ctx)));
    return noContent();
  },
  auth_get_sso_metadata: (ctx) => ok(ssoMetadata(ctx.principal.organization.id)),
});
