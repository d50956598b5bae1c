import { randomBytes } from 'node:crypto';
import { onTestFinished } from 'vitest';

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
        const res = (await step()) as { status?: number } | undefined;
        // a resource already gone (cascade, or the scenario deleted it) is fine
        if (res && typeof res.status === 'number' && res.status >= 400 && res.status !== 404) {
          this.failures.push(`cleanup answered ${res.status}`);
        }
      } catch (err) {
        this.failures.push((err as Error).message);
      }
    }
  }
}

/** A Cleanup that runs when the current test finishes (call inside a test). */
export function testCleanup(): Cleanup {
  const cleanup = new Cleanup();
  onTestFinished(() => cleanup.run());
  return cleanup;
}
