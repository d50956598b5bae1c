import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import { accountVisibility, assertAccountAllowed } from '../access.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import { updateBodyCheck } from '../patch-check.ts';
import { createAccount, deleteAccount, getAccount, listAccounts, patchAccount, updateAccount } from './model.ts';
import type { SynqlyFacts } from '../operation-facts.ts';
import { findByIdOrName } from '../names.ts';
import { orgState } from '../state.ts';
import { integrationView } from '../integrations/model.ts';
import { isPlainObject } from '../../core/store/document.ts';

export const accountsOperations = operationTable<SynqlyPrincipal, operations>({
  accounts_list: (ctx) => {
    const page = listAccounts(readOrg(ctx), ctx.query, accountVisibility(ctx.principal));
    return ok(page.items, { total: page.total });
  },
  accounts_create: async (ctx) => {
    // the body is optional (spec): no body creates an account named by its id
    const wanted = (ctx.body ?? {});
    // a token restricted to some accounts may create only what it could then see
    assertAccountAllowed(ctx.principal, { id: '', name: wanted.name, environment: wanted.environment ?? 'prod', labels: wanted.labels }, 'accounts.create');
    const account = await mutateOrg(ctx, (org) => createAccount(org, wanted, modelEnv(ctx)));
    return ok({ account });
  },
  accounts_get: (ctx) => ok(getAccount(readOrg(ctx), ctx.params.accountId)),
  accounts_update: async (ctx) => {
    const id = ctx.params.accountId;
    return ok(
      await mutateOrg(ctx, (org) => {
        const next = updateAccount(org, id, ctx.body, modelEnv(ctx));
        // a restricted token cannot move an account out of its restriction (rename, environment, labels); throwing aborts the write
        assertAccountAllowed(ctx.principal, next, 'accounts.update');
        return next;
      }),
    );
  },
  accounts_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'accounts_update');
    const id = ctx.params.accountId;
    return ok(
      await mutateOrg(ctx, (org) => {
        const next = patchAccount(org, id, ctx.body, check, modelEnv(ctx));
        assertAccountAllowed(ctx.principal, next, 'accounts.patch');
        return next;
      }),
    );
  },
  accounts_delete: async (ctx) => {
    const id = ctx.params.accountId;
    await mutateOrg(ctx, (org) => deleteAccount(org, id));
    return noContent();
  },
});

const quietly = <T>(read: () => T): T | undefined => {
  try {
    return read();
  } catch {
    return undefined;
  }
};

export const accountsFacts: SynqlyFacts = {
  accounts_create: { creates: 'account', event: { event: 'account_create', pick: (b) => (isPlainObject(b.result) ? b.result.account : undefined) } },
  accounts_update: { event: { event: 'account_update', pick: (b) => b.result } },
  accounts_patch: { event: { event: 'account_update', pick: (b) => b.result } },
  accounts_delete: {
    deleteEvent: {
      event: 'account_delete',
      read: (tx, orgId, p) => quietly(() => findByIdOrName(orgState(tx, orgId).accounts, String(p.accountId))),
      // the cascade removes the account's integrations (cascade.ts): each is an integration_delete, sent before the account's event
      cascade: {
        event: 'integration_delete',
        read: (tx, orgId, account) =>
          orgState(tx, orgId)
            .integrations.findBy('account_id', String(account.id))
            .map((i) => integrationView(i)),
      },
    },
  },
};
