/**
 * `npx tsx bench/cpu-get.ts [--requests 20000] [--connections 10] [--rounds 3] [--baseline DIR] [--idle S]`: the CPU time a
 * server process spends per GET by id, read from /proc/<pid>/stat (user + system time) around a
 * fixed number of requests. Unlike req/s this hardly depends on what else the machine runs, so it
 * is the figure to compare before and after a change to the hot path on a shared machine.
 *
 * Sides: bare node:http answering a constant document (the ceiling) and the twin's Synqly
 * accounts_get (built CLI, file store seeded with the demo profile, log level warn), both in their
 * own child process; the load generator (autocannon) runs here. Linux only. Prints µs per request
 * per round and the medians, and the median of the rounds' ratios of the ceiling's cost to the twin's.
 * `--baseline DIR` also measures the twin built in DIR (another checkout with its own `dist/`, e.g. the
 * commit before a change) in the same rounds, right after this one, and prints the median of the
 * rounds' ratios of this twin's cost to the baseline's: on a shared machine the load moves both
 * alike within a round, so that ratio is steadier than two runs one after the other.
 * `--idle S` first has each twin answer the mix of calls `npm run bench` prepares a twin with
 * (twin.ts mixedPrelude), then waits S seconds with nothing to do, as the bench's twin waits
 * through the other rows, before the rounds: past some 8 s V8's memory reducer collects an idle
 * process, which is the state the bench's GET row starts from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuPerRequest, type CpuCost } from './cpu.ts';
import { killChildrenOnSignals, median, round, spawnServer, spawnTwin } from './procs.ts';
import { demoCredentials, firstAccountId, mixedPrelude } from './twin.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string' },
    connections: { type: 'string' },
    rounds: { type: 'string' },
    'cpu-prof': { type: 'string' },
    baseline: { type: 'string' },
    idle: { type: 'string' },
  },
});
const REQUESTS = Number(flags.requests ?? 20_000);
const CONNECTIONS = Number(flags.connections ?? 10);
const ROUNDS = Number(flags.rounds ?? 3);

/** µs of the server's CPU per request, over `REQUESTS` requests (see cpu.ts) */
const measure = (pid: number, url: string, headers: Record<string, string> = {}): Promise<CpuCost> => cpuPerRequest(pid, url, headers, REQUESTS, CONNECTIONS);

const show = (c: CpuCost) => `${round(c.total, 1)} µs/req (user ${round(c.user, 1)}, system ${round(c.system, 1)})`;

async function main(): Promise<void> {
  killChildrenOnSignals();
  const work = mkdtempSync(join(tmpdir(), 'apitwin-cpu-get-'));
  const bare = await spawnServer({
    name: 'bare node:http',
    command: process.execPath,
    args: [join(root, 'bench/servers/bare-http.mjs')],
    readyWhen: (line) => (line.startsWith('{') ? (JSON.parse(line) as { port: number }).port : undefined),
  });
  const profArgs = flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`] : [];
  const twin = await spawnTwin(join(root, 'dist', 'cli.js'), root, ['--db', join(work, 'db.json'), '--profile', 'demo'], 'twin', profArgs);
  const baseline = flags.baseline
    ? await spawnTwin(join(flags.baseline, 'dist', 'cli.js'), flags.baseline, ['--db', join(work, 'baseline.json'), '--profile', 'demo'], 'baseline twin', [])
    : undefined;
  try {
    const twinGet = async (ready: typeof twin.ready) => {
      const { synqlyToken } = demoCredentials(ready);
      const accountId = await firstAccountId(ready.urls.synqly, synqlyToken);
      return { url: `${ready.urls.synqly}/v1/accounts/${accountId}`, auth: { authorization: `Bearer ${synqlyToken}` } };
    };
    const bareUrl = `http://127.0.0.1:${bare.ready}/v1/accounts/x`;
    const target = await twinGet(twin.ready);
    const baseTarget = baseline ? await twinGet(baseline.ready) : undefined;
    if (flags.idle !== undefined) {
      await mixedPrelude(twin.ready);
      if (baseline) await mixedPrelude(baseline.ready);
      await new Promise((resolve) => setTimeout(resolve, Number(flags.idle) * 1000));
    }
    const bareRounds: CpuCost[] = [];
    const twinRounds: CpuCost[] = [];
    const baseRounds: CpuCost[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      bareRounds.push(await measure(bare.pid, bareUrl));
      twinRounds.push(await measure(twin.pid, target.url, target.auth));
      if (baseline && baseTarget) baseRounds.push(await measure(baseline.pid, baseTarget.url, baseTarget.auth));
      const base = baseRounds[r] ? `; baseline twin ${show(baseRounds[r])}` : '';
      process.stderr.write(`round ${r + 1}: bare node:http ${show(bareRounds[r]!)}; twin accounts_get ${show(twinRounds[r]!)}${base}\n`);
    }
    const b = median(bareRounds.map((c) => c.total));
    const t = median(twinRounds.map((c) => c.total));
    // the machine's load moves both sides of a round together: the median of the rounds' ratios is steadier than the ratio of medians
    const ratio = median(bareRounds.map((c, i) => c.total / twinRounds[i]!.total));
    const vsBaseline = baseRounds.length
      ? { baselineGetUsPerReq: round(median(baseRounds.map((c) => c.total)), 1), baselineVsHttp: round(median(bareRounds.map((c, i) => c.total / baseRounds[i]!.total)), 3), twinVsBaseline: round(median(twinRounds.map((c, i) => c.total / baseRounds[i]!.total)), 3) }
      : {};
    process.stdout.write(
      `${JSON.stringify({ requests: REQUESTS, connections: CONNECTIONS, rounds: ROUNDS, bareHttpUsPerReq: round(b, 1), twinGetUsPerReq: round(t, 1), twinVsHttp: round(ratio, 3), ...vsBaseline })}\n`,
    );
  } finally {
    await baseline?.stop('SIGINT');
    await twin.stop('SIGINT');
    await bare.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
