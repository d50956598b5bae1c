/**
 * `npx tsx bench/peak-rss.ts`: the twin's peak RSS under writes on a large store, the phases of
 * the full bench's peak-RSS row (`npm run bench`, per size) on their own, with a fixed number of
 * writes instead of a fixed duration, so that a busy machine changes how long the run takes but
 * not how far the store grows. Needs the built CLI (`npm run build`).
 *
 * Seeds `--count` accounts (large profile) once, waiting for the seeding twin to stop cleanly (it
 * compacts its journal into the snapshot), then per run: a copy of that store, a restart, 3 × 3 s
 * of list + filter (10 clients), 450 creates (1 client), `--writes` creates (10 clients), and the
 * twin's VmHWM with the number of accounts by then. `--twin-args="<flags>"` are passed to
 * `apitwin serve` (e.g. `--twin-args="--heap-growth 0"`), `--runs n` repeats, `--node-args="<flags>"` go to node,
 * `--cli <path>` measures another build (e.g. an earlier commit's dist/cli.js).
 */
import { copyFileSync, existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { load } from './load.ts';
import { killChildrenOnSignals, memoryOf, spawnTwin } from './procs.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    writes: { type: 'string', default: '17000' },
    runs: { type: 'string', default: '1' },
    'twin-args': { type: 'string', default: '' },
    'node-args': { type: 'string', default: '' },
    cli: { type: 'string' },
  },
});
const cli = flags.cli ?? join(root, 'dist', 'cli.js');
const count = Number(flags.count);
const writes = Number(flags.writes);
const twinArgs = flags['twin-args']!.split(' ').filter(Boolean);
const nodeArgs = flags['node-args']!.split(' ').filter(Boolean);
const log = (line: string) => process.stderr.write(`${line}\n`);
killChildrenOnSignals();

const seedDir = mkdtempSync(join(tmpdir(), 'apitwin-peak-'));
const seeded = join(seedDir, 'db.json');
const seeder = await spawnTwin(cli, root, ['--db', seeded, '--profile', 'large', '--count', String(count)], 'seed');
const seedExit = await seeder.stop('SIGTERM', 180_000);
if (seedExit !== 0) throw new Error(`the seeding twin exited with ${String(seedExit)}`);
log(`seeded ${count} accounts: snapshot ${(statSync(seeded).size / 1048576).toFixed(1)} MiB`);

for (let run = 0; run < Number(flags.runs); run++) {
  const db = join(mkdtempSync(join(tmpdir(), 'apitwin-peak-')), 'db.json');
  copyFileSync(seeded, db);
  if (existsSync(`${seeded}.journal`)) copyFileSync(`${seeded}.journal`, `${db}.journal`);
  const twin = await spawnTwin(cli, root, ['--db', db, ...twinArgs], 'twin', nodeArgs);
  try {
    const ready = memoryOf(twin.pid);
    const token = twin.ready.tenants.find((t) => t.vendor === 'synqly')!.credentials.token as string;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const base = twin.ready.urls.synqly;
    const listUrl = `${base}/v1/accounts?filter=environment%5Beq%5Dprod&limit=20`;
    await load({ url: listUrl, headers, connections: 10, duration: 1, expect: 200 });
    for (let r = 0; r < 3; r++) await load({ url: listUrl, headers, connections: 10, duration: 3, expect: 200 });
    const tag = `${run}-${Date.now().toString(36)}`;
    let n = 0;
    const create = (connections: number, amount: number) =>
      load({
        url: `${base}/v1/accounts`,
        connections,
        amount,
        expect: 200,
        requests: [{ method: 'POST', headers, setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `p${tag}-${n++}`, environment: 'test' }) }) }],
      });
    await create(1, 450);
    const concurrent = await create(10, writes);
    const peak = memoryOf(twin.pid);
    const total = ((await (await fetch(`${base}/v1/accounts?limit=1&total=true`, { headers })).json()) as { total?: number }).total;
    process.stdout.write(
      `${JSON.stringify({ run, twinArgs: twinArgs.join(' '), readyRssMb: ready?.rssMb, peakRssMb: peak?.peakRssMb, accounts: total, writesPerS: concurrent.rps, unexpected: concurrent.unexpected, errors: concurrent.errors })}\n`,
    );
  } finally {
    await twin.stop();
  }
}
