import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok } from '../context.ts';
import { changePassword, logoff, logon } from './model.ts';

export const authOperations: OperationTable<SynqlyPrincipal> = {
  // security: [] — no principal; the org comes from the path
  auth_logon: async (ctx) => {
    const env = { nowMs: ctx.env.clock.now(), random: ctx.env.random };
    const body = ctx.body as { name: string; secret: string };
    const outcome = await ctx.env.store.transact((tx) => logon(tx, ctx.params.organizationId as string, body, env));
    if (!outcome.ok) throw outcome.error;
    return ok(outcome.result);
  },

  auth_change_password: async (ctx) =>
    ok(await mutateOrg(ctx, (org) => changePassword(org, ctx.principal.token, ctx.body as { old_secret: string; new_secret: string }, modelEnv(ctx)))),

  auth_logoff: async (ctx) => {
    await mutateOrg(ctx, (org) => logoff(org, ctx.principal.token.id));
    return noContent();
  },
};
