import autocannon, { type Options } from 'autocannon';
import { percentile, round } from './procs.ts';

/** One load run with autocannon; latencies are taken from every response (ms, not rounded). */

export interface LoadResult {
  /** responses with the expected status per second */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** responses whose status was not the expected one */
  unexpected: number;
  /** connection errors and timeouts */
  errors: number;
  statuses: Record<string, number>;
  durationS: number;
}

export interface LoadOptions extends Omit<Options, 'url'> {
  url: string;
  /** the status a successful response has (default: any 2xx) */
  expect?: number;
}

export function load(options: LoadOptions): Promise<LoadResult> {
  const { expect, ...opts } = options;
  const latencies: number[] = [];
  let ok = 0;
  let unexpected = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon({ timeout: 10, ...opts }, (err, result) => {
      if (err) return reject(err);
      const sorted = latencies.sort((a, b) => a - b);
      const statuses: Record<string, number> = {};
      for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = Number(count);
      resolve({
        rps: round(ok / result.duration, 0),
        p50Ms: round(percentile(sorted, 50), 2),
        p99Ms: round(percentile(sorted, 99), 2),
        requests: ok + unexpected,
        unexpected,
        errors: result.errors + result.timeouts,
        statuses,
        durationS: round(result.duration, 2),
      });
    });
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      const good = expect === undefined ? status >= 200 && status < 300 : status === expect;
      if (good) {
        ok++;
        latencies.push(ms);
      } else unexpected++;
    });
  });
}
