import { useEffect, useState } from 'preact/hooks';
import type { ListenerName } from './api/types.ts';

/**
 * The dashboard's own small router: history API under /__ui, a table of path patterns, and the
 * listener each page must run on (a page that calls a vendor API lives on that vendor's listener).
 */

export const BASE = '/__ui';

export type RouteName =
  | 'tenants'
  | 'synqly-accounts'
  | 'synqly-integrations'
  | 'synqly-tokens'
  | 'synqly-members'
  | 'connxio-integrations'
  | 'connxio-api-keys'
  | 'connxio-custom-apis'
  | 'connxio-custom-api-new'
  | 'connxio-custom-api'
  | 'requests'
  | 'messages'
  | 'webhook-deliveries'
  | 'faults'
  | 'stubs';

interface RouteDef {
  name: RouteName;
  pattern: string;
  title: string;
  /** the listener the page must be served by (undefined: any) */
  listener?: ListenerName;
}

export const ROUTES: RouteDef[] = [
  { name: 'tenants', pattern: '/tenants', title: 'Tenants' },
  { name: 'synqly-accounts', pattern: '/synqly/:tenant/accounts', title: 'Synqly accounts', listener: 'synqly' },
  { name: 'synqly-integrations', pattern: '/synqly/:tenant/integrations', title: 'Synqly integrations', listener: 'synqly' },
  { name: 'synqly-tokens', pattern: '/synqly/:tenant/tokens', title: 'Synqly tokens', listener: 'synqly' },
  { name: 'synqly-members', pattern: '/synqly/:tenant/members', title: 'Synqly members and roles', listener: 'synqly' },
  { name: 'connxio-integrations', pattern: '/connxio/:tenant/integrations', title: 'Connxio integrations', listener: 'connxio' },
  { name: 'connxio-api-keys', pattern: '/connxio/:tenant/api-keys', title: 'Connxio API keys', listener: 'connxio' },
  { name: 'connxio-custom-apis', pattern: '/connxio/:tenant/custom-apis', title: 'Connxio Custom APIs', listener: 'connxio' },
  { name: 'connxio-custom-api-new', pattern: '/connxio/:tenant/custom-apis/new', title: 'New Custom API', listener: 'connxio' },
  { name: 'connxio-custom-api', pattern: '/connxio/:tenant/custom-apis/:id', title: 'Custom API', listener: 'connxio' },
  { name: 'requests', pattern: '/requests', title: 'Request journal' },
  { name: 'messages', pattern: '/messages', title: 'Message journal' },
  { name: 'webhook-deliveries', pattern: '/webhook-deliveries', title: 'Webhook deliveries' },
  { name: 'faults', pattern: '/faults', title: 'Faults and clock' },
  { name: 'stubs', pattern: '/stubs', title: 'Response stubs' },
];

export interface Match {
  route: RouteDef;
  params: Record<string, string>;
  query: URLSearchParams;
}

export function match(pathname: string, search = ''): Match | undefined {
  const rel = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rel.split('/').filter(Boolean);
  for (const route of ROUTES) {
    const pattern = route.pattern.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    pattern.forEach((p, i) => {
      if (!ok) return;
      if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(parts[i]!);
      else if (p !== parts[i]) ok = false;
    });
    if (ok) return { route, params, query: new URLSearchParams(search) };
  }
  return undefined;
}

export function pathFor(name: RouteName, params: Record<string, string> = {}, query?: Record<string, string | undefined>): string {
  const route = ROUTES.find((r) => r.name === name)!;
  const path = route.pattern.replace(/:([a-z]+)/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));
  const q = query ? new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString() : '';
  return `${BASE}${path}${q ? `?${q}` : ''}`;
}

export function routeFor(name: RouteName): RouteDef {
  return ROUTES.find((r) => r.name === name)!;
}

const listeners = new Set<() => void>();

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  for (const l of listeners) l();
}

/** Replaces the query string without a new history entry or a focus move (filters). */
export function setQuery(query: Record<string, string | undefined>): void {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const text = params.toString();
  history.replaceState(null, '', `${location.pathname}${text ? `?${text}` : ''}`);
}

export function useLocation(): { pathname: string; search: string } {
  const [loc, setLoc] = useState({ pathname: location.pathname, search: location.search });
  useEffect(() => {
    const update = () => setLoc({ pathname: location.pathname, search: location.search });
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return loc;
}
