import FindMyWay from 'find-my-way';
import type { HttpMethod } from './spec.ts';
import { messageOf } from './error-message.ts';
import { isOneOf } from './narrow.ts';

/**
 * Matches a request line to a route generated from a spec path template. Literal segments win
 * over parameters (`/credentials/lookup/{id}` beats `/credentials/{ownerId}/{id}`), and a path
 * that exists for other methods yields their list, for 405 + Allow.
 */

export type RouteMatch<T> =
  | { kind: 'found'; route: T; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: HttpMethod[] }
  | { kind: 'not-found' }
  | { kind: 'bad-path'; message: string };

export interface RouterOptions {
  caseSensitive?: boolean;
  ignoreTrailingSlash?: boolean;
}

/** the methods an Allow header lists */
const ADVERTISED: readonly HttpMethod[] = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'];
/**
 * The methods routes may be added for. HEAD is matched only where a route is added for it (the
 * specs declare none; the Custom API listener adds one to resolve HEAD as its other calls, then
 * answer it 405) and never advertised in Allow.
 */
const ROUTABLE: readonly HttpMethod[] = [...ADVERTISED, 'HEAD'];

export interface Router<T> {
  add(method: HttpMethod, pathTemplate: string, route: T): void;
  match(method: string, pathname: string): RouteMatch<T>;
}

export function createRouter<T>(options: RouterOptions = {}): Router<T> {
  const fmw = FindMyWay({
    caseSensitive: options.caseSensitive ?? true,
    ignoreTrailingSlash: options.ignoreTrailingSlash ?? false,
    ignoreDuplicateSlashes: false,
    maxParamLength: 2048,
  });
  const noop = () => undefined;
  return {
    add(method, pathTemplate, route) {
      fmw.on(method, toFindMyWayPath(pathTemplate), noop, route);
    },
    match(method, pathname) {
      try {
        const found = isOneOf(ROUTABLE, method) ? fmw.find(method, pathname) : null;
        // find-my-way hands back the route add() stored (its type is untyped) and the path's parameters as strings
        if (found) return { kind: 'found', route: found.store as T, params: found.params as Record<string, string> };
        const allow = ADVERTISED.filter((m) => m !== method && fmw.find(m, pathname) !== null);
        return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
      } catch (err) {
        return { kind: 'bad-path', message: messageOf(err) };
      }
    },
  };
}

/** `/v1/accounts/{accountId}` → `/v1/accounts/:accountId`; a literal ':' is escaped as '::'. */
export function toFindMyWayPath(template: string): string {
  return template
    .split('/')
    .map((segment) => {
      const m = /^\{([^}]+)\}$/.exec(segment);
      if (m) return `:${m[1]}`;
      return segment.replaceAll(':', '::');
    })
    .join('/');
}
