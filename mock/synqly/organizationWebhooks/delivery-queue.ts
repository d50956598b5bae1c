import type { Logger } from 'pino';

/**
 * The bounded work queue under webhook delivery: at most `maxConcurrent` jobs run at once, at most
 * `maxQueued` wait for a slot, and timers hold work for later. It counts the deliveries that are
 * outstanding (begun and not yet ended) so `idle()` can wait for them; `close()` abandons the
 * waiting jobs and timers, ending one delivery for each.
 */

export interface DeliveryQueue<J> {
  /** one more delivery is outstanding */
  begin(): void;
  /** a delivery ended (delivered, failed or abandoned) */
  end(): void;
  /** queues a job for a free slot: 'full' beyond `maxQueued`, 'closed' after close() (the caller ends the delivery) */
  submit(job: J): 'queued' | 'full' | 'closed';
  /** runs `fn` after `delayMs` unless the queue closes first (then the delivery it stands for is abandoned) */
  later(fn: () => void, delayMs: number): void;
  /** resolves when no delivery is outstanding */
  idle(): Promise<void>;
  /** stops: drops waiting jobs and timers (ending their deliveries) and aborts `signal`; resolves as idle() */
  close(): Promise<void>;
  readonly closed: boolean;
  /** aborted on close(), for the work in flight */
  readonly signal: AbortSignal;
}

export function createDeliveryQueue<J>(run: (job: J) => Promise<void>, limits: { maxConcurrent: number; maxQueued: number }, logger: Logger): DeliveryQueue<J> {
  const ready: J[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const stopping = new AbortController();
  let active = 0;
  let outstanding = 0;
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  const end = () => {
    outstanding--;
    if (outstanding > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };
  const idle = (): Promise<void> => (outstanding === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve)));

  const pump = () => {
    while (!closed && active < limits.maxConcurrent && ready.length > 0) {
      const job = ready.shift()!;
      active++;
      run(job)
        .catch((err: unknown) => {
          logger.error({ err }, 'a webhook delivery attempt failed unexpectedly');
          end();
        })
        .finally(() => {
          active--;
          pump();
        });
    }
  };

  return {
    begin: () => void outstanding++,
    end,
    submit(job) {
      if (closed) return 'closed';
      if (ready.length >= limits.maxQueued) return 'full';
      ready.push(job);
      pump();
      return 'queued';
    },
    later(fn, delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, delayMs);
      timer.unref();
      timers.add(timer);
    },
    idle,
    close() {
      if (!closed) {
        closed = true;
        stopping.abort();
        const abandoned = timers.size + ready.length;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        ready.length = 0;
        for (let i = 0; i < abandoned; i++) end();
      }
      return idle();
    },
    get closed() {
      return closed;
    },
    signal: stopping.signal,
  };
}
