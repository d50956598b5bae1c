// Example: a vitest globalSetup that starts the twin once for your whole test run.
// In your project: `import { startTwin } from 'apitwin';` — here the repo imports its own source.
import type { TestProject } from 'vitest/node';
import { startTwin, type RunningTwin } from '../../mock/index.ts';

let twin: RunningTwin | undefined;

export async function setup(project: TestProject): Promise<void> {
  twin = await startTwin({ ports: { synqly: 0, connxio: 0, custom: 0 } });
  // a tenant of each vendor, isolated from anything else your tests do
  const create = async (vendor: 'synqly' | 'connxio') => {
    const res = await fetch(`${twin!.urls.synqly}/__admin/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor }),
    });
    if (res.status !== 201) throw new Error(`tenant: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { credentials: Record<string, unknown> }).credentials;
  };
  project.provide('twin', { urls: twin.urls, synqly: await create('synqly'), connxio: await create('connxio') });
}

export async function teardown(): Promise<void> {
  await twin?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    twin: { urls: RunningTwin['urls']; synqly: Record<string, unknown>; connxio: Record<string, unknown> };
  }
}
