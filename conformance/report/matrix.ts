import type { CheckRecord } from '../support/coverage.ts';

/**
 * The coverage matrix: per operation, the statuses the run exercised and how its scenarios ended
 * (pass / fail / skip), from the contract checks (checks.jsonl) and vitest's JSON results.
 */

export interface OperationRow {
  operationId: string;
  vendor: string;
  /** status → number of checks, split by outcome */
  statuses: Record<string, { passed: number; failed: number }>;
  scenarios: { passed: number; failed: number; skipped: number };
  result: 'pass' | 'fail' | 'skip' | 'not covered' | 'not selected';
  /**
   * a scenario named after this operation passed, and in it a contract check of this operation
   * answered 2xx (its documented success): what the fidelity ledger counts as "passed live"
   */
  succeeded: boolean;
}

export interface CleanupFailure {
  test: string;
  failure: string;
}

export interface Matrix {
  target: string;
  generatedAt: string;
  totals: { operations: number; covered: number; passed: number; failed: number; skipped: number; notCovered: number; notSelected: number };
  operations: OperationRow[];
  /** deletes that failed after scenarios: resources the run may have left behind */
  cleanup: { failures: CleanupFailure[] };
  /** errors outside scenarios (files that failed to load, unhandled errors) */
  errors: string[];
}

interface JsonAssertion {
  ancestorTitles: string[];
  title: string;
  status: string;
}
export interface VitestJsonResults {
  testResults: Array<{ name: string; assertionResults: JsonAssertion[] }>;
}

export function buildMatrix(
  target: string,
  operations: Array<{ operationId: string; vendor: string }>,
  checks: CheckRecord[],
  results: VitestJsonResults | undefined,
  now: Date,
  extra: { selected?: Set<string>; cleanupFailures?: CleanupFailure[]; errors?: string[] } = {},
): Matrix {
  const rows = new Map<string, OperationRow>();
  for (const op of operations) {
    rows.set(op.operationId, { operationId: op.operationId, vendor: op.vendor, statuses: {}, scenarios: { passed: 0, failed: 0, skipped: 0 }, result: 'not covered', succeeded: false });
  }
  for (const c of checks) {
    const row = rows.get(c.operationId);
    if (!row) continue;
    const cell = (row.statuses[String(c.actual)] ??= { passed: 0, failed: 0 });
    if (c.passed) cell.passed++;
    else cell.failed++;
  }
  for (const file of results?.testResults ?? []) {
    for (const a of file.assertionResults) {
      const names = [...a.ancestorTitles, a.title];
      const ops = new Set(names.filter((n) => rows.has(n)));
      // a scenario also counts for the operations it checked, when its describe names another
      for (const op of ops) {
        const row = rows.get(op)!;
        if (a.status === 'passed') {
          row.scenarios.passed++;
          const suffix = ` > ${names.join(' > ')}`;
          if (
            a.ancestorTitles.includes(op) &&
            checks.some((c) => c.operationId === op && c.passed && c.actual >= 200 && c.actual < 300 && (c.test === names.join(' > ') || c.test?.endsWith(suffix)))
          ) {
            row.succeeded = true;
          }
        }
        else if (a.status === 'failed') row.scenarios.failed++;
        else row.scenarios.skipped++;
      }
    }
  }
  for (const row of rows.values()) {
    const checked = Object.values(row.statuses).reduce((n, s) => n + s.passed + s.failed, 0);
    const failedChecks = Object.values(row.statuses).some((s) => s.failed > 0);
    // scenarios a name filter (--operation, --tag) left out are reported as skipped by vitest: not skips
    if (extra.selected && !extra.selected.has(row.operationId)) row.scenarios.skipped = 0;
    const ran = row.scenarios.passed + row.scenarios.failed + checked > 0;
    if (extra.selected && !extra.selected.has(row.operationId) && !ran) row.result = 'not selected';
    else if (row.scenarios.failed > 0 || failedChecks) row.result = 'fail';
    // checks made by other operations' scenarios do not make up for this operation's own skipped ones
    else if (row.scenarios.passed > 0 || (checked > 0 && row.scenarios.skipped === 0)) row.result = 'pass';
    else if (row.scenarios.skipped > 0) row.result = 'skip';
  }
  const all = [...rows.values()];
  return {
    target,
    generatedAt: now.toISOString(),
    totals: {
      operations: all.length,
      covered: all.filter((r) => r.result === 'pass' || r.result === 'fail').length,
      passed: all.filter((r) => r.result === 'pass').length,
      failed: all.filter((r) => r.result === 'fail').length,
      skipped: all.filter((r) => r.result === 'skip').length,
      notCovered: all.filter((r) => r.result === 'not covered').length,
      notSelected: all.filter((r) => r.result === 'not selected').length,
    },
    operations: all,
    cleanup: { failures: extra.cleanupFailures ?? [] },
    errors: extra.errors ?? [],
  };
}

export function matrixMarkdown(m: Matrix): string {
  const lines = [
    `# Coverage matrix — target \`${m.target}\``,
    '',
    `Generated ${m.generatedAt}. ${m.totals.operations} operations: ${summaryCounts(m)}.`,
    '',
    m.cleanup.failures.length
      ? `**Cleanup: ${m.cleanup.failures.length} delete(s) failed — resources may be left behind** (\`apitwin conformance --cleanup\` removes \`apitwin-*\` leftovers):\n\n${m.cleanup.failures.map((f) => `- ${f.test}: ${f.failure}`).join('\n')}\n`
      : 'Cleanup: every resource the run created was deleted.',
    '',
    ...(m.errors.length ? [`**Errors outside scenarios:** ${m.errors.join('; ')}`, ''] : []),
    '"2xx" = a scenario of the operation itself passed with a successful (2xx) answer to it: what the fidelity ledger counts as verified live.',
    '',
    '| vendor | operationId | statuses exercised (checks passed/failed) | scenarios passed / failed / skipped | 2xx | result |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of m.operations) {
    const statuses = Object.entries(r.statuses)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([s, c]) => `${s} (${c.passed}/${c.failed})`)
      .join(', ');
    lines.push(`| ${r.vendor} | \`${r.operationId}\` | ${statuses || '–'} | ${r.scenarios.passed} / ${r.scenarios.failed} / ${r.scenarios.skipped} | ${r.succeeded ? 'yes' : '–'} | ${r.result} |`);
  }
  return lines.join('\n') + '\n';
}

/** "3 pass, 0 fail, 2 skipped, 1 not covered, 120 not selected" (zero "not selected" left out) */
export function summaryCounts(m: Matrix): string {
  const t = m.totals;
  return `${t.passed} pass, ${t.failed} fail, ${t.skipped} skipped, ${t.notCovered} not covered${t.notSelected ? `, ${t.notSelected} not selected` : ''}`;
}
