import { errors } from '../core/errors.ts';
import type { HandlerContext } from '../core/pipeline.ts';
import { isPrincipal, type ConnxioCaller, type ConnxioPrincipal } from './auth.ts';
import { companyState, type CompanyState } from './state.ts';
import type { ModelEnv } from '../core/model-env.ts';

/** Helpers every Connxio family uses to reach its company's state. */

export type ConnxioContext = HandlerContext<ConnxioCaller>;

export function modelEnv(ctx: ConnxioContext): ModelEnv {
  return { nowMs: ctx.env.clock.now(), random: ctx.env.random };
}

export function principalOf(ctx: ConnxioContext): ConnxioPrincipal {
  if (!isPrincipal(ctx.principal)) throw errors.unauthorized('missing API key', { headers: { 'WWW-Authenticate': 'ApiKey' } });
  return ctx.principal;
}

export function readCompany(ctx: ConnxioContext): CompanyState {
  return companyState(ctx.env.store.reader, principalOf(ctx).company.id);
}

export function mutateCompany<R>(ctx: ConnxioContext, fn: (company: CompanyState) => R): Promise<R> {
  const companyId = principalOf(ctx).company.id;
  return ctx.env.store.transact((tx) => fn(companyState(tx, companyId)));
}

/**
 * The body of an operation whose spec also lists its DataContract XML form, as its handler sees
 * it: the pipeline read that form into the JSON body before validation (aspnet-binding.ts,
 * `aspNetXmlBody`), so the XML text (a string in the generated type) never reaches the handler.
 */
export function decodedBody<T>(body: T | string): T {
  if (typeof body === 'string') throw new Error('an XML request body reached its handler without being read into its JSON form');
  return body;
}
