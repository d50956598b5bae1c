/**
 * The store's own rows of the bench, also runnable alone (the full bench takes ~10 minutes):
 *
 *   npx tsx bench/store-rows.ts [--stall-sizes 10000,100000,300000] [--ready-sizes 100000] [--ready-runs 5]
 *
 * - compaction stall: a store of N records in this process, 10 writers committing durable
 *   transactions back to back while it compacts; the writes' p99.9 and max latency, and the event
 *   loop's longest pause (a 1 ms timer's lateness, and monitorEventLoopDelay's max);
 * - start → ready: the built CLI (dist/cli.js) restarted on a file store of N large-profile
 *   accounts; spawn to the ready line, and the part of it inside `serve`.
 *
 * Prints a Markdown table and writes bench/results/store-rows-latest.{json,md}.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { median, percentile, round, spawnTwin } from './procs.ts';
import { Store } from '../mock/core/store/store.ts';
import { firstApiAnswerMs } from './twin.ts';

export interface StallResult {
  records: number;
  snapshotMb: number;
  /** the gradual compaction the store runs under sustained writes */
  compactionMs: number;
  writesDuring: number;
  writeP999Ms: number;
  writeMaxMs: number;
  /** the longest the event loop was held (a 1 ms timer's lateness) while compacting */
  loopMaxMs: number;
  /**
   * the same in CPU time: the most CPU the process used between two turns of that timer, less its
   * 1 ms (time the process was not scheduled does not count, so the figure holds on a loaded machine;
   * helper threads — GC, file writes — count, so it errs high)
   */
  loopMaxCpuMs: number;
  /** monitorEventLoopDelay's max over the compaction (10 ms resolution histogram of the loop's delays) */
  loopDelayMaxMs?: number;
  /** for comparison: the whole-document write (JSON.stringify of everything), used only at close and restore */
  wholeWriteMs: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * A store of `count` records (accounts-sized) in this process: 10 writers commit durable
 * transactions back to back while the store compacts; every write's latency and the event loop's
 * lateness are recorded over the compaction. In-process, so the figures are the store's own.
 */
export async function compactionStall(work: string, count: number): Promise<StallResult> {
  log(`compaction stall with ${count} records…`);
  const file = join(work, `stall-${count}`, 'db.json');
  const store = await Store.open({ file, minCompactionBytes: 1 << 30 });
  try {
    for (let i = 0; i < count; i += 5000) {
      await store.transact((tx) => {
        for (let j = i; j < Math.min(count, i + 5000); j++) {
          const id = `00000000-0000-4000-8000-${String(j).padStart(12, '0')}`;
          tx.put('synqly/bench/accounts', id, { id, name: `account-${j}`, fullname: `Account ${j} of the compaction bench`, organization_id: 'bench', environment: j % 3 ? 'prod' : 'test', labels: ['bench', `group:${j % 50}`], created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' });
        }
      });
    }
    await store.compactNow(); // start from a snapshot, as a running twin would
    const latencies: number[] = [];
    let loopMax = 0;
    let loopMaxCpu = 0;
    let last = performance.now();
    let lastCpu = process.cpuUsage();
    const timer = setInterval(() => {
      const now = performance.now();
      const cpu = process.cpuUsage();
      loopMax = Math.max(loopMax, now - last - 1);
      loopMaxCpu = Math.max(loopMaxCpu, (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000 - 1);
      last = now;
      lastCpu = cpu;
    }, 1);
    let writing = true;
    let n = 0;
    const writer = async () => {
      while (writing) {
        const id = `w-${n++}`;
        const t0 = performance.now();
        await store.transact((tx) => tx.put('synqly/bench/writes', id, { id, name: id, environment: 'test', created_at: '2026-01-01T00:00:00.000Z' }));
        latencies.push(performance.now() - t0);
      }
    };
    const writers = Array.from({ length: 10 }, writer);
    await new Promise((r) => setTimeout(r, 300)); // sustained writes before the compaction
    latencies.length = 0;
    loopMax = 0;
    loopMaxCpu = 0;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const t0 = performance.now();
    await store.compactNow();
    const compactionMs = performance.now() - t0;
    delay.disable();
    writing = false;
    await Promise.all(writers);
    clearInterval(timer);
    const sorted = latencies.sort((a, b) => a - b);
    // the whole-document write, timed on its own (it holds the event loop for all of it)
    const w0 = performance.now();
    JSON.stringify(store.exportDocument());
    const wholeWriteMs = performance.now() - w0;
    const result: StallResult = {
      records: count,
      snapshotMb: round(statSync(file).size / 1024 / 1024, 1),
      compactionMs: round(compactionMs),
      writesDuring: sorted.length,
      writeP999Ms: round(percentile(sorted, 99.9), 1),
      writeMaxMs: round(sorted[sorted.length - 1] ?? 0, 1),
      loopMaxMs: round(loopMax, 1),
      loopMaxCpuMs: round(loopMaxCpu, 1),
      loopDelayMaxMs: round(delay.max / 1e6, 1),
      wholeWriteMs: round(wholeWriteMs),
    };
    log(
      `  ${count} records: compaction ${result.compactionMs} ms beside ${result.writesDuring} writes, write p99.9 ${result.writeP999Ms} ms, max ${result.writeMaxMs} ms, event loop held ≤ ${result.loopMaxMs} ms (${result.loopMaxCpuMs} ms of CPU; monitorEventLoopDelay max ${result.loopDelayMaxMs} ms; whole-document serialisation: ${result.wholeWriteMs} ms)`,
    );
    return result;
  } finally {
    await store.close();
  }
}

export interface ReadyResult {
  records: number;
  snapshotMb: number;
  /** spawn → ready line, each run and the median */
  wallMs: number[];
  medianMs: number;
  /** the part inside `serve` (the ready line's readyMs), median */
  insideMedianMs: number;
  /**
   * CPU time (user + system, all threads) the twin process used from spawn to its ready line, median:
   * unlike the wall time, it does not count the time a loaded machine left the process waiting
   */
  cpuMedianMs: number;
}

/** CPU time a process has used so far (Linux /proc; 10 ms resolution) */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Seeds a file store of `count` large-profile accounts with the built CLI, then restarts it `runs` times. */
export async function readyAt(cli: string, cwd: string, work: string, count: number, runs: number): Promise<ReadyResult> {
  log(`start → ready on a ${count}-record store…`);
  const dir = join(work, `ready-${count}`);
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'db.json');
  await (await spawnTwin(cli, cwd, ['--db', db, '--profile', 'large', '--count', String(count)], `twin (seeding ${count})`)).stop();
  // one start to let a layout migration (if any) finish, so every timed start reads the same file; its
  // first list saves the list order with the snapshot as it stops, as any twin that listed accounts does
  const warmUp = await spawnTwin(cli, cwd, ['--db', db], 'twin (warm-up)');
  await firstApiAnswerMs(warmUp.ready, performance.now());
  await warmUp.stop();
  const wall: number[] = [];
  const inside: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = await spawnTwin(cli, cwd, ['--db', db], `twin (restart ${i + 1})`);
    cpu.push(cpuMsOf(t.pid));
    wall.push(round(t.readyMs));
    inside.push(t.ready.readyMs);
    await t.stop();
  }
  const result = { records: count, snapshotMb: round(statSync(db).size / 1024 / 1024, 1), wallMs: wall, medianMs: round(median(wall)), insideMedianMs: round(median(inside)), cpuMedianMs: round(median(cpu)) };
  log(`  ${count} records (${result.snapshotMb} MiB): ready median ${result.medianMs} ms (${wall.join(', ')}), ${result.insideMedianMs} ms inside serve, ${result.cpuMedianMs} ms of CPU`);
  return result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'stall-sizes': { type: 'string' }, 'ready-sizes': { type: 'string' }, 'ready-runs': { type: 'string' }, out: { type: 'string' } } });
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cli = join(root, 'dist', 'cli.js');
  const sizes = (v: string | undefined, d: string) => (v ?? d).split(',').filter(Boolean).map(Number);
  const stallSizes = sizes(values['stall-sizes'], '10000,100000,300000');
  const readySizes = sizes(values['ready-sizes'], '100000');
  if (readySizes.length > 0 && !existsSync(cli)) throw new Error('dist/cli.js is missing: npm run build first');
  const work = mkdtempSync(join(tmpdir(), 'apitwin-store-rows-'));
  const loadBefore = loadavg().map((v) => round(v, 2));
  try {
    const stalls: StallResult[] = [];
    for (const n of stallSizes) stalls.push(await compactionStall(work, n));
    const ready: ReadyResult[] = [];
    for (const n of readySizes) ready.push(await readyAt(cli, root, work, n, Number(values['ready-runs'] ?? 5)));
    const report = { at: new Date().toISOString(), node: process.version, loadAverage: { before: loadBefore, after: loadavg().map((v) => round(v, 2)) }, stalls, ready };
    const lines = [
      `\`npx tsx bench/store-rows.ts\` at ${report.at}, load average ${report.loadAverage.before.join(', ')} → ${report.loadAverage.after.join(', ')}.`,
      '',
      '| records (compaction stall, 10 writers) | snapshot MiB | compaction ms | writes during it | write p99.9 ms | write max ms | event loop held ≤ ms (1 ms timer) | the same in CPU ms | monitorEventLoopDelay max ms |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...stalls.map((s) => `| ${s.records} | ${s.snapshotMb} | ${s.compactionMs} | ${s.writesDuring} | ${s.writeP999Ms} | ${s.writeMaxMs} | ${s.loopMaxMs} | ${s.loopMaxCpuMs} | ${s.loopDelayMaxMs} |`),
      '',
      '| records (start → ready) | snapshot MiB | median ms (runs) | inside serve ms | CPU ms (all threads) |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...ready.map((r) => `| ${r.records} | ${r.snapshotMb} | ${r.medianMs} (${r.wallMs.join(', ')}) | ${r.insideMedianMs} | ${r.cpuMedianMs} |`),
      '',
    ];
    const out = values.out ?? join(root, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'store-rows-latest.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(out, 'store-rows-latest.md'), lines.join('\n'));
    process.stdout.write(lines.join('\n'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
