import { selectedLiveVendors, VENDOR_VARIABLES, type SelectionInput } from './selection.ts';

/**
 * Before a live run: each selected vendor's base URL answers and its credentials are accepted, or
 * the run does not start — one line naming the URL or the variable (never a secret), exit 1,
 * instead of a suite of failures that all say ECONNREFUSED or "expected 200, got 401".
 */

export class PreflightError extends Error {
  override name = 'TargetError';
}

type LiveVendor = 'synqly' | 'connxio';

async function call(url: string, variable: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, headers: { accept: 'application/json', ...(init.headers as Record<string, string>) }, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = (err as Error).name === 'TimeoutError' ? 'no answer within 15 s' : (cause?.code ?? cause?.message ?? (err as Error).message);
    throw new PreflightError(`cannot reach ${new URL(url).origin} (${variable}): ${reason}`);
  }
}

const base = (url: string) => url.replace(/\/$/, '');

export async function preflightLiveTarget(target: string, prefix: string, env: NodeJS.ProcessEnv, selection: SelectionInput): Promise<void> {
  const v = (name: string) => env[`${prefix}${name}`];
  const { explicit, possible } = selectedLiveVendors(selection);
  const configured = (vendor: LiveVendor) => VENDOR_VARIABLES[vendor].required.every((n) => v(n));
  const vendors = (explicit.length ? explicit : possible).filter(configured);
  for (const vendor of vendors) {
    if (vendor === 'synqly') {
      const url = `${base(v('SYNQLY_BASE_URL')!)}/v1/accounts?limit=1`;
      const res = await call(url, `${prefix}SYNQLY_BASE_URL`, { headers: { authorization: `Bearer ${v('SYNQLY_TOKEN')}` } });
      if (res.status === 401) throw new PreflightError(`${target}: ${base(v('SYNQLY_BASE_URL')!)} refused ${prefix}SYNQLY_TOKEN (401 on GET /v1/accounts)`);
      if (res.status === 404 || !(res.headers.get('content-type') ?? '').includes('json')) {
        throw new PreflightError(`${target}: ${prefix}SYNQLY_BASE_URL ${base(v('SYNQLY_BASE_URL')!)} does not look like the Synqly Management API (GET /v1/accounts answered ${res.status} ${res.headers.get('content-type') ?? 'without a content type'})`);
      }
    } else {
      const tokenVariable = v('CONNXIO_TOKEN_URL') ? `${prefix}CONNXIO_TOKEN_URL` : `${prefix}CONNXIO_BASE_URL`;
      const tokenUrl = v('CONNXIO_TOKEN_URL') ?? `${base(v('CONNXIO_BASE_URL')!)}/oauth/token`;
      const tokenRes = await call(tokenUrl, tokenVariable, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: v('CONNXIO_CLIENT_ID')!, client_secret: v('CONNXIO_CLIENT_SECRET')!, scope: 'api://connxio/.default' }),
      });
      if (!tokenRes.ok) throw new PreflightError(`${target}: the token request to ${tokenUrl} answered ${tokenRes.status}: check ${prefix}CONNXIO_CLIENT_ID and ${prefix}CONNXIO_CLIENT_SECRET`);
      const token = ((await tokenRes.json().catch(() => ({}))) as { access_token?: string }).access_token;
      if (!token) throw new PreflightError(`${target}: the token request to ${tokenUrl} returned no access_token (${tokenVariable})`);
      const res = await call(`${base(v('CONNXIO_BASE_URL')!)}/v2/subscriptions/current`, `${prefix}CONNXIO_BASE_URL`, { headers: { 'connxio-api-key': v('CONNXIO_API_KEY')!, authorization: `Bearer ${token}` } });
      if (res.status === 401 || res.status === 403) throw new PreflightError(`${target}: ${base(v('CONNXIO_BASE_URL')!)} refused ${prefix}CONNXIO_API_KEY (${res.status} on GET /v2/subscriptions/current)`);
      if (res.status === 404) throw new PreflightError(`${target}: ${prefix}CONNXIO_BASE_URL ${base(v('CONNXIO_BASE_URL')!)} does not look like the Connxio API (GET /v2/subscriptions/current answered 404)`);
    }
  }
}
