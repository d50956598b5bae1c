import { useEffect, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  /** replaces the shown data until the next load (e.g. after clearing a journal) */
  setData: (data: T | undefined) => void;
}

export interface PollOptions<T> {
  /** the pause between the end of one load and the start of the next */
  intervalMs: number;
  /** false: load once per change of deps, no refresh (default true) */
  live?: boolean;
  /** wait this long before the first load (debounces typing in filters); absent: load at once */
  firstDelayMs?: number;
  /** called with each successful answer, after data is set */
  onData?: (data: T) => void;
}

/**
 * Loads with `load`, then again every `intervalMs` while `live`. A change of `deps` (or of `live`)
 * starts over; answers that arrive after that are dropped. A failed load shows its error until a
 * later one succeeds.
 */
export function usePolling<T>(load: () => Promise<T>, deps: unknown[], options: PollOptions<T>): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const live = options.live ?? true;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const value = await load();
        if (!stopped) {
          setData(value);
          setError(undefined);
          options.onData?.(value);
        }
      } catch (err) {
        if (!stopped) setError(err);
      }
      if (!stopped && live) timer = setTimeout(tick, options.intervalMs);
    };
    let first: ReturnType<typeof setTimeout> | undefined;
    if (options.firstDelayMs === undefined) void tick();
    else first = setTimeout(tick, options.firstDelayMs);
    return () => {
      stopped = true;
      clearTimeout(first);
      clearTimeout(timer);
    };
  }, [...deps, live]);
  return { data, error, setData };
}
