import type { Random } from './random.ts';
import type { FaultVendor } from './faults.ts';

/**
 * Optional rate limits, set through the control API (`/__admin/rate-limits`): a rule allows
 * `limit` calls per `windowSeconds` for each credential of a vendor (a Synqly token, a Connxio or
 * Custom API key), optionally for one operation only. Windows are fixed and aligned on the twin's
 * clock. A call over the limit is answered 429 with Retry-After; every call a rule counts carries
 * X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (epoch seconds of the window's
 * end, the form the Synqly SDKs read). Control state, like faults: kept in memory, not persisted.
 */

export interface RateLimitRule {
  id: string;
  vendor: FaultVendor;
  /** omitted = every operation of the vendor, counted together */
  operationId?: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitVerdict {
  /** the headers every response of this call carries */
  headers: Record<string, string>;
  /** set when the call is over the limit: seconds until the window ends */
  retryAfterSeconds?: number;
}

export interface RateLimits {
  add(rule: Omit<RateLimitRule, 'id'>): RateLimitRule;
  list(): RateLimitRule[];
  remove(id: string): boolean;
  clear(): void;
  /** counts one call of `credential`; undefined when no rule applies */
  check(vendor: string, operationId: string, credential: string, nowMs: number): RateLimitVerdict | undefined;
}

interface Window {
  start: number;
  count: number;
}

const MAX_COUNTERS = 10_000;

export function createRateLimits(random: Random): RateLimits {
  let rules: RateLimitRule[] = [];
  const windows = new Map<string, Window>();
  return {
    add(rule) {
      const added: RateLimitRule = { id: random.uuid(), vendor: rule.vendor, ...(rule.operationId ? { operationId: rule.operationId } : {}), limit: rule.limit, windowSeconds: rule.windowSeconds };
      rules.push(added);
      return { ...added };
    },
    list: () => rules.map((r) => ({ ...r })),
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.id !== id);
      for (const key of windows.keys()) if (key.startsWith(`${id}|`)) windows.delete(key);
      return rules.length < before;
    },
    clear() {
      rules = [];
      windows.clear();
    },
    check(vendor, operationId, credential, nowMs) {
      if (rules.length === 0) return undefined;
      const rule = rules.find((r) => r.vendor === vendor && (r.operationId === undefined || r.operationId === operationId));
      if (!rule) return undefined;
      const windowMs = rule.windowSeconds * 1000;
      const start = Math.floor(nowMs / windowMs) * windowMs;
      const key = `${rule.id}|${credential}`;
      let w = windows.get(key);
      if (!w || w.start !== start) {
        if (!w && windows.size >= MAX_COUNTERS) prune(windows, nowMs, rules);
        w = { start, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      const end = start + windowMs;
      const headers = {
        'X-RateLimit-Limit': String(rule.limit),
        'X-RateLimit-Remaining': String(Math.max(0, rule.limit - w.count)),
        'X-RateLimit-Reset': String(Math.ceil(end / 1000)),
      };
      if (w.count <= rule.limit) return { headers };
      return { headers, retryAfterSeconds: Math.max(1, Math.ceil((end - nowMs) / 1000)) };
    },
  };
}

/** drops counters of windows that have ended */
function prune(windows: Map<string, Window>, nowMs: number, rules: RateLimitRule[]): void {
  const windowOf = new Map(rules.map((r) => [r.id, r.windowSeconds * 1000]));
  for (const [key, w] of windows) {
    const ms = windowOf.get(key.slice(0, key.indexOf('|')));
    if (ms === undefined || w.start + ms <= nowMs) windows.delete(key);
  }
}
