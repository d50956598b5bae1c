import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Store } from './store/store.ts';

/**
 * Background work one replica at a time does (Synqly webhook deliveries and scheduled-run events,
 * DECISIONS "shared store"). On a store of its own a twin always holds its leases. On a shared
 * store the lease is a row in PostgreSQL, renewed every `renewMs`; a holder that stops renewing
 * it (killed, cut off from the database) loses it after `ttlMs`, and another replica takes it over.
 */
export interface Lease {
  /** whether this replica holds the lease now */
  held(): boolean;
  /** called after every renewal attempt while the twin runs (shared store only), with the outcome */
  onTick(listener: (held: boolean) => void): void;
  /** stops renewing and gives the lease up, so another replica takes over at once */
  close(): Promise<void>;
}

export interface LeaseOptions {
  ttlMs?: number;
  renewMs?: number;
}

export function createLease(store: Store, name: string, holder: string, logger: Logger, options: LeaseOptions = {}): Lease {
  const log = store.shared;
  if (!log) return { held: () => true, onTick: () => {}, close: async () => {} };
  const ttlMs = options.ttlMs ?? 5000;
  const renewMs = options.renewMs ?? 1000;
  // counted from before the renewal was sent, less one renewal period of margin for clock drift
  let heldUntil = 0;
  let closed = false;
  let ticking: Promise<void> | undefined;
  const listeners: Array<(held: boolean) => void> = [];
  const tick = async () => {
    const sent = performance.now();
    let held = false;
    try {
      held = await log.lease(name, holder, ttlMs);
      if (held) await store.sync();
    } catch (err) {
      logger.debug({ err, lease: name }, 'lease not renewed');
      held = false;
    }
    const was = heldUntil > performance.now();
    heldUntil = held ? sent + ttlMs - renewMs : 0;
    if (held !== was) logger.info({ lease: name, holder }, held ? 'took the lease' : 'lost the lease');
    if (closed) return;
    for (const listener of listeners) {
      try {
        listener(held);
      } catch (err) {
        logger.error({ err, lease: name }, 'a lease listener failed');
      }
    }
  };
  const run = () => {
    if (!ticking) ticking = tick().finally(() => (ticking = undefined));
  };
  const timer = setInterval(run, renewMs);
  timer.unref();
  setImmediate(run);
  return {
    held: () => !closed && heldUntil > performance.now(),
    onTick: (listener) => listeners.push(listener),
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await ticking;
      if (heldUntil > performance.now()) await log.releaseLease(name, holder).catch(() => {});
      heldUntil = 0;
    },
  };
}
