import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished, TestRunner } from 'vitest';

/**
 * Live-safe data: every name a scenario creates starts with LIVE_PREFIX (so `--cleanup` can find
 * leftovers) and is unique; every resource is deleted afterwards, newest first, even when the
 * scenario failed.
 */
export const LIVE_PREFIX = 'apitwin-';

export function uniqueName(kind: string): string {
  return `${LIVE_PREFIX}${kind.toLowerCase()}-${randomBytes(5).toString('hex')}`;
}

export type CleanupStep = () => PromiseLike<unknown> | unknown;

export class Cleanup {
  private steps: CleanupStep[] = [];
  readonly failures: string[] = [];

  defer(step: CleanupStep): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const steps = this.steps.reverse();
    this.steps = [];
    for (const step of steps) {
      try {
        const res = (await step()) as { status?: number; req?: { method?: string; path?: string }; body?: unknown; text?: string } | undefined;
        // a resource already gone (cascade, or the scenario deleted it) is fine
        if (res && typeof res.status === 'number' && res.status >= 400 && res.status !== 404 && !alreadyGone(res)) {
          const request = res.req?.method && res.req.path ? `${res.req.method} ${res.req.path} ` : '';
          this.failures.push(`${request}answered ${res.status}`);
        }
      } catch (err) {
        // a delete refused because writes are off (the test is skipped) means nothing was created
        if ((err as { code?: string }).code === 'VITEST_PENDING') continue;
        this.failures.push((err as Error).message);
      }
    }
  }
}

/**
 * Connxio answers an unknown code component, environment variable or security configuration with
 * 400 "… not found" (contract §1.5), not 404: such an answer to a clean-up delete means gone too.
 */
function alreadyGone(res: { status?: number; body?: unknown; text?: string }): boolean {
  if (res.status !== 400) return false;
  const detail = (res.body as { detail?: unknown } | undefined)?.detail;
  return /not found/i.test(typeof detail === 'string' ? detail : (res.text ?? ''));
}

/** A Cleanup that runs when the current test finishes (call inside a test). */
export function testCleanup(): Cleanup {
  const cleanup = new Cleanup();
  const test = TestRunner.getCurrentTest();
  onTestFinished(async () => {
    await cleanup.run();
    recordCleanupFailures(test?.fullName ?? test?.name ?? '?', cleanup.failures);
  });
  return cleanup;
}

/** Failed deletes go to <APITWIN_REPORT_DIR>/cleanup.jsonl; the run prints and reports them. */
export function recordCleanupFailures(test: string, failures: readonly string[]): void {
  const dir = process.env.APITWIN_REPORT_DIR;
  if (!dir || failures.length === 0) return;
  mkdirSync(dir, { recursive: true });
  for (const failure of failures) appendFileSync(join(dir, 'cleanup.jsonl'), JSON.stringify({ test, failure }) + '\n');
}
