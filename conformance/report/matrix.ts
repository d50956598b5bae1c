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
  result: 'pass' | 'fail' | 'skip' | 'not covered';
}

export interface Matrix {
  target: string;
  generatedAt: string;
  totals: { operations: number; covered: number; passed: number; failed: number; skipped: number; notCovered: number };
  operations: OperationRow[];
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
): Matrix {
  const rows = new Map<string, OperationRow>();
  for (const op of operations) {
    rows.set(op.operationId, { operationId: op.operationId, vendor: op.vendor, statuses: {}, scenarios: { passed: 0, failed: 0, skipped: 0 }, result: 'not covered' });
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
        if (a.status === 'passed') row.scenarios.passed++;
        else if (a.status === 'failed') row.scenarios.failed++;
        else row.scenarios.skipped++;
      }
    }
  }
  for (const row of rows.values()) {
    const checked = Object.values(row.statuses).reduce((n, s) => n + s.passed + s.failed, 0);
    const failedChecks = Object.values(row.statuses).some((s) => s.failed > 0);
    if (row.scenarios.failed > 0 || failedChecks) row.result = 'fail';
    else if (row.scenarios.passed > 0 || checked > 0) row.result = 'pass';
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
    },
    operations: all,
  };
}

export function matrixMarkdown(m: Matrix): string {
  const lines = [
    `# Coverage matrix — target \`${m.target}\``,
    '',
    `Generated ${m.generatedAt}. ${m.totals.operations} operations: ${m.totals.passed} pass, ${m.totals.failed} fail, ${m.totals.skipped} skipped, ${m.totals.notCovered} not covered.`,
    '',
    '| vendor | operationId | statuses exercised (checks passed/failed) | scenarios passed / failed / skipped | result |',
    '|---|---|---|---|---|',
  ];
  for (const r of m.operations) {
    const statuses = Object.entries(r.statuses)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([s, c]) => `${s} (${c.passed}/${c.failed})`)
      .join(', ');
    lines.push(`| ${r.vendor} | \`${r.operationId}\` | ${statuses || '–'} | ${r.scenarios.passed} / ${r.scenarios.failed} / ${r.scenarios.skipped} | ${r.result} |`);
  }
  return lines.join('\n') + '\n';
}
