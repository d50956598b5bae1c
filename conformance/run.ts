import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSpec, packageRoot, specPath } from '../mock/core/spec.ts';
import type { CheckRecord } from './support/coverage.ts';
import { buildMatrix, matrixMarkdown, type CleanupFailure, type Matrix, type VitestJsonResults } from './report/matrix.ts';
import { selectedFamilyNames, selectedOperations, UsageError } from './selection.ts';
import { compareRuns, parityMarkdown, type ParityReport } from './report/parity.ts';

/**
 * The conformance suite as a program: runs the scenarios under vitest against one target and
 * writes JUnit XML, the coverage matrix (Markdown + JSON) and the raw checks; or runs them against
 * two targets and writes the parity report.
 *
 * Targets: `inprocess`, `spawned`, `live` (SYNQLY_BASE_URL, SYNQLY_TOKEN, CONNXIO_BASE_URL,
 * CONNXIO_API_KEY, CONNXIO_CLIENT_ID, CONNXIO_CLIENT_SECRET, CONNXIO_TOKEN_URL,
 * CONNXIO_CUSTOM_BASE_URL, CONNXIO_CUSTOM_API_KEY) or `env:<PREFIX>` — live, reading the same
 * variables with a prefix (`env:B_` reads B_SYNQLY_BASE_URL …), so two live targets can be compared.
 */

export const LIVE_VARIABLES = [
  'SYNQLY_BASE_URL',
  'SYNQLY_TOKEN',
  'CONNXIO_BASE_URL',
  'CONNXIO_API_KEY',
  'CONNXIO_CLIENT_ID',
  'CONNXIO_CLIENT_SECRET',
  'CONNXIO_TOKEN_URL',
  'CONNXIO_CUSTOM_BASE_URL',
  'CONNXIO_CUSTOM_API_KEY',
] as const;
const SECRET_VARIABLES = ['SYNQLY_TOKEN', 'CONNXIO_API_KEY', 'CONNXIO_CLIENT_SECRET', 'CONNXIO_CUSTOM_API_KEY'];

export interface Selection {
  vendor?: 'synqly' | 'connxio' | 'admin';
  /** resource families (scenario file names without .test.ts) */
  family?: string[];
  operation?: string[];
  /** spec tags: every operation carrying one of them */
  tag?: string[];
}

export interface ConformanceOptions extends Selection {
  target: string;
  reportsDir: string;
  allowWrites?: boolean;
  /** extra environment for the run (defaults to process.env) */
  env?: NodeJS.ProcessEnv;
}

export interface ConformanceResult {
  ok: boolean;
  target: string;
  reportsDir: string;
  matrix: Matrix;
  checks: CheckRecord[];
  /** deletes that failed in scenario cleanup: something this run created may be left behind */
  cleanupFailures: CleanupFailure[];
  /** errors outside the scenarios (a file that failed to load, an unhandled error) */
  errors: string[];
}

function readCleanup(dir: string): CleanupFailure[] {
  const file = join(dir, 'cleanup.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CleanupFailure);
}

interface TaskLike {
  type: string;
  name: string;
  mode?: string;
  tasks?: TaskLike[];
  result?: { state?: string; note?: string };
}

/** skip reasons (ctx.skip(note)) by "describe > … > title", from vitest's task tree */
function skipNotes(files: TaskLike[], project: string, pattern: RegExp | undefined): Map<string, string> {
  const conditional = `a conditional scenario (it.runIf/skipIf) not run on ${project === 'live' ? 'live targets: it needs a twin or its control API' : `the ${project} target`}`;
  const out = new Map<string, string>();
  const walk = (task: TaskLike, names: string[]) => {
    const here = task.type === 'suite' || task.type === 'test' ? [...names, task.name] : names;
    if (task.type === 'test' && (task.result?.state === 'skip' || task.mode === 'skip' || task.mode === 'todo')) {
      const filteredOut = pattern !== undefined && !pattern.test(here.join(' '));
      out.set(here.join(' > '), task.result?.note ?? (task.mode === 'todo' ? 'todo' : filteredOut ? 'not selected (--operation / --tag)' : conditional));
    }
    for (const child of task.tasks ?? []) walk(child, here);
  };
  // a file is a suite too: its name (the path) is not part of the test's name
  for (const f of files) for (const child of f.tasks ?? []) walk(child, []);
  return out;
}

const xmlEscape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit <skipped message="…"/> and results.json skipMessage carry the reason a scenario was skipped. */
function addSkipReasons(reportsDir: string, notes: Map<string, string>): void {
  if (notes.size === 0) return;
  const junitFile = join(reportsDir, 'junit.xml');
  if (existsSync(junitFile)) {
    const xml = readFileSync(junitFile, 'utf8').replace(/(<testcase\b[^>]*\bname="([^"]*)"[^>]*>\s*)<skipped\/>/g, (all, head: string, name: string) => {
      const note = notes.get(name.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&'));
      return note ? `${head}<skipped message="${xmlEscape(note)}"/>` : all;
    });
    writeFileSync(junitFile, xml);
  }
  const jsonFile = join(reportsDir, 'results.json');
  if (existsSync(jsonFile)) {
    const results = JSON.parse(readFileSync(jsonFile, 'utf8')) as { testResults?: Array<{ assertionResults?: Array<{ ancestorTitles: string[]; title: string; skipMessage?: string }> }> };
    for (const file of results.testResults ?? []) {
      for (const a of file.assertionResults ?? []) {
        const note = notes.get([...a.ancestorTitles, a.title].join(' > '));
        if (note) a.skipMessage = note;
      }
    }
    writeFileSync(jsonFile, JSON.stringify(results));
  }
}

function projectFor(target: string): string {
  if (target === 'inprocess' || target === 'spawned') return target;
  if (target === 'live' || target.startsWith('env:')) return 'live';
  throw new UsageError(`unknown target ${target}: use inprocess, spawned, live or env:<PREFIX>`);
}

/** The environment a live target reads, resolved from its prefix. */
function liveEnvironment(target: string, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const prefix = target.startsWith('env:') ? target.slice(4) : '';
  const out: Record<string, string | undefined> = {};
  for (const name of LIVE_VARIABLES) out[name] = env[`${prefix}${name}`];
  return out;
}

async function testNamePattern(selection: Selection): Promise<string | undefined> {
  const ids = new Set(selection.operation ?? []);
  if (selection.tag?.length) {
    for (const file of ['synqly-management.yaml', 'connxio.yaml', 'admin.yaml']) {
      const spec = await loadSpec(specPath(file));
      for (const op of spec.operations) if (op.tags.some((t) => selection.tag!.includes(t))) ids.add(op.operationId);
    }
    if (ids.size === 0) throw new UsageError(`no operation carries the tag(s) ${selection.tag.join(', ')}`);
  }
  return ids.size ? `\\b(${[...ids].join('|')})\\b` : undefined;
}

/** vitest file filters are substrings of the file path */
function fileFilters(selection: Selection): string[] {
  const dir = selection.vendor ? `conformance/${selection.vendor}/` : 'conformance/';
  if (!selection.family?.length) return [dir];
  return selectedFamilyNames(selection.family, selection.vendor).map((f) => (selection.vendor ? `${dir}${f}.test.ts` : `/${f}.test.ts`));
}

function readChecks(dir: string): CheckRecord[] {
  const file = join(dir, 'checks.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CheckRecord);
}

/** Secrets from the environment never appear in a report, even inside a failure message. */
function scrubFile(file: string, secrets: string[]): void {
  if (!existsSync(file)) return;
  let text = readFileSync(file, 'utf8');
  for (const secret of secrets) if (secret.length >= 8) text = text.split(secret).join('[redacted]');
  writeFileSync(file, text);
}

export async function allOperations(): Promise<Array<{ operationId: string; vendor: string }>> {
  const out: Array<{ operationId: string; vendor: string }> = [];
  for (const [file, vendor] of [
    ['synqly-management.yaml', 'synqly'],
    ['connxio.yaml', 'connxio'],
    ['admin.yaml', 'admin'],
  ] as const) {
    for (const op of (await loadSpec(specPath(file))).operations) out.push({ operationId: op.operationId, vendor });
  }
  return out;
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceResult> {
  const root = packageRoot();
  const reportsDir = resolve(options.reportsDir);
  mkdirSync(reportsDir, { recursive: true });
  rmSync(join(reportsDir, 'checks.jsonl'), { force: true });
  rmSync(join(reportsDir, 'cleanup.jsonl'), { force: true });
  const baseEnv = options.env ?? process.env;
  const project = projectFor(options.target);
  const live = project === 'live' ? liveEnvironment(options.target, baseEnv) : {};
  const runEnv: Record<string, string | undefined> = {
    ...live,
    APITWIN_TARGET: project,
    APITWIN_LIVE: project === 'live' ? '1' : undefined,
    APITWIN_REPORT_DIR: reportsDir,
    APITWIN_ALLOW_WRITES: options.allowWrites ? 'true' : 'false',
    // vitest's colours are on unless NO_COLOR says otherwise, even into a pipe or a file
    NO_COLOR: process.stdout.isTTY || 'FORCE_COLOR' in baseEnv ? baseEnv.NO_COLOR : '1',
  };
  // vitest's workers inherit this process's environment: set it for the run, restore afterwards
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(runEnv)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let results: VitestJsonResults | undefined;
  let failed = true;
  let notes = new Map<string, string>();
  const errors: string[] = [];
  try {
    const { startVitest } = await import('vitest/node');
    const namePattern = await testNamePattern(options);
    const vitest = await startVitest('test', fileFilters(options), {
      root,
      config: join(root, 'vitest.config.ts'),
      project: [project],
      testNamePattern: namePattern,
      watch: false,
      reporters: ['default', 'junit', 'json'],
      outputFile: { junit: join(reportsDir, 'junit.xml'), json: join(reportsDir, 'results.json') },
      passWithNoTests: false,
    });
    failed = !vitest || vitest.state.getCountOfFailedTests() > 0 || vitest.state.errorsSet.size > 0 || process.exitCode === 1;
    if (vitest) {
      notes = skipNotes(vitest.state.getFiles() as unknown as TaskLike[], project, namePattern === undefined ? undefined : new RegExp(namePattern));
      for (const e of vitest.state.errorsSet) errors.push(String((e as { message?: string })?.message ?? e).split('\n')[0]!);
      for (const f of vitest.state.getFiles()) {
        for (const e of f.result?.errors ?? []) errors.push(`${f.name}: ${String(e.message ?? e).split('\n')[0]}`);
      }
    } else errors.push('vitest did not start');
    await vitest?.close();
    if (existsSync(join(reportsDir, 'results.json'))) results = JSON.parse(readFileSync(join(reportsDir, 'results.json'), 'utf8')) as VitestJsonResults;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const secrets = SECRET_VARIABLES.map((n) => live[n]).filter((v): v is string => Boolean(v));
  addSkipReasons(reportsDir, notes);
  for (const f of ['junit.xml', 'results.json', 'cleanup.jsonl']) scrubFile(join(reportsDir, f), secrets);
  const checks = readChecks(reportsDir);
  const cleanupFailures = readCleanup(reportsDir);
  const matrix = buildMatrix(options.target, await allOperations(), checks, results, new Date(), {
    selected: selectedOperations(options),
    cleanupFailures,
    errors,
  });
  writeFileSync(join(reportsDir, 'coverage-matrix.json'), JSON.stringify(matrix, null, 2));
  writeFileSync(join(reportsDir, 'coverage-matrix.md'), matrixMarkdown(matrix));
  // something this run created could not be deleted: the run fails (README, "The conformance suite")
  return { ok: !failed && cleanupFailures.length === 0, target: options.target, reportsDir, matrix, checks, cleanupFailures, errors };
}

export interface ParityOptions extends Selection {
  a: string;
  b: string;
  reportsDir: string;
  allowWrites?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Runs the selection against both targets, then diffs their normalized responses. */
export async function runParity(options: ParityOptions): Promise<{ report: ParityReport; a: ConformanceResult; b: ConformanceResult }> {
  const dir = resolve(options.reportsDir);
  const a = await runConformance({ ...options, target: options.a, reportsDir: join(dir, 'a') });
  const b = await runConformance({ ...options, target: options.b, reportsDir: join(dir, 'b') });
  const report = compareRuns(options.a, a.checks, options.b, b.checks);
  writeFileSync(join(dir, 'parity.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(dir, 'parity.md'), parityMarkdown(report));
  return { report, a, b };
}
