import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestRunner } from 'vitest';
import { responseShape, type Shape } from '../report/shape.ts';

/**
 * Every contract check is recorded (operationId × status × pass/fail, plus the response's
 * normalized shape for parity) when APITWIN_REPORT_DIR is set: JSON lines in <dir>/checks.jsonl.
 * Shapes carry types and field names only — never values — so no secret reaches a report.
 */
export interface CheckRecord {
  operationId: string;
  vendor: string;
  expected: number;
  actual: number;
  passed: boolean;
  target?: string;
  /** "file > describe > test", and the check's position within that test */
  test?: string;
  seq?: number;
  shape?: Shape;
}

const seqByTest = new Map<string, number>();

function currentTestName(): string | undefined {
  const test = TestRunner.getCurrentTest();
  if (!test) return undefined;
  interface Named {
    name: string;
    suite?: Named;
  }
  const names: string[] = [];
  for (let task: Named | undefined = test as unknown as Named; task; task = task.suite) names.unshift(task.name);
  return names.join(' > ');
}

export function recordCheck(check: CheckRecord, body?: unknown): void {
  const dir = process.env.APITWIN_REPORT_DIR;
  if (!dir) return;
  const test = currentTestName();
  const seq = test ? (seqByTest.get(test) ?? 0) : 0;
  if (test) seqByTest.set(test, seq + 1);
  mkdirSync(dir, { recursive: true });
  const record: CheckRecord = { ...check, target: process.env.APITWIN_TARGET ?? 'inprocess', test, seq, shape: responseShape(body) };
  appendFileSync(join(dir, 'checks.jsonl'), JSON.stringify(record) + '\n');
}
