import type { HandlerContext, HandlerResult } from '../core/pipeline.ts';
import type { SynqlyPrincipal } from './auth.ts';
import { orgState, type OrgState } from './state.ts';
import type { ModelEnv } from '../core/model-env.ts';

/** Helpers every Synqly family uses to reach its organization's state and answer in the envelope. */

export type SynqlyContext = HandlerContext<SynqlyPrincipal>;

export function modelEnv(ctx: SynqlyContext): ModelEnv {
  return { nowMs: ctx.env.clock.now(), random: ctx.env.random };
}

/** the caller's organization, read-only */
export function readOrg(ctx: SynqlyContext): OrgState {
  return orgState(ctx.env.store.reader, ctx.principal.organization.id);
}

/** runs `fn` as one transaction on the caller's organization; resolves once durable */
export function mutateOrg<R>(ctx: SynqlyContext, fn: (org: OrgState) => R): Promise<R> {
  return ctx.env.store.transact((tx) => fn(orgState(tx, ctx.principal.organization.id)));
}

/** `{"result": …}` plus documented siblings such as `total` */
export function ok(result: unknown, siblings: Record<string, unknown> = {}): HandlerResult {
  const body: Record<string, unknown> = { result };
  for (const k of Object.keys(siblings)) {
    const v = siblings[k];
    if (v !== undefined) body[k] = v;
  }
  return { status: 200, body };
}

export function noContent(): HandlerResult {
  return { status: 204 };
}
