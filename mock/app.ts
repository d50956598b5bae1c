import { randomInt } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type express from 'express';
import { pino, type Logger } from 'pino';
import { createAdminApi } from './admin/index.ts';
import { createConnxioApi } from './connxio/index.ts';
import { createCustomApiListener } from './connxio/customApis/listener.ts';
import { createClock, type Clock } from './core/clock.ts';
import { controlPlaneRefusal, type ControlPlanePolicy } from './core/control-plane.ts';
import { createFaultRules } from './core/faults.ts';
import { createSharedFaultRules, createSharedRateLimits, shareClock } from './core/shared-settings.ts';
import { createRateLimits } from './core/rate-limits.ts';
import { createClientErrorResponder, createDispatcher, loadRouting, type ClientErrorHandler, type TwinEnv, type VendorApi } from './core/pipeline.ts';
import { createRandom, type Random } from './core/random.ts';
import { createMessageJournal } from './core/message-journal.ts';
import { createRequestJournal } from './core/request-journal.ts';
import { createSharedJournals } from './core/shared-journals.ts';
import { loadSpec, specPath } from './core/spec.ts';
import { Store } from './core/store/store.ts';
import { deferredValidator } from './core/deferred-validator.ts';
import { createSynqlyApi } from './synqly/index.ts';
import { createTenant, type ConnxioCredentials, type SynqlyCredentials } from './admin/tenants/lifecycle.ts';
import { boundPort } from './core/narrow.ts';

/**
 * createTwin: the three listeners' apps over one store, clock and random. Nothing listens here;
 * `startTwin` (below) or the CLI binds them to ports.
 */

export const VERSION = '0.1.0';
export type ListenerName = 'synqly' | 'connxio' | 'custom';

export interface TwinOptions {
  /** default: a fresh memory store */
  store?: Store;
  clock?: Clock;
  /** default: unseeded (OS entropy) */
  random?: Random;
  logger?: Logger;
  /** required on the control API when set */
  adminToken?: string;
  /**
   * the address the listeners are (or will be) bound to; default 127.0.0.1. Bound to loopback, the
   * control API and dashboard accept only loopback names as Host, plus `allowedHosts`.
   */
  host?: string;
  /** extra Host names the control API and dashboard accept on loopback (`name` or `name:port`) */
  allowedHosts?: string[];
  bodyLimitBytes?: number;
  /**
   * build `apps` (Express apps, e.g. for supertest) at once; default true. startTwin passes false:
   * it serves `handlers`, and Express loads with the first dashboard request.
   */
  express?: boolean;
  journalCapacity?: number;
  /**
   * load the request path's libraries (ajv for validation, find-my-way for routing) after createTwin
   * resolves instead of before: requests wait for the router (`twin.env.prepare?.()` starts it) and
   * each operation's first request for its checks (the build's precompiled ones, else ajv). The
   * CLI defers them past its ready line.
   */
  deferRequestLibraries?: boolean;
}

export interface Twin {
  apps: Record<ListenerName, express.Express>;
  /**
   * The same listeners as plain request listeners: vendor and control-API calls go straight to
   * the pipeline (no Express router per request), the dashboard (/__ui) to its Express router.
   * startTwin and the CLI serve these.
   */
  handlers: Record<ListenerName, RequestListener>;
  /** each listener's `clientError` handler: requests Node's HTTP parser refuses, answered in the vendor's envelope */
  clientErrorHandlers: Record<ListenerName, ClientErrorHandler>;
  env: TwinEnv;
  /** the listeners' base URLs once bound (startTwin fills them in; the control API reports them) */
  listeners: Partial<Record<ListenerName, string>>;
  /** stops background work (Synqly webhook deliveries), then closes the store (flushing it) */
  close(): Promise<void>;
}

/** the dashboard's prefix (mock/ui/serve.ts UI_PREFIX; not imported, so starting the CLI does not load Express) */
const UI_PREFIX = '/__ui';

/**
 * Express and the dashboard router, loaded on first need: the CLI serves the vendor APIs without
 * them (their loading was most of its start-up time) and loads them on the first /__ui request.
 */
let expressParts: Promise<{ express: typeof express; createUiRouter: typeof import('./ui/serve.ts').createUiRouter }> | undefined;
function loadExpressParts() {
  expressParts ??= Promise.all([import('express'), import('./ui/serve.ts')]).then(([e, ui]) => ({ express: e.default, createUiRouter: ui.createUiRouter }));
  return expressParts;
}

export async function createTwin(options: TwinOptions = {}): Promise<Twin> {
  const [synqlySpec, connxioSpec, adminSpec, customSpec] = await Promise.all([
    loadSpec(specPath('synqly-management.yaml')),
    loadSpec(specPath('connxio.yaml')),
    loadSpec(specPath('admin.yaml')),
    loadSpec(specPath('connxio-custom-api.yaml')),
  ]);
  const random = options.random ?? createRandom();
  const store = options.store ?? (await Store.open());
  const clock = options.clock ?? createClock();
  const logger = options.logger ?? pino({ level: 'silent' });
  // replicas of a shared store share the journals through one bounded table
  const validator = deferredValidator();
  let requestLibrariesLoaded = false;
  if (!options.deferRequestLibraries) {
    await Promise.all([validator.load(), loadRouting()]);
    requestLibrariesLoaded = true;
  }
  // deferred: a request waits for the router only; its operation's checks load before it is validated (pipeline's validate step)
  const loadRequestLibraries = () => loadRouting().then(() => undefined);
  const sharedJournals = store.shared ? createSharedJournals(store.shared, options.journalCapacity ?? 1000, logger) : undefined;
  const env: TwinEnv = {
    store,
    clock,
    random,
    logger,
    // replicas of a shared store share the clock and the fault rules through it
    faults: store.shared ? createSharedFaultRules(store, random) : createFaultRules(random),
    ...(store.shared ? { sharedClock: shareClock(clock, store) } : {}),
    rateLimits: store.shared ? createSharedRateLimits(store, random) : createRateLimits(random),
    requests: sharedJournals?.requests ?? createRequestJournal(options.journalCapacity ?? 1000),
    messages: sharedJournals?.messages ?? createMessageJournal(),
    validator,
    ...(requestLibrariesLoaded ? {} : { prepare: () => (requestLibrariesLoaded ? undefined : loadRequestLibraries().then(() => void (requestLibrariesLoaded = true))) }),
    limits: { bodyBytes: options.bodyLimitBytes ?? 1024 * 1024 },
  };
  const listeners: Partial<Record<ListenerName, string>> = {};
  const controlPlane: ControlPlanePolicy = { bindHost: options.host ?? '127.0.0.1', allowedHosts: options.allowedHosts ?? [], listeners };
  const synqlyApi = createSynqlyApi(synqlySpec, env);
  // the dispatchers mount APIs of different principal types side by side; each API's handlers get
  // the principal its own authenticate made, so the type is erased where they are mounted
  const [synqly, connxio, custom] = [synqlyApi, createConnxioApi(connxioSpec, env), createCustomApiListener(customSpec, env)] as Array<VendorApi<unknown>>;
  // (the same erasure)
  const admin = createAdminApi(adminSpec, env, {
    version: VERSION,
    startedAt: Date.now(),
    adminToken: options.adminToken,
    listeners,
    controlPlane,
    stubTargets: { synqly, connxio, custom },
  }) as VendorApi<unknown>;

  const dispatchers = {
    synqly: createDispatcher('synqly', [{ prefix: '/__admin', api: admin }, { prefix: '', api: synqly }], env),
    connxio: createDispatcher('connxio', [{ prefix: '/__admin', api: admin }, { prefix: '', api: connxio }], env),
    custom: createDispatcher('custom', [{ prefix: '/__admin', api: admin }, { prefix: '', api: custom }], env),
  };
  const buildApps = ({ express, createUiRouter }: Awaited<ReturnType<typeof loadExpressParts>>) => {
    const ui = createUiRouter();
    const app = (name: ListenerName) => {
      const e = express();
      e.disable('x-powered-by');
      e.set('etag', false);
      // the dashboard answers only under the control plane's Host and Origin rules (the control API checks them itself)
      e.use(UI_PREFIX, (req, res, next) => {
        const refusal = controlPlaneRefusal({ method: req.method, headers: req.headers, localPort: req.socket.localPort }, controlPlane);
        if (!refusal) return next();
        const rendered = admin.renderError(refusal, { method: req.method, path: req.originalUrl.split('?')[0]!, query: {}, headers: req.headers, listener: name });
        res.status(rendered.status).set(rendered.headers).send(JSON.stringify(rendered.body));
      });
      e.use(ui);
      e.use(dispatchers[name]);
      return e;
    };
    return { synqly: app('synqly'), connxio: app('connxio'), custom: app('custom') };
  };
  let apps: Record<ListenerName, express.Express> | undefined = options.express === false ? undefined : buildApps(await loadExpressParts());
  let appsLoading: Promise<Record<ListenerName, express.Express>> | undefined;
  const appsNow = () => (apps ? Promise.resolve(apps) : (appsLoading ??= loadExpressParts().then((parts) => (apps ??= buildApps(parts)))));
  const direct = (name: ListenerName): RequestListener => {
    const dispatch = dispatchers[name];
    return (req, res) => {
      if (!isUiPath(req.url)) return dispatch(req, res);
      appsNow().then(
        // an Express app is a Node request listener; its declared type takes Express's own req/res
        (ready) => (ready[name] as unknown as RequestListener)(req, res),
        (err: unknown) => {
          env.logger.error({ err }, 'the dashboard could not be loaded');
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('the dashboard could not be loaded; see the log\n');
        },
      );
    };
  };
  return {
    get apps() {
      if (!apps) throw new Error('this twin was created with { express: false }: use twin.handlers, or createTwin() for Express apps');
      return apps;
    },
    handlers: { synqly: direct('synqly'), connxio: direct('connxio'), custom: direct('custom') },
    clientErrorHandlers: {
      synqly: createClientErrorResponder('synqly', synqly, env),
      connxio: createClientErrorResponder('connxio', connxio, env),
      custom: createClientErrorResponder('custom', custom, env),
    },
    env,
    listeners,
    close: async () => {
      await synqlyApi.close(); // pending webhook deliveries dropped, their last records written first
      await sharedJournals?.flush();
      await env.store.close();
    },
  };
}

export interface StartOptions extends TwinOptions {
  /** the port of every listener not named in `ports` (0 = any free port); default 4010/4020/4021 */
  port?: number;
  ports?: Partial<Record<ListenerName, number>>;
  /**
   * create an empty tenant of each vendor and return its credentials; default: true when the twin
   * makes its own memory store (no `store` given), false otherwise
   */
  tenants?: boolean;
}

export interface RunningTwin {
  twin: Twin;
  urls: Record<ListenerName, string>;
  servers: Record<ListenerName, Server>;
  /** the tenants `startTwin` created (see StartOptions.tenants): a Synqly organization and a Connxio company */
  credentials: { synqly?: SynqlyCredentials; connxio?: ConnxioCredentials };
  stop(): Promise<void>;
}

export const DEFAULT_PORTS: Record<ListenerName, number> = { synqly: 4010, connxio: 4020, custom: 4021 };

/** Starts the three listeners (port 0 = any free port) and resolves when all accept connections. */
export async function startTwin(options: StartOptions = {}): Promise<RunningTwin> {
  const twin = await createTwin({ express: false, ...options });
  const credentials: RunningTwin['credentials'] = {};
  if (options.tenants ?? options.store === undefined) {
    const nowMs = twin.env.clock.now();
    // tenants derive their secrets from the seed: a fresh one per twin, so no two twins share credentials
    const seed = randomInt(1, 2 ** 31);
    await twin.env.store.transact((tx) => {
      credentials.synqly = createTenant(tx, { vendor: 'synqly', name: 'default', profile: 'empty', seed }, nowMs).credentials;
      credentials.connxio = createTenant(tx, { vendor: 'connxio', name: 'default', profile: 'empty', seed }, nowMs).credentials;
    });
  }
  const host = options.host ?? '127.0.0.1';
  const names: ListenerName[] = ['synqly', 'connxio', 'custom'];
  // both are filled for every name in the loop below before anything reads them
  const [servers, urls] = [{}, {}] as [Record<ListenerName, Server>, Record<ListenerName, string>];
  try {
    await Promise.all(
      names.map(async (name) => {
        const server = createServer(twin.handlers[name]);
        server.on('clientError', twin.clientErrorHandlers[name]);
        server.keepAliveTimeout = 65_000;
        servers[name] = server;
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(options.ports?.[name] ?? options.port ?? DEFAULT_PORTS[name], host, () => resolve());
        });
        const port = boundPort(server);
        urls[name] = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
        twin.listeners[name] = urls[name];
      }),
    );
  } catch (err) {
    await Promise.all(Object.values(servers).map((s) => closeServer(s)));
    await twin.close();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    twin,
    urls,
    servers,
    credentials,
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all(Object.values(servers).map((s) => closeServer(s)));
        await twin.close();
      })()),
  };
}

/** `/__ui`, `/__ui/…` or `/__ui?…`: the dashboard's paths */
function isUiPath(url: string | undefined): boolean {
  if (!url || !url.startsWith(UI_PREFIX)) return false;
  const next = url.charCodeAt(UI_PREFIX.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}
