import type { CheckRecord } from '../support/coverage.ts';
import { diffShapes, type ShapeDifference } from './shape.ts';

/**
 * Parity: the same scenarios run against two targets; each contract check is matched by
 * scenario name and position, and the two responses are compared by status and shape.
 */

export interface ParityDifference {
  test: string;
  seq: number;
  operationId: string;
  status: { a: number; b: number } | undefined;
  fields: ShapeDifference[];
}

export interface ParityReport {
  a: string;
  b: string;
  compared: number;
  onlyInA: number;
  onlyInB: number;
  differences: ParityDifference[];
}

const key = (c: CheckRecord) => `${c.test ?? '?'}#${c.seq ?? 0}`;

export function compareRuns(aName: string, a: CheckRecord[], bName: string, b: CheckRecord[]): ParityReport {
  const byKeyB = new Map(b.map((c) => [key(c), c]));
  const seen = new Set<string>();
  const differences: ParityDifference[] = [];
  let compared = 0;
  let onlyInA = 0;
  for (const ca of a) {
    const k = key(ca);
    const cb = byKeyB.get(k);
    if (!cb) {
      onlyInA++;
      continue;
    }
    seen.add(k);
    compared++;
    const statusDiffers = ca.actual !== cb.actual || ca.operationId !== cb.operationId;
    const fields = statusDiffers ? [] : diffShapes(ca.shape ?? '<none>', cb.shape ?? '<none>');
    if (statusDiffers || fields.length > 0) {
      differences.push({
        test: ca.test ?? '?',
        seq: ca.seq ?? 0,
        operationId: ca.operationId,
        status: statusDiffers ? { a: ca.actual, b: cb.actual } : undefined,
        fields,
      });
    }
  }
  const onlyInB = b.filter((c) => !seen.has(key(c))).length;
  return { a: aName, b: bName, compared, onlyInA, onlyInB, differences };
}

export function parityMarkdown(r: ParityReport): string {
  const lines = [
    `# Parity: \`${r.a}\` vs \`${r.b}\``,
    '',
    `${r.compared} responses compared (ids, timestamps and secrets masked; status, field presence and types compared); ` +
      `${r.onlyInA} only in ${r.a}, ${r.onlyInB} only in ${r.b}. **${r.differences.length} difference(s).**`,
    '',
  ];
  for (const d of r.differences) {
    lines.push(`- \`${d.operationId}\` in "${d.test}" (check ${d.seq + 1})`);
    if (d.status) lines.push(`  - status: ${r.a} ${d.status.a}, ${r.b} ${d.status.b}`);
    for (const f of d.fields) lines.push(`  - \`${f.path}\`: ${r.a} ${f.a}, ${r.b} ${f.b}`);
  }
  return lines.join('\n') + '\n';
}
