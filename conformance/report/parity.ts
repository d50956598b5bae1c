import type { CheckRecord } from '../support/coverage.ts';
import { compareResponses, pairByStep, reportMarkdown, type ComparisonReport } from './compare.ts';

/**
 * Parity: the same scenarios run against two targets; each contract check is paired by scenario
 * test, operationId and the operation's step in that test (compare.ts), and the two responses are
 * compared by status and shape (check records hold shapes, never values).
 */

export type ParityReport = ComparisonReport;

export function compareRuns(aName: string, a: CheckRecord[], bName: string, b: CheckRecord[]): ParityReport {
  const paired = pairByStep(a, b, (c) => ({ scope: c.test ?? '?', operationId: c.operationId }));
  const differences = [];
  for (const p of paired.pairs) {
    const d = compareResponses(
      p.scope,
      p.step,
      { operationId: p.a.operationId, status: p.a.actual, body: p.a.shape ?? '<none>' },
      { operationId: p.b.operationId, status: p.b.actual, body: p.b.shape ?? '<none>' },
      'shape',
    );
    if (d) differences.push(d);
  }
  return { kind: 'parity', a: aName, b: bName, compared: paired.pairs.length, onlyInA: paired.onlyInA.length, onlyInB: paired.onlyInB.length, differences };
}

export function parityMarkdown(r: ParityReport): string {
  return reportMarkdown(r, 'paired by scenario, operationId and step; ids, timestamps and secrets masked; status, field presence and types compared');
}
