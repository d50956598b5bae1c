import type { Clock } from './clock.ts';
import type { FaultRule, FaultRules, FaultVendor } from './faults.ts';
import type { Random } from './random.ts';
import type { RateLimitRule, RateLimits } from './rate-limits.ts';
import type { Store, Tx } from './store/store.ts';

/**
 * Replicas of a shared store behave as one twin (DECISIONS "shared store"): the settings the
 * control API changes live in the store, so every replica applies the same ones.
 * - the clock: its offset from real time (or its frozen instant) in `twin/settings` → `clock`;
 *   an advance is computed inside a transaction, so two replicas advancing at once add up;
 * - fault rules: records of `twin/faults`; a matching request consumes one of a rule's `times`
 *   in a transaction, so `times` is counted once across all replicas.
 * - rate limits: rules in `twin/rate-limits`, each credential's count per window in
 *   `twin/rate-windows`, counted in a transaction when a rule applies to the call.
 * Twins on a store of their own keep these in memory (clock.ts, faults.ts, rate-limits.ts), as before.
 */

const SETTINGS = 'twin/settings';
const FAULTS = 'twin/faults';
const RATE_LIMITS = 'twin/rate-limits';
const RATE_WINDOWS = 'twin/rate-windows';

interface ClockRecord {
  [key: string]: unknown;
  id: 'clock';
  /** real time + offsetMs, or the frozen instant */
  offsetMs: number;
  fixedMs?: number;
}

export interface SharedClock {
  set(epochMs: number): Promise<void>;
  advance(ms: number): Promise<void>;
}

/** Keeps `clock` in step with the store's clock record (applied at start and whenever another replica moves it). */
export function shareClock(clock: Clock, store: Store, realNow: () => number = Date.now): SharedClock {
  let applied: ClockRecord | undefined;
  const apply = (record: ClockRecord | undefined) => {
    if (!record || record === applied) return;
    applied = record;
    const target = clock.frozen && record.fixedMs !== undefined ? record.fixedMs : realNow() + record.offsetMs;
    if (Math.abs(target - clock.now()) > 0) clock.set(target);
  };
  const current = (tx: Tx): ClockRecord => tx.get<ClockRecord>(SETTINGS, 'clock') ?? { id: 'clock', offsetMs: clock.now() - realNow(), ...(clock.frozen ? { fixedMs: clock.now() } : {}) };
  const write = async (next: (c: ClockRecord) => ClockRecord) => {
    const record = await store.transact((tx) => {
      const r = next(current(tx));
      tx.put(SETTINGS, 'clock', r);
      return r;
    });
    apply(record);
  };
  apply(store.reader.get<ClockRecord>(SETTINGS, 'clock'));
  store.onRemoteChange(() => apply(store.reader.get<ClockRecord>(SETTINGS, 'clock')));
  return {
    set: (epochMs) => write(() => ({ id: 'clock', offsetMs: epochMs - realNow(), ...(clock.frozen ? { fixedMs: epochMs } : {}) })),
    advance: (ms) => write((c) => ({ id: 'clock', offsetMs: c.offsetMs + ms, ...(c.fixedMs !== undefined ? { fixedMs: c.fixedMs + ms } : {}) })),
  };
}

/** fault rules whose changes and `times` are transactions of the shared store */
export type SharedFaultRules = { [K in keyof FaultRules]: (...args: Parameters<FaultRules[K]>) => ReturnType<FaultRules[K]> | Promise<ReturnType<FaultRules[K]>> };

type StoredRule = FaultRule & { [key: string]: unknown; order: number };

function ordered(tx: Tx): StoredRule[] {
  return tx.values<StoredRule>(FAULTS).sort((a, b) => a.order - b.order);
}

function view(rule: StoredRule): FaultRule {
  const { order: _order, ...rest } = rule;
  return rest;
}

export function createSharedFaultRules(store: Store, random: Random): SharedFaultRules {
  let counter = 0;
  const matches = (vendor: FaultVendor, operationId: string) => (r: FaultRule) => r.vendor === vendor && (r.operationId === undefined || r.operationId === operationId);
  return {
    add: (rule) =>
      store.transact((tx) => {
        const added: StoredRule = { ...rule, id: random.uuid(), matched: 0, order: Date.now() * 1000 + (counter++ % 1000) };
        tx.put(FAULTS, added.id, added);
        return view(added);
      }),
    list: () => ordered(store.reader).map(view),
    remove: (id) =>
      store.transact((tx) => {
        if (!tx.get(FAULTS, id)) return false;
        tx.del(FAULTS, id);
        return true;
      }),
    clear: () => store.transact((tx) => tx.drop(FAULTS)),
    take: (vendor, operationId) => {
      // no matching rule as of this request's sync: no transaction on the hot path
      if (store.reader.count(FAULTS) === 0 || !store.reader.values<StoredRule>(FAULTS).some(matches(vendor, operationId))) return undefined;
      return store.transact((tx) => {
        const rule = ordered(tx).find(matches(vendor, operationId));
        if (!rule) return undefined;
        const next: StoredRule = { ...rule, matched: rule.matched + 1, ...(rule.times !== undefined ? { times: rule.times - 1 } : {}) };
        if (next.times !== undefined && next.times <= 0) tx.del(FAULTS, rule.id);
        else tx.put(FAULTS, rule.id, next);
        return view(next);
      });
    },
  };
}

/** rate limits whose rules and counters are records of the shared store */
export type SharedRateLimits = { [K in keyof RateLimits]: (...args: Parameters<RateLimits[K]>) => ReturnType<RateLimits[K]> | Promise<ReturnType<RateLimits[K]>> };

type StoredLimit = RateLimitRule & { [key: string]: unknown; order: number };
type WindowRecord = { [key: string]: unknown; id: string; rule: string; start: number; end: number; count: number };

export function createSharedRateLimits(store: Store, random: Random): SharedRateLimits {
  let counter = 0;
  const rules = (tx: Tx) => tx.values<StoredLimit>(RATE_LIMITS).sort((a, b) => a.order - b.order);
  const view = ({ order: _order, ...rule }: StoredLimit): RateLimitRule => rule;
  const applies = (vendor: string, operationId: string) => (r: RateLimitRule) => r.vendor === vendor && (r.operationId === undefined || r.operationId === operationId);
  return {
    add: (rule) =>
      store.transact((tx) => {
        const added: StoredLimit = { id: random.uuid(), vendor: rule.vendor, ...(rule.operationId ? { operationId: rule.operationId } : {}), limit: rule.limit, windowSeconds: rule.windowSeconds, order: Date.now() * 1000 + (counter++ % 1000) };
        tx.put(RATE_LIMITS, added.id, added);
        return view(added);
      }),
    list: () => rules(store.reader).map(view),
    remove: (id) =>
      store.transact((tx) => {
        if (!tx.get(RATE_LIMITS, id)) return false;
        tx.del(RATE_LIMITS, id);
        for (const w of tx.values<WindowRecord>(RATE_WINDOWS)) if (w.rule === id) tx.del(RATE_WINDOWS, w.id);
        return true;
      }),
    clear: () =>
      store.transact((tx) => {
        tx.drop(RATE_LIMITS);
        tx.drop(RATE_WINDOWS);
      }),
    check: (vendor, operationId, credential, nowMs) => {
      if (store.reader.count(RATE_LIMITS) === 0 || !store.reader.values<StoredLimit>(RATE_LIMITS).some(applies(vendor, operationId))) return undefined;
      return store.transact((tx) => {
        const rule = rules(tx).find(applies(vendor, operationId));
        if (!rule) return undefined;
        const windowMs = rule.windowSeconds * 1000;
        const start = Math.floor(nowMs / windowMs) * windowMs;
        const end = start + windowMs;
        const id = `${rule.id}|${credential}`;
        const current = tx.get<WindowRecord>(RATE_WINDOWS, id);
        const count = current && current.start === start ? current.count + 1 : 1;
        tx.put(RATE_WINDOWS, id, { id, rule: rule.id, start, end, count });
        const headers = {
          'X-RateLimit-Limit': String(rule.limit),
          'X-RateLimit-Remaining': String(Math.max(0, rule.limit - count)),
          'X-RateLimit-Reset': String(Math.ceil(end / 1000)),
        };
        if (count <= rule.limit) return { headers };
        return { headers, retryAfterSeconds: Math.max(1, Math.ceil((end - nowMs) / 1000)) };
      });
    },
  };
}
