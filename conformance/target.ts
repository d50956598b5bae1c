import supertest from 'supertest';
import { inject, TestRunner } from 'vitest';
import { createTwin, type Twin } from '../mock/app.ts';

/**
 * One scenario body, three targets (ARCHITECTURE "The conformance suite"):
 * - inprocess: supertest over createTwin() with a memory store;
 * - spawned:   the CLI on port 0 (started once per run by conformance/support/spawned-setup.ts);
 * - live:      base URLs and credentials from the environment (a vendor tenant, or a twin you
 *              started yourself — then it is treated exactly like a vendor: no control API).
 * Choose with APITWIN_TARGET.
 */

export type TargetKind = 'inprocess' | 'spawned' | 'live';
export type Client = ReturnType<typeof supertest>;

export interface Capabilities {
  /** the control API (tenants, clock, faults, journals) is reachable */
  admin: boolean;
  /** scenarios may create, change and delete data (always on twins; `--allow-writes` on live) */
  writes: boolean;
}

export interface LiveCredentials {
  synqlyToken?: string;
  connxioApiKey?: string;
  connxioClientId?: string;
  connxioClientSecret?: string;
  connxioTokenUrl?: string;
  connxioCustomApiKey?: string;
}

export interface Target {
  kind: TargetKind;
  capabilities: Capabilities;
  synqly: Client;
  connxio: Client;
  custom: Client;
  /** the control API (the Synqly listener's /__admin); only when capabilities.admin */
  admin: Client;
  live: LiveCredentials;
  /** the in-process twin, for unit-level peeks (inprocess only) */
  twin?: Twin;
}

declare module 'vitest' {
  export interface ProvidedContext {
    apitwinSpawnedUrls: { synqly: string; connxio: string; custom: string } | null;
  }
}

let cached: Promise<Target> | undefined;

export function targetKind(): TargetKind {
  const kind = (process.env.APITWIN_TARGET ?? 'inprocess') as TargetKind;
  if (!['inprocess', 'spawned', 'live'].includes(kind)) throw new Error(`APITWIN_TARGET=${kind}: use inprocess, spawned or live`);
  return kind;
}

/** The target of this run (one per test file: each file has its own module scope). */
export function useTarget(): Promise<Target> {
  cached ??= makeTarget(targetKind());
  return cached;
}

async function makeTarget(kind: TargetKind): Promise<Target> {
  if (kind === 'inprocess') {
    const twin = await createTwin();
    return {
      kind,
      capabilities: { admin: true, writes: true },
      synqly: supertest(twin.apps.synqly),
      connxio: supertest(twin.apps.connxio),
      custom: supertest(twin.apps.custom),
      admin: adminClient(supertest(twin.apps.synqly)),
      live: {},
      twin,
    };
  }
  if (kind === 'spawned') {
    const urls = inject('apitwinSpawnedUrls');
    if (!urls) throw new Error('the spawned target needs conformance/support/spawned-setup.ts as globalSetup');
    return {
      kind,
      capabilities: { admin: true, writes: true },
      synqly: supertest(urls.synqly),
      connxio: supertest(urls.connxio),
      custom: supertest(urls.custom),
      admin: adminClient(supertest(urls.synqly)),
      live: {},
    };
  }
  const env = process.env;
  // only the vendors whose variables are set are reachable; the other's scenarios skip, saying why
  const synqlyMissing = ['SYNQLY_BASE_URL', 'SYNQLY_TOKEN'].filter((n) => !env[n]);
  const connxioMissing = ['CONNXIO_BASE_URL', 'CONNXIO_API_KEY', 'CONNXIO_CLIENT_ID', 'CONNXIO_CLIENT_SECRET'].filter((n) => !env[n]);
  const synqly = synqlyMissing.length ? unconfigured('Synqly', synqlyMissing) : supertest(env.SYNQLY_BASE_URL!);
  const connxio = connxioMissing.length ? unconfigured('Connxio', connxioMissing) : supertest(env.CONNXIO_BASE_URL!);
  return {
    kind,
    capabilities: { admin: false, writes: env.APITWIN_ALLOW_WRITES === 'true' },
    synqly,
    connxio,
    custom: connxioMissing.length ? connxio : supertest(env.CONNXIO_CUSTOM_BASE_URL ?? env.CONNXIO_BASE_URL!),
    admin: synqly,
    live: {
      synqlyToken: env.SYNQLY_TOKEN,
      connxioApiKey: env.CONNXIO_API_KEY,
      connxioClientId: env.CONNXIO_CLIENT_ID,
      connxioClientSecret: env.CONNXIO_CLIENT_SECRET,
      connxioTokenUrl: env.CONNXIO_TOKEN_URL,
      connxioCustomApiKey: env.CONNXIO_CUSTOM_API_KEY,
    },
  };
}

/**
 * The control API's client: every write carries X-Apitwin-Client, which the control API requires
 * of writes without a JSON body (DECISIONS "control plane and browsers").
 */
export function adminClient(client: Client): Client {
  return new Proxy(client, {
    get: (target, prop, receiver) => {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || !['post', 'put', 'patch', 'delete', 'del'].includes(String(prop))) return value;
      return (url: string) => (value as (u: string) => ReturnType<Client['post']>).call(target, url).set('x-apitwin-client', 'apitwin-conformance');
    },
  });
}

/** The reason a live scenario of an unconfigured vendor is skipped. */
export function unconfiguredReason(vendor: string, missing: string[]): string {
  return `the live target has no ${vendor} settings (${missing.join(', ')} not set)`;
}

/** A client for a vendor the live target has no settings for: any call skips the current test. */
function unconfigured(vendor: string, missing: string[]): Client {
  const reason = unconfiguredReason(vendor, missing);
  const refuse = () => {
    TestRunner.getCurrentTest()?.context.skip(reason);
    throw new Error(reason);
  };
  return new Proxy({} as Client, { get: (_t, prop) => (prop === 'then' ? undefined : refuse) });
}
