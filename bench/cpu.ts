import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/**
 * The CPU time a server process spends per request, read from /proc/<pid>/stat (user + system
 * time of all its threads) around a fixed number of requests. Unlike req/s this hardly depends on
 * how the load generator and the server share the machine's cores, so two servers compare more
 * steadily by it. Linux only.
 */

/** clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux) */
const TICKS_PER_SECOND = 100;

export interface CpuCost {
  /** user + system µs per request */
  total: number;
  user: number;
  system: number;
}

/** user + system CPU time of a process so far, in µs */
function cpuMicros(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces) start after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1_000_000) / TICKS_PER_SECOND, system: (Number(fields[12]) * 1_000_000) / TICKS_PER_SECOND };
}

/** whether this machine has /proc/<pid>/stat to read */
export function canMeasureCpu(): boolean {
  try {
    cpuMicros(process.pid);
    return true;
  } catch {
    return false;
  }
}

function send(url: string, headers: Record<string, string>, amount: number, connections: number): Promise<{ ok: number; other: number }> {
  return new Promise((resolve, reject) => {
    let ok = 0;
    let other = 0;
    const instance = autocannon({ url, headers, connections, amount, timeout: 30 }, (err) => (err ? reject(err) : resolve({ ok, other })));
    instance.on('response', (_c: unknown, status: number) => {
      if (status === 200) ok++;
      else other++;
    });
  });
}

/**
 * µs of `pid`'s CPU per GET of `url`, over `requests` requests from `connections` clients, after
 * a warm-up of half as many (so the JIT has settled). Throws when a response was not 200.
 */
export async function cpuPerRequest(pid: number, url: string, headers: Record<string, string>, requests: number, connections: number): Promise<CpuCost> {
  await send(url, headers, Math.max(1000, requests >> 1), connections);
  const before = cpuMicros(pid);
  const { ok, other } = await send(url, headers, requests, connections);
  const after = cpuMicros(pid);
  if (other > 0 || ok === 0) throw new Error(`${url}: ${other} responses were not 200 (of ${ok + other})`);
  const user = (after.user - before.user) / ok;
  const system = (after.system - before.system) / ok;
  return { total: user + system, user, system };
}
