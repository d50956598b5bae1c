import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg, type SynqlyContext } from '../context.ts';
import type { ListQuery } from '../lists.ts';
import { updateBodyCheck, type PatchOperation } from '../updates.ts';
import type { Warning } from './config.ts';
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  integrationView,
  listIntegrations,
  patchIntegration,
  updateIntegration,
  verifyIntegration,
  type IntegrationInput,
  type UpdateIntegrationRequest,
} from './model.ts';

const ids = (params: Record<string, unknown>) => [params.accountId as string, params.integrationId as string] as const;

/** warnings as the `messages.problems` of a successful answer (status = the response's) */
function messages(ctx: SynqlyContext, warnings: Warning[]) {
  return {
    problems: warnings.map((w) => ({
      status: 200,
      message: w.message,
      occurred_at: ctx.env.clock.nowIso(),
      instance: ctx.request.path,
      ...(w.pointer ? { context: { parameter: { id: w.pointer, location: 'body' } } } : {}),
    })),
  };
}

const nonEmpty = <T>(list: T[]) => (list.length > 0 ? list : undefined);

export const integrationsOperations: OperationTable<SynqlyPrincipal> = {
  integrations_list: (ctx) => {
    const page = listIntegrations(readOrg(ctx), ctx.query as ListQuery & { expand?: string[] });
    return ok(page.items, { total: page.total });
  },
  integrations_list_account: (ctx) => {
    const page = listIntegrations(readOrg(ctx), ctx.query as ListQuery & { expand?: string[] }, ctx.params.accountId as string);
    return ok(page.items, { total: page.total });
  },
  integrations_create: async (ctx) => {
    const issuer = { tokenId: ctx.principal.token.id, memberId: ctx.principal.token.member_id };
    const created = await mutateOrg(ctx, (org) => createIntegration(org, ctx.params.accountId as string, ctx.body as IntegrationInput, issuer, modelEnv(ctx)));
    const result = { integration: created.integration, token: created.token, ...(created.credentials_created.length > 0 ? { credentials_created: created.credentials_created } : {}) };
    return ok(result, { messages: created.warnings.length > 0 ? messages(ctx, created.warnings) : undefined });
  },
  integrations_get: (ctx) => ok(integrationView(getIntegration(readOrg(ctx), ...ids(ctx.params)))),
  integrations_update: async (ctx) => {
    const updated = await mutateOrg(ctx, (org) => updateIntegration(org, ...ids(ctx.params), ctx.body as UpdateIntegrationRequest, modelEnv(ctx)));
    return ok(updated.integration, { credentials_created: nonEmpty(updated.credentials_created) });
  },
  integrations_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'integrations_update');
    const patched = await mutateOrg(ctx, (org) => patchIntegration(org, ...ids(ctx.params), ctx.body as PatchOperation[], check, modelEnv(ctx)));
    return ok(patched.integration, { credentials_created: nonEmpty(patched.credentials_created) });
  },
  integrations_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteIntegration(org, ...ids(ctx.params)));
    return noContent();
  },
  integrations_verify: (ctx) => {
    const body = ctx.body as { integration: IntegrationInput };
    const warnings = verifyIntegration(readOrg(ctx), ctx.params.accountId as string, body.integration, ctx.env.clock.now());
    return { status: 200, body: { messages: messages(ctx, warnings) } };
  },
};
