import type { OperationTable } from '../../core/pipeline.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, ok, readOrg } from '../context.ts';
import type { ListQuery } from '../lists.ts';
import { createAccount, getAccount, listAccounts, type CreateAccountRequest } from './model.ts';

export const accountsOperations: OperationTable<SynqlyPrincipal> = {
  accounts_list: (ctx) => {
    const page = listAccounts(readOrg(ctx), ctx.query as ListQuery);
    return ok(page.items, { total: page.total });
  },
  accounts_create: async (ctx) => {
    const account = await mutateOrg(ctx, (org) => createAccount(org, ctx.body as CreateAccountRequest, modelEnv(ctx)));
    return ok({ account });
  },
  accounts_get: (ctx) => ok(getAccount(readOrg(ctx), ctx.params.accountId as string)),
};
