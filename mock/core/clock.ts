/**
 * The twin's only source of time. Real time plus an offset that the control API can move, so a
 * test can jump past a token's expiry; or frozen at a fixed instant for reproducible runs.
 */
export interface Clock {
  now(): number;
  nowIso(): string;
  advance(ms: number): void;
  set(epochMs: number): void;
  /** whether time stands still between calls (set with `frozen: true`) */
  readonly frozen: boolean;
  /** calls `listener` after every advance or set (not as real time passes); returns the unsubscribe */
  onMove(listener: () => void): () => void;
}

export function createClock(options: { start?: number; frozen?: boolean; realNow?: () => number } = {}): Clock {
  const realNow = options.realNow ?? Date.now;
  const frozen = options.frozen ?? false;
  let offset = options.start === undefined ? 0 : options.start - realNow();
  let fixed = options.start ?? realNow();
  const now = () => (frozen ? fixed : realNow() + offset);
  // many calls share a millisecond under load: format each instant once
  let lastMs = NaN;
  let lastIso = '';
  const listeners = new Set<() => void>();
  const moved = () => {
    for (const listener of listeners) listener();
  };
  return {
    frozen,
    now,
    nowIso: () => {
      const ms = now();
      if (ms !== lastMs) {
        lastIso = new Date(ms).toISOString();
        lastMs = ms;
      }
      return lastIso;
    },
    advance(ms) {
      if (frozen) fixed += ms;
      else offset += ms;
      moved();
    },
    set(epochMs) {
      if (frozen) fixed = epochMs;
      else offset = epochMs - realNow();
      moved();
    },
    onMove(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
