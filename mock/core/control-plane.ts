import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, errors } from './errors.ts';

/**
 * What a browser must not be able to do to the control API (/__admin) and the dashboard (/__ui)
 * (DECISIONS "control plane and browsers"):
 * - DNS rebinding: bound to loopback, only `127.0.0.1`, `localhost`, `[::1]` (or a name given with
 *   `--allowed-host`) with the port the request arrived on are accepted as `Host` (others 421);
 * - cross-site writes: a POST/PUT/PATCH/DELETE whose `Origin` (or `Referer` without an Origin) is
 *   not the twin's own is refused (403), and every write must carry a JSON content type or the
 *   `X-Apitwin-Client` header (or the admin token header), which a page on another site can only
 *   send after a CORS preflight the control API never grants.
 * Vendor APIs are not affected.
 */

export const CLIENT_HEADER = 'x-apitwin-client';
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ControlPlanePolicy {
  /** the address the listeners are bound to; the Host check applies when it is a loopback address */
  bindHost: string;
  /** extra accepted Host names (`name` = with the request's port, or `name:port`) */
  allowedHosts: readonly string[];
  /** the listeners' base URLs once bound: their origins count as the twin's own */
  listeners: Partial<Record<string, string>>;
}

export interface ControlPlaneRequest {
  method: string;
  headers: IncomingHttpHeaders;
  /** the local port the request arrived on */
  localPort?: number;
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

/** the refusal for this request, or undefined when the control plane may serve it */
export function controlPlaneRefusal(request: ControlPlaneRequest, policy: ControlPlanePolicy): ApiError | undefined {
  const host = headerValue(request.headers.host)?.toLowerCase();
  if (isLoopbackHost(policy.bindHost) && !hostAccepted(host, request.localPort, policy.allowedHosts)) {
    return new ApiError('misdirected_request', `the control API and dashboard answer only to 127.0.0.1, localhost and [::1]${policy.allowedHosts.length ? ` or ${policy.allowedHosts.join(', ')}` : ''} as Host (got ${host ? JSON.stringify(host) : 'none'}); start the twin with --allowed-host <name> to add a name`);
  }
  if (!WRITE_METHODS.has(request.method.toUpperCase())) return undefined;
  const origin = headerValue(request.headers.origin);
  const referer = origin === undefined ? headerValue(request.headers.referer) : undefined;
  const source = origin ?? referer;
  if (source !== undefined && !isOwnOrigin(source, host, policy)) {
    return errors.forbidden(`cross-site request refused: the control API takes writes only from the twin's own pages (${origin !== undefined ? 'Origin' : 'Referer'} ${JSON.stringify(source.slice(0, 200))})`);
  }
  if (!sendsJson(request.headers) && headerValue(request.headers[CLIENT_HEADER]) === undefined && headerValue(request.headers['x-apitwin-admin-token']) === undefined) {
    return errors.forbidden('control-API writes need Content-Type: application/json or an X-Apitwin-Client header (any value), so that no other web page can send them');
  }
  return undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v;
}

function sendsJson(headers: IncomingHttpHeaders): boolean {
  const media = (headerValue(headers['content-type']) ?? '').split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

function splitHost(host: string): { name: string; port?: string } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(host);
  return m ? { name: m[1]!.toLowerCase(), port: m[2] } : undefined;
}

function hostAccepted(host: string | undefined, localPort: number | undefined, allowed: readonly string[]): boolean {
  if (!host) return false;
  const parts = splitHost(host);
  if (!parts) return false;
  // "with the port": the port the request arrived on (a browser leaves out only the default port 80)
  const portMatches = localPort === undefined || (parts.port === undefined ? localPort === 80 : Number(parts.port) === localPort);
  if (LOOPBACK_NAMES.includes(parts.name)) return portMatches;
  for (const entry of allowed) {
    const a = splitHost(entry.toLowerCase());
    if (!a || a.name !== parts.name) continue;
    if (a.port !== undefined ? a.port === (parts.port ?? '80') : portMatches) return true;
  }
  return false;
}

function isOwnOrigin(source: string, host: string | undefined, policy: ControlPlanePolicy): boolean {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return false; // `Origin: null` (sandboxed frames, file: pages) and garbage are nobody's own
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (host !== undefined && url.host.toLowerCase() === host) return true;
  return Object.values(policy.listeners).some((base) => base !== undefined && new URL(base).host === url.host);
}
