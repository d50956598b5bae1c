import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every contract check is recorded (operationId × status × pass/fail) for the coverage matrix.
 * With APITWIN_REPORT_DIR set, checks are appended as JSON lines to <dir>/checks.jsonl.
 */
export interface CheckRecord {
  operationId: string;
  vendor: string;
  expected: number;
  actual: number;
  passed: boolean;
}

export function recordCheck(check: CheckRecord): void {
  const dir = process.env.APITWIN_REPORT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'checks.jsonl'), JSON.stringify({ ...check, target: process.env.APITWIN_TARGET ?? 'inprocess' }) + '\n');
}
