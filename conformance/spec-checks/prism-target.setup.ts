import type { TestProject } from 'vitest/node';
import { startPrism, type Prism } from './processes.ts';

/**
 * globalSetup of the Prism target (prism-target.config.ts): Prism's stateless mock on the Synqly
 * and the Connxio spec, on free ports of 127.0.0.1, for the whole run; stopped afterwards.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    apitwinPrismUrls: { synqly: string; connxio: string };
  }
}

let prisms: Prism[] = [];

export async function setup(project: TestProject): Promise<void> {
  const started = await Promise.allSettled([startPrism('mock', 'specs/synqly-management.yaml'), startPrism('mock', 'specs/connxio.yaml')]);
  prisms = started.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<Prism>).value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await teardown();
    throw (failed as PromiseRejectedResult).reason;
  }
  project.provide('apitwinPrismUrls', { synqly: prisms[0]!.url, connxio: prisms[1]!.url });
}

export async function teardown(): Promise<void> {
  await Promise.all(prisms.map((p) => p.stop()));
  prisms = [];
}
