import type { Random } from './random.ts';

/** What a model needs from the outside world: the time and the randomness, both injected. */
export interface ModelEnv {
  nowMs: number;
  random: Random;
}

let lastMs = Number.NaN;
let lastIso = '';

/** A timestamp as the vendors write it (ISO 8601, UTC, milliseconds); the last one is kept (calls of the same millisecond share it). */
export function iso(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
