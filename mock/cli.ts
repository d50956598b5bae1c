#!/usr/bin/env node
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino, type Logger } from 'pino';
import { DEFAULT_PORTS, startTwin, VERSION, type RunningTwin } from './app.ts';
import { createRandom } from './core/random.ts';
import { Store } from './core/store/store.ts';
import { StoreFileError, assertStoreDocument, isPlainObject } from './core/store/document.ts';
import { isPostgresUrl, redactUrl } from './core/store/postgres.ts';
import { listTenants, rederiveCredentials } from './admin/tenants/lookup.ts';
import { DEFAULT_SEED, PROFILES, seedProfile, type ProfileName } from '../fixtures/profiles.ts';
import { loadFakerFor } from '../fixtures/sample-data.ts';
import type { TenantWithCredentials } from './admin/tenants/lifecycle.ts';
import { messageOf } from './core/error-message.ts';
import { DEFAULT_HEAP_GROWTH_PERCENT, limitHeapGrowth } from './core/heap-growth.ts';

/** The only module that reads argv and env, opens files and ports. */

const int = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

/**
 * `apitwin conformance --help` (or `help conformance`) lists the scenario families and tags, read
 * by conformance/selection.ts (which parses the specs' YAML); other commands never load it.
 */
const conformanceHelp: () => string = process.argv.slice(2).includes('conformance') ? (await import('../conformance/selection.ts')).helpText : () => '';

export function buildProgram(): Command {
  const program = new Command('apitwin')
    .description('A stateful twin of the Synqly Management API and the Connxio APIs, for local development and contract tests.')
    .version(VERSION);

  program
    .command('serve')
    .description('Start the twin: Synqly, Connxio and Connxio Custom API listeners, each with the control API under /__admin.')
    .option('--host <address>', 'address to bind; anything but loopback requires --admin-token', '127.0.0.1')
    .option('--synqly-port <port>', 'Synqly Management API port (0 = any free port)', int('--synqly-port'), DEFAULT_PORTS.synqly)
    .option('--connxio-port <port>', 'Connxio API port: management, messaging, /oauth/token (0 = any free port)', int('--connxio-port'), DEFAULT_PORTS.connxio)
    .option('--custom-port <port>', 'Connxio Custom APIs port (0 = any free port)', int('--custom-port'), DEFAULT_PORTS.custom)
    .option('--db <file>', 'store file (snapshot; its journal sits beside it as <file>.journal)', '.apitwin/db.json')
    .option('--memory', 'keep state in memory only: nothing is read or written on disk')
    .option('--store <url>', 'a postgres://user:pass@host:port/db URL: state shared by every replica on that database (env APITWIN_STORE); default: the --db file')
    .addOption(new Option('--profile <name>', 'data seeded into a new (empty) store').choices([...PROFILES]).default('demo'))
    .option('--seed <n>', 'seed for generated data: the same seed gives the same ids, names and secrets', int('--seed'))
    .option('--count <n>', 'records per collection for the large profile', int('--count'), 1000)
    .option('--allowed-host <name>', 'also accept this Host name (or name:port) on the control API and dashboard when bound to loopback; repeatable', (value: string, previous: string[]) => [...previous, value], Array.of<string>())
    .option('--admin-token <token>', 'require this token (X-Apitwin-Admin-Token) on /__admin; env APITWIN_ADMIN_TOKEN')
    .option('--body-limit <bytes>', 'largest accepted request body', int('--body-limit'), 1024 * 1024)
    .option('--heap-growth <percent>', `how far the heap may grow past its live data before a full garbage collection (0 = V8's own choice, up to 300 %)`, int('--heap-growth'), DEFAULT_HEAP_GROWTH_PERCENT)
    .addOption(new Option('--compaction-bytes <bytes>', 'journal size that may trigger a compaction into the snapshot (default 8 MiB; tests use small values)').argParser(int('--compaction-bytes')).hideHelp())
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'))
    .addOption(new Option('--log-format <format>', 'pretty: one readable line per request (the default in a terminal); json: one JSON object per line (the default otherwise)').choices(['pretty', 'json']))
    .option('--json', 'print one JSON line (urls, credentials) instead of the banner, for scripts')
    .option('--stubs <dir>', 'load response stubs from the .json/.yaml files in this folder (one stub or a list per file; see /__admin/stubs)')
    .action(serve);

  program
    .command('record')
    .description('Record a session with the real vendor: a forwarding proxy to --upstream that writes every exchange to a HAR 1.2 file, secrets redacted as <redacted:…> placeholders.')
    .addOption(new Option('--vendor <vendor>', 'whose API the upstream serves').choices(['synqly', 'connxio']).makeOptionMandatory())
    .requiredOption('--upstream <url>', 'the vendor\'s base URL, e.g. https://api.synqly.com (Connxio: its API host; /oauth/token is proxied too)')
    .option('--port <port>', 'the port clients use instead of the vendor (0 = any free port)', int('--port'), 4080)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--out <file>', 'the HAR file (written entry by entry; complete after every exchange)', 'recording.har')
    .option('--json', 'print one JSON line ({url, out}) when ready, for scripts')
    .action(record);

  program
    .command('verify')
    .description('Replay a recording (HAR, from apitwin record, browser devtools or a proxy) against a fresh tenant of a target and report every difference by operationId and JSON path (exit 0 when none, 1 otherwise).')
    .argument('<file>', 'the HAR file')
    .option('--target <target>', 'inprocess (a twin in this process), spawned (apitwin serve on port 0), live (env: SYNQLY_*, CONNXIO_*) or env:<PREFIX>', 'inprocess')
    .option('--reports <dir>', 'where to write verify.md, verify.json and junit.xml', 'reports/verify')
    .action(verify);

  const stubs = program.command('stubs').description('Response stubs in files, for `apitwin serve --stubs DIR`.');
  stubs
    .command('from-har')
    .description('write one stub file per recorded exchange that plays the recorded answer back byte for byte, in the recorded order')
    .argument('<file>', 'the HAR file')
    .option('--out <dir>', 'the folder to write the stub files to', 'stubs')
    .action(stubsFromHarCommand);

  const snapshot = program
    .command('snapshot')
    .description('Move a whole twin between stores (file ↔ PostgreSQL): export a store to a JSON file, or import one; the format of the control API\'s snapshot.');
  snapshot
    .command('export')
    .description('write the store\'s whole document as JSON (a file store must not be in use by a running twin)')
    .option('--db <file>', 'the store file', '.apitwin/db.json')
    .option('--store <url>', 'a postgres:// store instead of the file (env APITWIN_STORE)')
    .option('--out <file>', 'where to write it; default: standard output')
    .action(snapshotExport);
  snapshot
    .command('import')
    .description('replace the store\'s whole document with a snapshot file (one transaction; replicas of a shared store see it at once)')
    .argument('<file>', 'a snapshot written by `apitwin snapshot export` or GET /__admin/snapshot')
    .option('--db <file>', 'the store file', '.apitwin/db.json')
    .option('--store <url>', 'a postgres:// store instead of the file (env APITWIN_STORE)')
    .action(snapshotImport);

  program
    .command('conformance')
    .description(
      'Run the conformance suite against a target and write reports: JUnit XML, a coverage matrix (Markdown, JSON) and, with --parity, a diff of two targets.',
    )
    .addOption(
      new Option('--target <target>', 'inprocess (twin in this process), spawned (apitwin serve on port 0), live (env: SYNQLY_*, CONNXIO_*) or env:<PREFIX> (live, variables read with that prefix)').default(
        'inprocess',
      ),
    )
    .option('--parity <targets...>', 'run against two targets (e.g. --parity spawned live) and diff their normalized responses')
    .addOption(new Option('--vendor <vendor>', 'only this vendor\'s scenarios').choices(['synqly', 'connxio', 'admin']))
    .option('--family <names...>', 'only these resource families (scenario files), e.g. accounts tokens')
    .option('--operation <operationIds...>', 'only scenarios of these operations, e.g. accounts_create')
    .option('--tag <tags...>', 'only operations with these spec tags')
    .option('--reports <dir>', 'where to write junit.xml, coverage-matrix.{md,json}, checks.jsonl, parity.{md,json}', 'reports/conformance')
    .option('--allow-writes', 'live targets are read-only (list/get scenarios) unless this is given')
    .option('--cleanup', 'live only: find resources named apitwin-* left by earlier runs and delete them, then exit')
    .addHelpText('after', () => conformanceHelp())
    .action(conformance);
  return program;
}

/** A command's own refusal (bad input, unreachable upstream): one line on stderr, never a stack trace. */
function refuse(command: string, message: string, code: number): never {
  process.stderr.write(`apitwin ${command}: ${message.split('\n')[0]}\n`);
  process.exit(code);
}

async function record(options: { vendor: 'synqly' | 'connxio'; upstream: string; port: number; host: string; out: string; json?: boolean }): Promise<void> {
  const { startRecorder } = await import('./bridge/record.ts');
  let upstream: URL;
  try {
    upstream = new URL(options.upstream);
    if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') throw new Error('not http');
  } catch {
    refuse('record', `--upstream must be an http(s) URL, got ${options.upstream}`, 2);
  }
  // an upstream that is down is told now, not at the first exchange
  try {
    await fetch(upstream, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(10_000) }).then((r) => r.body?.cancel());
  } catch (err) {
    const { networkCause } = await import('./bridge/har.ts');
    const cause = networkCause(err);
    refuse('record', `the upstream ${upstream.origin} is not reachable (${cause})`, 1);
  }
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  try {
    recorder = await startRecorder({ vendor: options.vendor, upstream: options.upstream, out: resolve(options.out), port: options.port, host: options.host, version: VERSION, warn: (line) => process.stderr.write(`${line}\n`) });
  } catch (err) {
    refuse('record', `could not start: ${messageOf(err)}`, 1);
  }
  if (options.json) process.stdout.write(JSON.stringify({ ready: true, url: recorder.url, out: resolve(options.out) }) + '\n');
  else process.stdout.write(`apitwin record: point your ${options.vendor} client at ${recorder.url} (instead of ${upstream.origin}); recording into ${resolve(options.out)}. Ctrl-C stops.\n`);
  const stop = async () => {
    await recorder.close();
    process.stdout.write(`apitwin record: ${recorder.entries} exchange(s) recorded in ${resolve(options.out)}\n`);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

async function verify(file: string, options: { target: string; reports: string }): Promise<void> {
  const { verifyRecording, inprocessTarget, spawnedTarget, liveTarget, VerifyUsageError } = await import('./bridge/verify.ts');
  const { readHar, HarError } = await import('./bridge/har.ts');
  try {
    readHar(file);
  } catch (err) {
    if (err instanceof HarError) refuse('verify', err.message, 2);
    throw err;
  }
  const prefix = livePrefix(options.target);
  if (!['inprocess', 'spawned'].includes(options.target) && prefix === undefined) refuse('verify', `unknown target ${options.target}: use inprocess, spawned, live or env:<PREFIX>`, 2);
  let target: Awaited<ReturnType<typeof inprocessTarget>>;
  try {
    target = options.target === 'inprocess' ? await inprocessTarget() : options.target === 'spawned' ? await spawnedTarget() : liveTarget(options.target, prefix!, process.env);
  } catch (err) {
    if (err instanceof VerifyUsageError) refuse('verify', err.message, 2);
    throw err;
  }
  try {
    const { report } = await verifyRecording({ har: file, target, reportsDir: resolve(options.reports) });
    process.stdout.write(`verify ${file} against ${options.target}: ${report.compared} responses compared, ${report.differences.length} difference(s); report: ${resolve(options.reports, 'verify.md')}\n`);
    for (const d of report.differences.slice(0, 20)) {
      process.stdout.write(`  ${d.operationId} (call ${d.step + 1}): ${d.status ? `status ${d.status.a} recorded, ${d.status.b} now` : d.fields.map((f) => `${f.path || '(body)'} ${f.a} → ${f.b}`).join('; ')}\n`);
    }
    process.exitCode = report.differences.length === 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof VerifyUsageError) {
      process.stderr.write(`apitwin verify: ${err.message}\n`);
      process.exitCode = 1;
    } else throw err;
  } finally {
    await target.stop();
  }
}

async function stubsFromHarCommand(file: string, options: { out: string }): Promise<void> {
  const { stubsFromHar } = await import('./bridge/from-har.ts');
  const { HarError } = await import('./bridge/har.ts');
  try {
    const { files, skipped } = await stubsFromHar(file, resolve(options.out));
    process.stdout.write(`wrote ${files.length} stub file(s) to ${resolve(options.out)}${skipped ? ` (${skipped} exchange(s) of no known operation skipped)` : ''}; serve them with: apitwin serve --stubs ${options.out}\n`);
  } catch (err) {
    if (err instanceof HarError) refuse('stubs from-har', err.message, 2);
    throw err;
  }
}

interface ConformanceCliOptions {
  target: string;
  parity?: string[];
  vendor?: 'synqly' | 'connxio' | 'admin';
  family?: string[];
  operation?: string[];
  tag?: string[];
  reports: string;
  allowWrites?: boolean;
  cleanup?: boolean;
}

/** A target that cannot be reached or refuses the credentials (exit 1, never a stack trace). */
class TargetError extends Error {}

async function conformance(options: ConformanceCliOptions): Promise<void> {
  const { UsageError } = await import('../conformance/selection.ts');
  try {
    process.exitCode = await runConformanceCommand(options);
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof InvalidArgumentError;
    const target = err instanceof TargetError || (err instanceof Error && err.name === 'TargetError');
    if (!usage && !target) throw err;
    process.stderr.write(`apitwin conformance: ${messageOf(err)}\n`);
    process.exitCode = usage ? 2 : 1;
  }
}

function livePrefix(target: string): string | undefined {
  if (target === 'live') return '';
  if (target.startsWith('env:')) return target.slice(4);
  return undefined;
}

async function runConformanceCommand(options: ConformanceCliOptions): Promise<number> {
  const { UsageError, validateSelection, missingLiveVariables } = await import('../conformance/selection.ts');
  const selection = { vendor: options.vendor, family: options.family, operation: options.operation, tag: options.tag };
  const targets = options.parity ?? [options.target];
  if (options.parity && options.parity.length !== 2) throw new UsageError(`--parity takes exactly two targets (got ${options.parity.length}), e.g. --parity spawned live`);
  for (const t of targets) {
    if (!['inprocess', 'spawned'].includes(t) && livePrefix(t) === undefined) throw new UsageError(`unknown target ${t}: use inprocess, spawned, live or env:<PREFIX>`);
  }
  if (options.cleanup) {
    const prefix = livePrefix(options.target);
    if (prefix === undefined || options.parity) throw new UsageError('--cleanup works on one live target: --target live or --target env:<PREFIX>');
    const { cleanupLeftovers, CleanupTargetError } = await import('../conformance/cleanup.ts');
    try {
      const result = await cleanupLeftovers(options.target, process.env, (line) => process.stdout.write(`${line}\n`));
      process.stdout.write(`removed ${result.removed} leftover resource(s)${result.failed ? `; ${result.failed} could not be deleted` : ''}\n`);
      return result.failed ? 1 : 0;
    } catch (err) {
      if (err instanceof CleanupTargetError) throw Object.assign(new TargetError(err.message), { name: 'TargetError' });
      if (err instanceof Error && err.name === 'CleanupUsageError') throw new UsageError(err.message);
      throw err;
    }
  }
  validateSelection(selection);
  for (const t of targets) {
    const prefix = livePrefix(t);
    if (prefix === undefined) continue;
    const missing = missingLiveVariables(prefix, process.env, selection);
    if (missing.length) throw new UsageError(`the ${t} target needs ${missing.join(', ')} (run \`apitwin conformance --help\` for the variables per vendor)`);
  }
  // every selected vendor's URL answers and its credentials are accepted, before the run starts
  const { preflightLiveTarget } = await import('../conformance/preflight.ts');
  for (const t of targets) {
    const prefix = livePrefix(t);
    if (prefix !== undefined) await preflightLiveTarget(t, prefix, process.env, selection);
  }
  const { summaryCounts } = await import('../conformance/report/matrix.ts');
  if (options.parity) {
    const { runParity } = await import('../conformance/run.ts');
    const [a, b] = options.parity; // two targets: checked when the options were read
    const { report, a: ra, b: rb } = await runParity({ ...selection, a, b, reportsDir: options.reports, allowWrites: options.allowWrites });
    process.stdout.write(`parity ${a} vs ${b}: ${report.compared} responses compared, ${report.differences.length} difference(s); report: ${resolve(options.reports, 'parity.md')}\n`);
    const cleanupFailed = printCleanup(ra.cleanupFailures) + printCleanup(rb.cleanupFailures);
    return report.differences.length === 0 && cleanupFailed === 0 ? 0 : 1;
  }
  const { runConformance } = await import('../conformance/run.ts');
  const result = await runConformance({ ...selection, target: options.target, reportsDir: options.reports, allowWrites: options.allowWrites });
  process.stdout.write(`conformance ${options.target}: ${summaryCounts(result.matrix)}; reports in ${result.reportsDir}\n`);
  printCleanup(result.cleanupFailures);
  if (!result.ok && result.matrix.totals.failed === 0 && result.cleanupFailures.length === 0) {
    process.stdout.write(`the run failed outside the scenarios: ${result.errors.join('; ') || 'see the output above'}\n`);
  }
  return result.ok ? 0 : 1;
}

function printCleanup(failures: Array<{ test: string; failure: string }>): number {
  if (failures.length === 0) return 0;
  process.stdout.write(`cleanup: ${failures.length} delete(s) failed; resources may be left behind (\`apitwin conformance --target <live> --cleanup\` removes apitwin-* leftovers):\n`);
  for (const f of failures) process.stdout.write(`  ${f.test}: ${f.failure}\n`);
  return failures.length;
}

interface ServeOptions {
  host: string;
  synqlyPort: number;
  connxioPort: number;
  customPort: number;
  db: string;
  memory?: boolean;
  store?: string;
  profile: ProfileName;
  seed?: number;
  count: number;
  adminToken?: string;
  allowedHost: string[];
  bodyLimit: number;
  heapGrowth: number;
  compactionBytes?: number;
  logLevel: string;
  logFormat?: 'pretty' | 'json';
  json?: boolean;
  stubs?: string;
}

/** secrets never reach the log, even inside a logged object (pino redaction; the pipeline logs no headers or bodies) */
const SECRET_KEYS = ['authorization', 'connxio-api-key', 'x-apitwin-admin-token', 'cookie', 'token', 'secret', 'password', 'client_secret', 'access_token', 'refresh_token', 'api_key', 'apiKey', 'key'];
const LOG_REDACTIONS = SECRET_KEYS.flatMap((k) => {
  const step = /^[A-Za-z_]\w*$/.test(k) ? `.${k}` : `["${k}"]`;
  return [step.startsWith('.') ? k : step, `*${step}`, `*.headers${step}`, `*.*${step}`];
});

/**
 * The log on stderr: ISO times; in a terminal one readable line per request (pino-pretty, coloured
 * only there), JSON lines otherwise or with --log-format json.
 */
async function createLogger(options: ServeOptions): Promise<Logger> {
  const tty = process.stderr.isTTY === true;
  const format = options.logFormat ?? (tty ? 'pretty' : 'json');
  const settings = { level: options.logLevel, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: LOG_REDACTIONS, censor: '[redacted]' } };
  if (format === 'json') return pino(settings, pino.destination(2));
  const { default: pretty } = await import('pino-pretty');
  return pino(
    settings,
    pretty({
      destination: 2,
      sync: true,
      colorize: tty && !process.env.NO_COLOR,
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l o',
      ignore: 'listener,method,path,query,operationId,status,ms,stub,fault',
      singleLine: true,
      messageFormat: (log, messageKey) => {
        if (log[messageKey] !== 'request') return String(log[messageKey] ?? '');
        const answered = log.stub ? ` stub ${String(log.stub)}` : log.fault ? ` fault ${String(log.fault)}` : '';
        // the journal's query: strings, or lists that URLSearchParams joins
        const query = isPlainObject(log.query) && Object.keys(log.query).length ? `?${new URLSearchParams(log.query as Record<string, string>).toString()}` : '';
        return `${String(log.method)} ${String(log.path)}${query} ${String(log.status)} ${String(log.ms)} ms ${String(log.operationId ?? '-')}${answered} (${String(log.listener)})`;
      },
    }),
  );
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

async function serve(options: ServeOptions, command?: Command): Promise<void> {
  const started = performance.now();
  const logger = await createLogger(options);
  const adminToken = options.adminToken ?? process.env.APITWIN_ADMIN_TOKEN;
  if (!isLoopback(options.host) && !adminToken) {
    fail(logger, `binding to ${options.host} exposes the control API; pass --admin-token (or APITWIN_ADMIN_TOKEN)`);
  }
  if (options.heapGrowth > 300) fail(logger, `--heap-growth takes 0 to 300 (percent), got ${options.heapGrowth}`);
  limitHeapGrowth(options.heapGrowth); // before the store is loaded: its first full collection sets the limit
  const storeUrl = options.store ?? (options.memory ? undefined : process.env.APITWIN_STORE || undefined);
  if (options.store && options.memory) fail(logger, '--store and --memory exclude each other');
  if (storeUrl !== undefined && !isPostgresUrl(storeUrl)) fail(logger, `--store (or APITWIN_STORE) takes a postgres:// URL, got ${JSON.stringify(String(storeUrl).split("@").pop())}`);
  let store: Store;
  try {
    store = await Store.open(
      storeUrl
        ? { postgres: storeUrl, onDatabaseError: (err) => logger.warn({ reason: err.message }, 'a database connection failed') }
        : options.memory
          ? {}
          : {
              file: resolve(options.db),
              minCompactionBytes: options.compactionBytes,
              // a snapshot slice read after the start that is damaged behind a matching checksum: refused as at the start
              onDamage: (err) => {
                store.abandon();
                fail(logger, err.message);
              },
            },
    );
  } catch (err) {
    if (err instanceof StoreFileError) fail(logger, err.message);
    throw err;
  }
  const nowMs = Date.now();
  if (store.reader.collections('').length === 0) {
    const faker = options.profile === 'empty' ? undefined : await loadFakerFor(options.seed ?? DEFAULT_SEED);
    // checked again inside the transaction: replicas starting together on an empty database seed it once
    try {
      await store.transact((tx) => {
        if (tx.collections('').length === 0) seedProfile(tx, options.profile, { seed: options.seed, count: options.count, faker }, nowMs);
      });
    } catch (err) {
      await store.close().catch(() => {});
      fail(logger, `could not seed the store: ${messageOf(err)}`);
    }
  } else {
    const given = (['profile', 'seed', 'count'] as const).filter((name) => command?.getOptionValueSource(name) === 'cli').map((name) => `--${name}`);
    if (given.length) {
      process.stderr.write(
        `apitwin: notice: the store ${store.file ?? ''} already holds data, so ${given.join(', ')} ${given.length > 1 ? 'were' : 'was'} ignored (they seed a new store only; use --memory, another --db, or POST /__admin/reset to seed again)\n`.replace('store  already', 'store already'),
      );
    }
  }
  let running: RunningTwin;
  try {
    running = await startTwin({
      store,
      host: options.host,
      ports: { synqly: options.synqlyPort, connxio: options.connxioPort, custom: options.customPort },
      // a persisted store continues where it stopped, so mix its position into the seed
      // replicas of a shared store never share a seeded stream (their ids would collide)
      random: options.seed === undefined || store.shared ? createRandom() : createRandom(`${options.seed}:${store.seq}`),
      logger,
      adminToken,
      allowedHosts: options.allowedHost,
      bodyLimitBytes: options.bodyLimit,
      deferRequestLibraries: true,
    });
  } catch (err) {
    await store.close();
    fail(logger, `could not start: ${messageOf(err)}`);
  }
  if (options.stubs) {
    const { loadStubFiles, StubFileError } = await import('./bridge/stub-files.ts');
    try {
      const adminUrl = running.urls.synqly.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
      await loadStubFiles(adminUrl, adminToken, resolve(options.stubs));
    } catch (err) {
      await running.stop();
      if (err instanceof StubFileError) fail(logger, err.message);
      throw err;
    }
  }
  const tenants: TenantWithCredentials[] = [];
  for (const tenant of listTenants(store.reader)) {
    if (tenant.profile !== 'demo' && tenant.profile !== 'large') continue;
    const withCredentials = await rederiveCredentials(store.reader, tenant, nowMs);
    if (withCredentials) tenants.push(withCredentials);
  }
  // before the ready line: a supervisor may signal as soon as it reads it, and a SIGTERM that came
  // before a handler existed would end the process without flushing the store
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: closing listeners and flushing the store');
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const readyMs = Math.round(performance.now() - started);
  if (options.json) {
    process.stdout.write(JSON.stringify({ ready: true, readyMs, urls: running.urls, store: store.file ?? (store.shared ? redactUrl(store.shared.url) : null), tenants }) + '\n');
  } else {
    process.stdout.write(banner(running, store, tenants, readyMs));
  }
  // the request path's libraries (ajv, find-my-way), deferred past the ready line (a request that came sooner already started them)
  void running.twin.env.prepare?.()?.catch((err: unknown) => logger.error({ err }, 'the request path\'s libraries could not be loaded'));
}

function banner(running: RunningTwin, store: Store, tenants: TenantWithCredentials[], readyMs: number): string {
  const lines = [
    `apitwin ${VERSION} ready in ${readyMs} ms`,
    '',
    `  Synqly Management API   ${running.urls.synqly}`,
    `  Connxio API             ${running.urls.connxio}   (also under ${running.urls.connxio}/api)`,
    `  Connxio Custom APIs     ${running.urls.custom}`,
    `  Control API             ${running.urls.synqly}/__admin   (reference: /__admin/docs; on every listener)`,
    `  Dashboard               ${running.urls.synqly}/__ui   (also under /__ui on the other listeners)`,
    `  Store                   ${store.file ?? (store.shared ? `${redactUrl(store.shared.url)} (shared: every replica on this database is one twin)` : 'memory (nothing is written to disk)')}`,
    '',
  ];
  for (const t of tenants) {
    if (t.vendor === 'synqly') {
      const c = t.credentials;
      lines.push(`  Synqly organization "${c.organization_name}" (${c.organization_id})`);
      lines.push(`    export SYNQLY_BASE_URL=${running.urls.synqly}`);
      lines.push(`    export SYNQLY_TOKEN=${c.token}`);
    } else {
      const c = t.credentials;
      lines.push(`  Connxio company "${c.company_name}" (${c.company_id}); subscriptions: ${c.subscriptions.map((s) => `${s.name} ${s.id}`).join(', ')}`);
      lines.push(`    export CONNXIO_BASE_URL=${running.urls.connxio}`);
      lines.push(`    export CONNXIO_API_KEY=${c.api_key}   # scopes ${c.api_key_scopes.join(', ')}; subscription ${c.api_key_subscription_id}`);
      lines.push(`    export CONNXIO_CLIENT_ID=${c.oauth.client_id}`);
      lines.push(`    export CONNXIO_CLIENT_SECRET=${c.oauth.client_secret}`);
      lines.push(`    export CONNXIO_TOKEN_URL=${running.urls.connxio}${c.oauth.token_path}`);
    }
    lines.push('');
  }
  if (tenants.length === 0) lines.push('  No demo tenant: create one with POST /__admin/tenants {"vendor":"synqly"} or {"vendor":"connxio"}.', '');
  lines.push('  Ctrl-C stops the twin and flushes the store.', '');
  return lines.join('\n');
}

interface SnapshotOptions {
  db: string;
  store?: string;
  out?: string;
}

async function openForSnapshot(options: SnapshotOptions): Promise<Store> {
  const url = options.store ?? (process.env.APITWIN_STORE || undefined);
  if (url !== undefined && !isPostgresUrl(url)) snapshotFail('--store (or APITWIN_STORE) takes a postgres:// URL');
  try {
    return await Store.open(url ? { postgres: url } : { file: resolve(options.db) });
  } catch (err) {
    if (err instanceof StoreFileError) snapshotFail(err.message);
    throw err;
  }
}

async function snapshotExport(options: SnapshotOptions): Promise<void> {
  const store = await openForSnapshot(options);
  try {
    const text = JSON.stringify(store.exportDocument());
    if (options.out) {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(options.out, text + '\n');
      process.stderr.write(`apitwin: exported transaction ${store.seq} (${store.reader.collections('').length} collections) to ${options.out}\n`);
    } else {
      process.stdout.write(text + '\n');
    }
  } finally {
    await store.close();
  }
}

async function snapshotImport(file: string, options: SnapshotOptions): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
    assertStoreDocument(doc, file);
  } catch (err) {
    snapshotFail(err instanceof StoreFileError ? err.message : `${file}: ${messageOf(err)}`);
  }
  const store = await openForSnapshot(options);
  try {
    await store.replaceDocument(doc);
    process.stderr.write(`apitwin: imported ${file} (${store.reader.collections('').length} collections) into ${store.shared ? redactUrl(store.shared.url) : store.file}\n`);
  } finally {
    await store.close();
  }
}

function snapshotFail(message: string): never {
  process.stderr.write(`apitwin: ${message}\n`);
  process.exit(2);
}

/** a startup error: one line on stderr (the log goes there too, so it is not logged again) */
function fail(_logger: Logger, message: string): never {
  process.stderr.write(`apitwin: ${message}\n`);
  process.exit(2);
}

await buildProgram().parseAsync(process.argv);
