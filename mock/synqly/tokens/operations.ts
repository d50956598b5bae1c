import { errors } from '../../core/errors.ts';
import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg, type SynqlyContext } from '../context.ts';
import {
  createAdhocToken,
  createIntegrationToken,
  createMcpToken,
  createSynqlyIntegrationsToken,
  findOwnedRefreshToken,
  findRefreshToken,
  listTokens,
  type TokenCaller,
} from './create.ts';
import { assertTokenWithin } from './guard.ts';
import { accessTokenView, deleteRefreshToken, refreshTokenView, removeSecondaryPair, resetRefreshToken, rotateRefreshToken } from './model.ts';
import type { SynqlyFacts } from '../operation-facts.ts';

/** The caller as the token models see it. */
export function callerOf(ctx: SynqlyContext): TokenCaller {
  const { token, slot, part, access } = ctx.principal;
  return { token, access, secretExpiresMs: Date.parse(token[slot]![part].expires) };
}

export const tokensOperations = operationTable<SynqlyPrincipal, operations>({
  tokens_create_token: async (ctx) => {
    const { record, pair } = await mutateOrg(ctx, (org) => createAdhocToken(org, callerOf(ctx), ctx.body, modelEnv(ctx)));
    return ok(refreshTokenView(record, { primary: pair }));
  },

  tokens_list: (ctx) => ok(listTokens(readOrg(ctx), ctx.query).items.map((t) => refreshTokenView(t))),

  tokens_create_mcp_token: async (ctx) => {
    const body = ctx.body;
    const pair = await mutateOrg(ctx, (org) => createMcpToken(org, callerOf(ctx), body, modelEnv(ctx)));
    return ok(accessTokenView(pair));
  },

  tokens_create_integration_token: async (ctx) => {
    const body = ctx.body ?? {};
    const path = ctx.params;
    const pair = await mutateOrg(ctx, (org) => createIntegrationToken(org, callerOf(ctx), path, body, modelEnv(ctx)));
    return ok(accessTokenView(pair));
  },

  tokens_create_synqly_integrations_token: async (ctx) => {
    const body = ctx.body ?? {};
    const { account, record, pair } = await mutateOrg(ctx, (org) => createSynqlyIntegrationsToken(org, callerOf(ctx), body, modelEnv(ctx)));
    return ok({ account_id: account.id, token: refreshTokenView(record, { primary: pair }) });
  },

  tokens_get: (ctx) => ok(refreshTokenView(findRefreshToken(readOrg(ctx), ctx.params.refreshTokenId))),

  tokens_refresh: async (ctx) => {
    const { record, pair } = await mutateOrg(ctx, (org) => {
      const target = findRefreshToken(org, ctx.params.refreshTokenId);
      assertTokenWithin(org, callerOf(ctx), target, 'secrets');
      return rotateRefreshToken(org, target, modelEnv(ctx));
    });
    return ok(refreshTokenView(record, { primary: pair }));
  },

  tokens_rotate: async (ctx) => {
    const { record, pair } = await mutateOrg(ctx, (org) => {
      const target = findOwnedRefreshToken(org, ctx.params.ownerId, ctx.params.refreshTokenId);
      assertTokenWithin(org, callerOf(ctx), target, 'secrets');
      return rotateRefreshToken(org, target, modelEnv(ctx));
    });
    return ok(refreshTokenView(record, { primary: pair }));
  },

  tokens_reset: async (ctx) => {
    const { record, pair } = await mutateOrg(ctx, (org) => {
      const target = findOwnedRefreshToken(org, ctx.params.ownerId, ctx.params.refreshTokenId);
      assertTokenWithin(org, callerOf(ctx), target, 'secrets');
      return resetRefreshToken(org, target, modelEnv(ctx));
    });
    return ok(refreshTokenView(record, { primary: pair }));
  },

  tokens_remove_secondary: async (ctx) => {
    await mutateOrg(ctx, (org) => {
      const record = findRefreshToken(org, ctx.params.refreshTokenId);
      assertTokenWithin(org, callerOf(ctx), record, 'revoke');
      if (!record.secondary) throw errors.notFound(`refresh token ${record.name} has no secondary token pair`, { parameter: { id: 'refreshTokenId', location: 'path', value: ctx.params.refreshTokenId } });
      removeSecondaryPair(org, record, modelEnv(ctx));
    });
    return noContent();
  },

  tokens_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => {
      const record = findRefreshToken(org, ctx.params.refreshTokenId);
      assertTokenWithin(org, callerOf(ctx), record, 'revoke');
      if (record.token_type === 'default') {
        throw errors.badRequest(`refresh token ${record.name} is the default token of its ${record.owner_type}; reset it (tokens_reset) instead of deleting it`, {
          parameter: { id: 'refreshTokenId', location: 'path', value: ctx.params.refreshTokenId },
        });
      }
      deleteRefreshToken(org, record);
    });
    return noContent();
  },
});

export const tokensFacts: SynqlyFacts = {
  // a RefreshToken's own refresh secret refreshes that RefreshToken, whatever surface its access
  // secret is for (organization and integration tokens alike: DECISIONS "tokens", contract §4.3)
  tokens_refresh: { acceptsOwnRefreshSecret: true },
};
