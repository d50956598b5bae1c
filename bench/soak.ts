/**
 * `npm run soak`: mixed load on the file-backed twin (built CLI, child process) for a minute or
 * more, checking that every response is the expected one and that the twin's memory does not
 * grow: RSS at the end within 10 % of RSS after the warm-up, both read after a full garbage
 * collection (the twin runs with --expose-gc and `gc-on-signal.mjs`; SIGUSR2 collects), since
 * a sample taken anywhere on the heap's sawtooth swings by more than 10 % on its own.
 *
 * The mix, per connection in turn: Synqly accounts_get, accounts_list with a filter,
 * accounts_create then accounts_delete of that account; Connxio list_integrations, send_message,
 * create_environment_variable then delete_environment_variable of it. Creates are paired with
 * deletes, so the data set stays the same size. The warm-up lasts at least --warmup seconds and
 * at least until the bounded logs (10,000 audit events per organization, 10,000 journaled messages,
 * the request journal) are full, however slow the machine: what is kept after that is replaced,
 * not added.
 *
 * Flags: --duration <s> (measured, default 60), --warmup <s> (default 20, unthrottled),
 * --rate <req/s> (measured phase, default 1000 per vendor), --connections <n> (default 8 per vendor),
 * --node-args "<flags>" (for the twin's node, e.g. --trace-gc).
 * Exit code 1 when a response was unexpected or RSS grew by 10 % or more.
 *
 * `--minutes <m>` runs the growth soak instead: for m minutes the data only grows (Synqly
 * accounts_create without deletes, with accounts_get and a filtered list in the mix); every
 * --sample seconds (default 30) RSS is read after a full garbage collection, next to the number of
 * accounts. Results in bench/results/soak-growth-latest.{json,md}; exit code 1 on an unexpected response.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon, { type Options } from 'autocannon';
import { killChildrenOnSignals, median, memoryOf, percentile, round, spawnTwin, type TwinReady } from './procs.ts';
import { connxioBearer, createDiscardIntegration, demoCredentials, firstAccountId } from './twin.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const { values: flags } = parseArgs({
  options: { minutes: { type: 'string' }, sample: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, rate: { type: 'string' }, connections: { type: 'string' }, out: { type: 'string' }, 'node-args': { type: 'string' } },
});
const DURATION = Number(flags.duration ?? 60);
const WARMUP = Number(flags.warmup ?? 20);
const RATE = Number(flags.rate ?? 1000);
const CONNECTIONS = Number(flags.connections ?? 8);
const OUT = flags.out ?? join(root, 'bench', 'results');
const log = (line: string) => process.stderr.write(`${line}\n`);
/** requests per vendor that fill the bounded logs: every Synqly call is audited (10,000 kept); a quarter of the Connxio mix are messages (10,000 kept) */
const FILL_REQUESTS = { synqly: 12_000, connxio: 44_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS right after a full collection in the twin (see gc-on-signal.mjs) */
async function collectedRssMb(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  await sleep(1500);
  const m = memoryOf(pid);
  if (!m) throw new Error(`cannot read the memory of pid ${pid}`);
  return m.rssMb;
}

interface Tally {
  responses: number;
  unexpected: Record<string, number>;
  errors: number;
  latencies: number[];
}

type Step = { method: string; path: string | ((ctx: Record<string, unknown>) => string); headers: Record<string, string>; body?: (ctx: Record<string, unknown>) => string; expect: number; keep?: (body: string, ctx: Record<string, unknown>) => void };

/** autocannon over a cycle of steps; `ctx` carries an id from a create to its delete */
/** numbers the names a run creates, across phases and connections */
let counter = 0;

function mix(url: string, steps: Step[], tally: Tally, opts: Partial<Options>): Promise<void> {
  const requests = steps.map((step) => ({
    method: step.method,
    headers: step.headers,
    setupRequest: (req: Record<string, unknown>, ctx: Record<string, unknown>) => {
      const path = typeof step.path === 'string' ? step.path : step.path(ctx);
      return { ...req, path, ...(step.body ? { body: step.body({ ...ctx, n: counter++ }) } : {}) };
    },
    onResponse: (status: number, body: string, ctx: Record<string, unknown>) => {
      tally.responses++;
      if (status !== step.expect) {
        const key = `${step.method} ${typeof step.path === 'string' ? step.path : 'by id'} → ${status}`;
        tally.unexpected[key] = (tally.unexpected[key] ?? 0) + 1;
      } else step.keep?.(body, ctx);
    },
  }));
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections: CONNECTIONS, timeout: 10, ...opts, requests: requests as unknown as Options['requests'] }, (err, result) => {
      if (err) return reject(err);
      tally.errors += result.errors + result.timeouts;
      resolve();
    });
    instance.on('response', (_c: unknown, _s: number, _b: number, ms: number) => {
      if (tally.latencies.length < 2_000_000) tally.latencies.push(ms);
    });
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'apitwin-soak-'));
  const nodeArgs = flags['node-args'] ? flags['node-args'].split(' ') : [];
  const gcHook = ['--expose-gc', '--import', join(root, 'bench', 'gc-on-signal.mjs')];
  const twin = await spawnTwin(cli, root, ['--db', join(work, 'db.json'), '--profile', 'demo'], 'twin', [...gcHook, ...nodeArgs]);
  try {
    const ctx = await prepare(twin.ready);
    const synqlyAuth = { authorization: `Bearer ${ctx.synqlyToken}` };
    const json = { 'content-type': 'application/json' };
    const cxAuth = { 'connxio-api-key': ctx.apiKey, authorization: `Bearer ${ctx.bearer}` };
    const run = Date.now().toString(36);
    const synqlySteps: Step[] = [
      { method: 'GET', path: `/v1/accounts/${ctx.accountId}`, headers: synqlyAuth, expect: 200 },
      { method: 'GET', path: '/v1/accounts?filter=environment%5Beq%5Dprod&limit=20', headers: synqlyAuth, expect: 200 },
      {
        method: 'POST',
        path: '/v1/accounts',
        headers: { ...synqlyAuth, ...json },
        body: (c) => JSON.stringify({ name: `soak-${run}-${String(c.n)}`, environment: 'test' }),
        expect: 200,
        keep: (body, c) => (c.accountId = (JSON.parse(body) as { result: { account: { id: string } } }).result.account.id),
      },
      { method: 'DELETE', path: (c) => `/v1/accounts/${String(c.accountId)}`, headers: synqlyAuth, expect: 204 },
    ];
    const connxioSteps: Step[] = [
      { method: 'GET', path: '/v2/integrations', headers: cxAuth, expect: 200 },
      { method: 'POST', path: `/v2/messages/${ctx.integrationId}`, headers: { ...cxAuth, ...json }, body: (c) => JSON.stringify({ orderId: `SO-${String(c.n)}`, lines: [{ sku: 'AX-1', qty: 2 }] }), expect: 200 },
      {
        method: 'PUT',
        path: '/v2/environmentvariables',
        headers: { ...cxAuth, ...json },
        body: (c) => JSON.stringify({ name: `SOAK_${run}_${String(c.n)}`, defaultValue: 'v' }),
        expect: 200,
        keep: (body, c) => (c.variableId = (JSON.parse(body) as { id: string }).id),
      },
      { method: 'DELETE', path: (c) => `/v2/environmentvariables/${String(c.variableId)}`, headers: cxAuth, expect: 204 },
    ];

    log(`soak: warm-up ≥ ${WARMUP} s and ≥ ${FILL_REQUESTS.synqly} + ${FILL_REQUESTS.connxio} requests (unthrottled), then ${DURATION} s at ${RATE} req/s per vendor, ${CONNECTIONS} connections each; twin pid ${twin.pid}`);
    const warm: Tally = { responses: 0, unexpected: {}, errors: 0, latencies: [] };
    const warmStarted = Date.now();
    await Promise.all([mix(twin.ready.urls.synqly, synqlySteps, warm, { amount: FILL_REQUESTS.synqly }), mix(twin.ready.urls.connxio, connxioSteps, warm, { amount: FILL_REQUESTS.connxio })]);
    const warmLeft = Math.ceil(WARMUP - (Date.now() - warmStarted) / 1000);
    if (warmLeft > 0) await Promise.all([mix(twin.ready.urls.synqly, synqlySteps, warm, { duration: warmLeft }), mix(twin.ready.urls.connxio, connxioSteps, warm, { duration: warmLeft })]);
    const warmupS = round((Date.now() - warmStarted) / 1000, 1);
    log(`  warm-up: ${warm.responses} responses in ${warmupS} s, ${Object.values(warm.unexpected).reduce((a, b) => a + b, 0)} unexpected, ${warm.errors} errors`);
    const baseline = await collectedRssMb(twin.pid);

    const tally: Tally = { responses: 0, unexpected: {}, errors: 0, latencies: [] };
    const samples: Array<{ s: number; rssMb: number }> = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      const m = memoryOf(twin.pid);
      if (m) samples.push({ s: round((Date.now() - started) / 1000, 1), rssMb: m.rssMb });
    }, 1000);
    await Promise.all([
      mix(twin.ready.urls.synqly, synqlySteps, tally, { duration: DURATION, overallRate: RATE }),
      mix(twin.ready.urls.connxio, connxioSteps, tally, { duration: DURATION, overallRate: RATE }),
    ]);
    clearInterval(sampler);
    const end = await collectedRssMb(twin.pid);
    const memory = memoryOf(twin.pid);
    const growth = (end - baseline) / baseline;
    const unexpected = Object.values(tally.unexpected).reduce((a, b) => a + b, 0) + Object.values(warm.unexpected).reduce((a, b) => a + b, 0);
    const sorted = tally.latencies.sort((a, b) => a - b);
    const report = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version, loadAverageAtEnd: loadavg().map((v) => round(v, 2)) },
      settings: { durationS: DURATION, warmupS, ratePerVendor: RATE, connectionsPerVendor: CONNECTIONS },
      responses: tally.responses,
      throughput: round(tally.responses / DURATION),
      p50Ms: round(percentile(sorted, 50), 2),
      p99Ms: round(percentile(sorted, 99), 2),
      unexpected,
      unexpectedByKind: { ...warm.unexpected, ...tally.unexpected },
      errors: tally.errors + warm.errors,
      rss: { baselineMb: baseline, endMb: end, growthPercent: round(growth * 100, 1), measuredAfterFullGc: true, peakMb: memory?.peakRssMb, samples },
      passed: unexpected === 0 && tally.errors + warm.errors === 0 && growth < 0.1,
    };
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'soak-latest.json'), JSON.stringify(report, null, 2) + '\n');
    const md = [
      `## Soak (${report.at.slice(0, 10)}, ${report.machine.cpus} cores, Node ${report.machine.node})`,
      '',
      `\`npm run soak\`: ${warmupS} s warm-up (until the bounded logs are full), then ${DURATION} s of mixed load at ${RATE} req/s per vendor (Synqly get/list/create/delete, Connxio list/message/create/delete variable), file-backed twin.`,
      '',
      '| responses | req/s | p50 ms | p99 ms | unexpected | errors | RSS after warm-up¹ | RSS at end¹ | growth | peak RSS |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${report.responses} | ${report.throughput} | ${report.p50Ms} | ${report.p99Ms} | ${unexpected} | ${report.errors} | ${baseline} MiB | ${end} MiB | ${report.rss.growthPercent} % | ${memory?.peakRssMb ?? '–'} MiB |`,
      '',
      '¹ read right after a full garbage collection in the twin.',
      '',
      report.passed ? 'Passed: no unexpected response, no error, RSS growth under 10 %.' : `**Failed**: ${JSON.stringify(report.unexpectedByKind)}`,
      '',
    ].join('\n');
    writeFileSync(join(OUT, 'soak-latest.md'), md);
    process.stdout.write(md);
    process.exitCode = report.passed ? 0 : 1;
  } finally {
    await twin.stop();
    if (nodeArgs.length > 0) process.stderr.write(`--- the twin's stderr (last 64 KiB) ---\n${twin.stderr()}\n`);
    rmSync(work, { recursive: true, force: true });
  }
}

async function prepare(ready: TwinReady) {
  const { synqlyToken, connxio } = demoCredentials(ready);
  const accountId = await firstAccountId(ready.urls.synqly, synqlyToken);
  const bearer = await connxioBearer(ready.urls.connxio, connxio.oauth);
  const integration = await createDiscardIntegration(ready.urls.connxio, { apiKey: connxio.api_key, bearer }, connxio.api_key_subscription_id, 'soak-target');
  if (integration.status !== 201) throw new Error(`create_integration answered ${integration.status}: ${integration.text}`);
  if (!integration.id) throw new Error(`create_integration answered 201 without a configCorrelationId: ${integration.text}`);
  return { synqlyToken, accountId, apiKey: connxio.api_key, bearer, integrationId: integration.id };
}

/** the growth soak (--minutes): RSS after a full collection against the number of records */
async function growth(minutes: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'apitwin-soak-growth-'));
  const sampleS = Number(flags.sample ?? 30);
  const gcHook = ['--expose-gc', '--import', join(root, 'bench', 'gc-on-signal.mjs')];
  const twin = await spawnTwin(cli, root, ['--db', join(work, 'db.json'), '--profile', 'demo'], 'twin', gcHook);
  try {
    const { synqlyToken } = demoCredentials(twin.ready);
    const accountId = await firstAccountId(twin.ready.urls.synqly, synqlyToken);
    const auth = { authorization: `Bearer ${synqlyToken}` };
    const countAccounts = async () => {
      const res = await fetch(`${twin.ready.urls.synqly}/v1/accounts?limit=1&total=true`, { headers: auth });
      return ((await res.json()) as { total: number }).total;
    };
    const run = Date.now().toString(36);
    const steps: Step[] = [
      { method: 'POST', path: '/v1/accounts', headers: { ...auth, 'content-type': 'application/json' }, body: (c) => JSON.stringify({ name: `grow-${run}-${String(c.n)}`, environment: Number(c.n) % 3 ? 'prod' : 'test', labels: ['soak'] }), expect: 200 },
      { method: 'POST', path: '/v1/accounts', headers: { ...auth, 'content-type': 'application/json' }, body: (c) => JSON.stringify({ name: `grow-${run}-${String(c.n)}`, fullname: `Grown account ${String(c.n)}` }), expect: 200 },
      { method: 'GET', path: `/v1/accounts/${accountId}`, headers: auth, expect: 200 },
      { method: 'GET', path: '/v1/accounts?filter=environment%5Beq%5Dprod&limit=20', headers: auth, expect: 200 },
    ];
    const tally: Tally = { responses: 0, unexpected: {}, errors: 0, latencies: [] };
    const samples: Array<{ minute: number; accounts: number; rssAfterGcMb: number; peakRssMb?: number }> = [{ minute: 0, accounts: await countAccounts(), rssAfterGcMb: await collectedRssMb(twin.pid) }];
    log(`soak --minutes ${minutes}: growing the data, RSS after a full GC every ${sampleS} s; twin pid ${twin.pid}`);
    const started = Date.now();
    while (Date.now() - started < minutes * 60_000) {
      const left = Math.ceil((minutes * 60_000 - (Date.now() - started)) / 1000);
      await mix(twin.ready.urls.synqly, steps, tally, { duration: Math.max(1, Math.min(sampleS, left)) });
      const sample = { minute: round((Date.now() - started) / 60_000, 2), accounts: await countAccounts(), rssAfterGcMb: await collectedRssMb(twin.pid), peakRssMb: memoryOf(twin.pid)?.peakRssMb };
      samples.push(sample);
      log(`  ${sample.minute} min: ${sample.accounts} accounts, RSS after GC ${sample.rssAfterGcMb} MiB (peak ${sample.peakRssMb ?? '?'} MiB)`);
    }
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const perThousand = last.accounts > first.accounts ? round(((last.rssAfterGcMb - first.rssAfterGcMb) / (last.accounts - first.accounts)) * 1000, 2) : undefined;
    const unexpected = Object.values(tally.unexpected).reduce((a, b) => a + b, 0);
    const report = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version, loadAverageAtEnd: loadavg().map((v) => round(v, 2)) },
      settings: { minutes, sampleS },
      responses: tally.responses,
      unexpected,
      unexpectedByKind: tally.unexpected,
      errors: tally.errors,
      mibPerThousandAccounts: perThousand,
      samples,
    };
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'soak-growth-latest.json'), JSON.stringify(report, null, 2) + '\n');
    const md = [
      `## Growth soak (${report.at.slice(0, 10)}, ${report.machine.cpus} cores, Node ${report.machine.node})`,
      '',
      `\`npm run soak -- --minutes ${minutes}\`: accounts_create (no deletes) with accounts_get and a filtered list, unthrottled, ${report.responses} responses, ${unexpected} unexpected, ${report.errors} errors. RSS read after a full garbage collection every ${sampleS} s.`,
      '',
      '| minute | accounts | RSS after GC MiB | peak RSS MiB |',
      '| ---: | ---: | ---: | ---: |',
      ...samples.map((x) => `| ${x.minute} | ${x.accounts} | ${x.rssAfterGcMb} | ${x.peakRssMb ?? '–'} |`),
      '',
      perThousand === undefined ? '' : `Growth: ${perThousand} MiB of RSS per 1,000 accounts added.`,
      '',
    ].join('\n');
    writeFileSync(join(OUT, 'soak-growth-latest.md'), md);
    process.stdout.write(md);
    process.exitCode = unexpected === 0 && report.errors === 0 ? 0 : 1;
  } finally {
    await twin.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

killChildrenOnSignals();
if (flags.minutes !== undefined) await growth(Number(flags.minutes));
else await main();
