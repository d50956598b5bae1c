/**
 * `npm run bench:shared`: the shared store on PostgreSQL against the file store, in one run.
 *
 *   file store, one twin  |  PostgreSQL, one replica  |  PostgreSQL, two replicas (load split evenly)
 *   × Synqly accounts_get and durable accounts_create (each connection writes; an answer means committed)
 *
 * PostgreSQL is a private cluster (initdb in a temporary directory, fsync on: "durable" means
 * committed to disk, as the file store's fdatasync). Results go to bench/results/shared.{json,md}.
 * Flags: --duration <s> (per row and round, default 5), --rounds <n> (best of n, default 2),
 * --connections <n> (total over the replicas, default 10), --quick (duration 2, rounds 1).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { load, type LoadResult } from './load.ts';
import { killChildrenOnSignals, round, spawnTwin, type Server, type TwinReady } from './procs.ts';
import { demoCredentials, firstAccountId } from './twin.ts';
import { startCluster } from '../mock/core/store/testing/postgres-cluster.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const { values: flags } = parseArgs({ options: { duration: { type: 'string' }, rounds: { type: 'string' }, connections: { type: 'string' }, quick: { type: 'boolean' }, out: { type: 'string' } } });
const quick = flags.quick === true;
const DURATION = Number(flags.duration ?? (quick ? 2 : 5));
const ROUNDS = Number(flags.rounds ?? (quick ? 1 : 2));
const CONNECTIONS = Number(flags.connections ?? 10);
const OUT = flags.out ?? join(root, 'bench', 'results');
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Setup {
  name: string;
  replicas: TwinReady[];
  token: string;
  writerToken: string;
  accountId: string;
}

interface Row {
  setup: string;
  operation: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  unexpected: number;
  errors: number;
}

/** one load per replica at once, the connections split between them; rps summed, latencies the worst replica's */
async function split(setup: Setup, operation: 'get' | 'create', duration: number): Promise<LoadResult & { unexpectedAll: number }> {
  const per = Math.max(1, Math.floor(CONNECTIONS / setup.replicas.length));
  let n = 0;
  const stem = `bench-${Date.now().toString(36)}`;
  const results = await Promise.all(
    setup.replicas.map((r, i) =>
      operation === 'get'
        ? load({ url: `${r.urls.synqly}/v1/accounts/${setup.accountId}`, headers: { authorization: `Bearer ${setup.token}` }, connections: per, duration, expect: 200 })
        : load({
            url: `${r.urls.synqly}/v1/accounts`,
            connections: per,
            duration,
            expect: 200,
            requests: [
              {
                method: 'POST',
                headers: { authorization: `Bearer ${setup.writerToken}`, 'content-type': 'application/json' },
                setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `${stem}-${i}-${n++}` }) }),
              },
            ],
          }),
    ),
  );
  return {
    rps: results.reduce((sum, r) => sum + r.rps, 0),
    p50Ms: Math.max(...results.map((r) => r.p50Ms)),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    unexpected: results.reduce((sum, r) => sum + r.unexpected, 0),
    unexpectedAll: results.reduce((sum, r) => sum + r.unexpected, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    statuses: {},
    durationS: duration,
  };
}

async function prepare(name: string, replicas: TwinReady[]): Promise<Setup> {
  const { synqlyToken } = demoCredentials(replicas[0]!);
  const accountId = await firstAccountId(replicas[0]!.urls.synqly, synqlyToken);
  const writer = await fetch(`${replicas[0]!.urls.synqly}/__admin/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vendor: 'synqly', name: `bench-writes-${replicas.length}-${Date.now().toString(36)}` }) });
  const writerToken = ((await writer.json()) as { credentials: { token: string } }).credentials.token;
  return { name, replicas, token: synqlyToken, writerToken, accountId };
}

async function main(): Promise<void> {
  killChildrenOnSignals();
  const work = mkdtempSync(join(tmpdir(), 'apitwin-bench-shared-'));
  log(`apitwin bench:shared: ${DURATION}s per row × best of ${ROUNDS}, ${CONNECTIONS} connections in total; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)}`);
  const cluster = await startCluster({ fsync: true });
  const servers: Server[] = [];
  const rows: Row[] = [];
  try {
    mkdirSync(join(work, 'file'));
    const file = await spawnTwin(cli, root, ['--db', join(work, 'file', 'db.json'), '--profile', 'demo'], 'file twin');
    servers.push(file);
    const url = await cluster.createDatabase('bench');
    const a = await spawnTwin(cli, root, ['--store', url, '--profile', 'demo'], 'replica A');
    servers.push(a);
    const b = await spawnTwin(cli, root, ['--store', url, '--profile', 'demo'], 'replica B');
    servers.push(b);
    const setups = [
      await prepare('file store, one twin', [file.ready]),
      await prepare('PostgreSQL, one replica', [a.ready]),
      await prepare('PostgreSQL, two replicas', [a.ready, b.ready]),
    ];
    // the two PostgreSQL setups share one database: writes go to each setup's own organization
    for (const operation of ['get', 'create'] as const) {
      for (const setup of setups) {
        let best: (LoadResult & { unexpectedAll: number }) | undefined;
        for (let i = 0; i < ROUNDS; i++) {
          const result = await split(setup, operation, DURATION);
          if (!best || result.rps > best.rps) best = result;
        }
        const row: Row = {
          setup: setup.name,
          operation: operation === 'get' ? 'Synqly accounts_get' : `Synqly accounts_create (durable, ${CONNECTIONS} clients)`,
          rps: best!.rps,
          p50Ms: best!.p50Ms,
          p99Ms: best!.p99Ms,
          unexpected: best!.unexpectedAll,
          errors: best!.errors,
        };
        rows.push(row);
        log(`  ${row.setup.padEnd(26)} ${row.operation.padEnd(45)} ${String(row.rps).padStart(6)}/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms${row.unexpected ? `  (${row.unexpected} unexpected)` : ''}`);
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    cluster.destroy();
    rmSync(work, { recursive: true, force: true });
  }
  const ratio = (operation: string, a: string, b: string) => {
    const x = rows.find((r) => r.operation.startsWith(operation) && r.setup === a);
    const y = rows.find((r) => r.operation.startsWith(operation) && r.setup === b);
    return x && y && y.rps > 0 ? round(x.rps / y.rps, 2) : undefined;
  };
  const report = {
    at: new Date().toISOString(),
    machine: { cores: cpus().length, loadAverageAtEnd: loadavg().map((l) => round(l, 2)) },
    settings: { durationS: DURATION, rounds: ROUNDS, connections: CONNECTIONS },
    rows,
    ratios: {
      getTwoReplicasVsOne: ratio('Synqly accounts_get', 'PostgreSQL, two replicas', 'PostgreSQL, one replica'),
      createTwoReplicasVsOne: ratio('Synqly accounts_create', 'PostgreSQL, two replicas', 'PostgreSQL, one replica'),
      getOneReplicaVsFile: ratio('Synqly accounts_get', 'PostgreSQL, one replica', 'file store, one twin'),
      createOneReplicaVsFile: ratio('Synqly accounts_create', 'PostgreSQL, one replica', 'file store, one twin'),
    },
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'shared.json'), JSON.stringify(report, null, 2) + '\n');
  const md = [
    `# Shared store benchmark (${report.at})`,
    '',
    `\`npm run bench:shared\`: autocannon on 127.0.0.1, ${CONNECTIONS} connections in total (split between replicas), best of ${ROUNDS} × ${DURATION} s; PostgreSQL with fsync on. ${report.machine.cores} cores, load average at the end ${report.machine.loadAverageAtEnd.join(', ')}.`,
    '',
    '| setup | operation | req/s | p50 ms | p99 ms |',
    '|---|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.setup} | ${r.operation} | ${r.rps} | ${r.p50Ms} | ${r.p99Ms} |`),
    '',
    `Ratios: two replicas / one — GET ${report.ratios.getTwoReplicasVsOne}, create ${report.ratios.createTwoReplicasVsOne}; one replica / file store — GET ${report.ratios.getOneReplicaVsFile}, create ${report.ratios.createOneReplicaVsFile}.`,
    '',
  ].join('\n');
  writeFileSync(join(OUT, 'shared.md'), md);
  process.stdout.write(md);
}

await main();
