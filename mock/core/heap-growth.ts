import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 may let the old generation grow past what its last full collection found alive
 * before it runs the next one, in percent. V8 picks this factor itself (1.1× to 4× on a machine
 * with 16 GB or more), and under sustained writes it picks near the top: a twin with ~80 MB of
 * live data (100k records) grew its heap to ~370 MB between two full collections, most of it
 * garbage (`bench/peak-rss.ts`; figures in README "Memory bounds"). At 50 % the same run peaks
 * near 215 MiB instead of 300–390; the price is more frequent full collections (7–8 instead of 2
 * in that run), which V8 marks mostly concurrently. `apitwin serve --heap-growth 0` leaves the
 * choice to V8.
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50;

/**
 * Sets V8's heap growing factor for this process. V8 reads it each time it recomputes its limits
 * after a full collection, so setting it at startup, before the store is loaded, takes effect for
 * the whole run (it is not among the flags NODE_OPTIONS accepts, so it cannot come from there).
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
