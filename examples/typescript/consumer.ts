// Example: a TypeScript project importing apitwin's programmatic API. The types come from the
// package (exports → dist/types); `conformance/suite/package-types.test.ts` type-checks this file
// as a separate project that has apitwin in node_modules.
import { createTwin, startTwin, type RunningTwin, type Twin, type TwinOptions } from 'apitwin';

const options: TwinOptions = { adminToken: 'local-admin', journalCapacity: 500 };

export async function withTwin<T>(use: (running: RunningTwin) => Promise<T>): Promise<T> {
  const running = await startTwin({ ...options, ports: { synqly: 0, connxio: 0, custom: 0 } });
  try {
    const synqlyBase: string = running.urls.synqly;
    const customBase: string = running.urls.custom;
    const token: string | undefined = running.credentials.synqly?.token;
    const apiKey: string | undefined = running.credentials.connxio?.api_key;
    void token;
    void apiKey;
    // @ts-expect-error the listeners are synqly, connxio and custom: a typo is a type error
    void running.urls.synqlyy;
    void synqlyBase;
    void customBase;
    return await use(running);
  } finally {
    await running.stop();
  }
}

export async function inProcess(): Promise<Twin> {
  const twin = await createTwin(options);
  // @ts-expect-error createTwin's options are checked: ports belong to startTwin
  await createTwin({ ports: { synqly: 0 } });
  return twin;
}
