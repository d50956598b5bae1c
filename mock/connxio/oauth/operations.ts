import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/connxio.ts';
import type { ConnxioCaller } from '../auth.ts';
import { modelEnv } from '../context.ts';
import { basicClientCredentials, issueToken } from './model.ts';

export const oauthOperations = operationTable<ConnxioCaller, operations>({
  oauth_token: async (ctx) => {
    const authorization = ctx.request.headers.authorization;
    const basic = basicClientCredentials(typeof authorization === 'string' ? authorization : undefined);
    const token = await ctx.env.store.transact((tx) => issueToken(tx, (ctx.body ?? {}), modelEnv(ctx), basic));
    return { body: token, headers: { 'cache-control': 'no-store', pragma: 'no-cache' } };
  },
});

/** operations whose every error is an OAuth error response (RFC 6749 §5.2), not ProblemDetails */
export const oauthErrorOperations: ReadonlySet<string> = new Set(['oauth_token']);
