import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compareResponses, normalize, pairByStep, PLACEHOLDER, reportJunit, reportMarkdown, type ComparisonReport, type Difference } from '../../conformance/report/compare.ts';
import { packageRoot } from '../core/spec.ts';
import { readyLine } from '../core/ready-line.ts';
import { headerOf, networkCause, parseJson, readHar, responseText, type ApitwinEntry } from './har.ts';
import { loadVendor, type RecordVendor } from './record.ts';

/**
 * `apitwin verify FILE.har`: replays a recording, in order, against a fresh tenant of a target and
 * compares every answer with the recorded one through the comparison engine the suite's parity
 * mode uses (conformance/report/compare.ts). Values a recorded response introduced (ids, names,
 * secrets, etags) and later requests reuse are mapped to the values the target returned;
 * recorded credentials become the target tenant's, and one the upstream refused becomes one the
 * target refuses too (DECISIONS.md, "verify").
 */

export interface TargetCredentials {
  synqly?: { baseUrl: string; token: string };
  connxio?: { baseUrl: string; apiKey: string; clientId: string; clientSecret: string; tokenUrl?: string };
}

export interface VerifyTarget {
  name: string;
  credentials: TargetCredentials;
  stop(): Promise<void>;
}

export class VerifyUsageError extends Error {
  override name = 'VerifyUsageError';
}

/** hop-by-hop and transport headers a replay does not copy from the recording */
const NOT_REPLAYED = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'accept-encoding', 'cookie', 'proxy-authorization', 'x-apitwin-admin-token']);
const MAPPED_FIELD = /(^|_)id$|^id$|Id$|name$|etag|secret|token|key|correlation|^value$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface VerifyResult {
  report: ComparisonReport;
  reportsDir?: string;
}

export async function verifyRecording(options: { har: string; target: VerifyTarget; reportsDir?: string }): Promise<VerifyResult> {
  const har = readHar(options.har);
  const entries = har.log.entries;
  const vendors = new Map<RecordVendor, Awaited<ReturnType<typeof loadVendor>>>();
  const vendorOf = async (entry: ApitwinEntry): Promise<{ vendor: RecordVendor; operationId: string }> => {
    const url = new URL(entry.request.url);
    const vendor = entry._apitwin?.vendor ?? guessVendor(url.pathname);
    let v = vendors.get(vendor);
    if (!v) vendors.set(vendor, (v = await loadVendor(vendor)));
    const match = v.router.match(entry.request.method, url.pathname);
    return { vendor, operationId: entry._apitwin?.operationId ?? (match.kind === 'found' ? match.route.operationId : `${entry.request.method} ${url.pathname}`) };
  };

  const map = new Map<string, string>();
  const credentials = options.target.credentials;
  let connxioBearer: string | undefined;
  const refused = `apitwin-refused-${Math.random().toString(36).slice(2)}`;
  const scope = basename(options.har);
  const recorded: Array<{ operationId: string; status: number; body: unknown }> = [];
  const replayed: Array<{ operationId: string; status: number; body: unknown }> = [];

  for (const entry of entries) {
    const { vendor, operationId } = await vendorOf(entry);
    const base = vendor === 'synqly' ? credentials.synqly?.baseUrl : credentials.connxio?.baseUrl;
    if (!base) throw new VerifyUsageError(`the recording has ${vendor} requests, and the target has no ${vendor} base URL`);
    const accepted = entry.response.status !== 401;
    const url = new URL(entry.request.url);
    const path = url.pathname
      .split('/')
      .map((seg) => encodeURIComponent(mapValue(map, decodeURIComponent(seg))).replace(/%40/g, '@'))
      .join('/');
    const target = new URL(base.replace(/\/$/, '') + path);
    for (const q of entry.request.queryString ?? [...url.searchParams].map(([name, value]) => ({ name, value }))) {
      const credential = q.name.toLowerCase() === 'connxio-api-key';
      target.searchParams.append(q.name, credential ? (accepted ? (credentials.connxio?.apiKey ?? '') : refused) : mapValue(map, q.value));
    }
    const headers = new Headers();
    for (const h of entry.request.headers ?? []) {
      const lower = h.name.toLowerCase();
      if (NOT_REPLAYED.has(lower) || lower.startsWith(':')) continue;
      if (lower === 'authorization') headers.set('authorization', await authorization(h.value, vendor, accepted));
      else if (lower === 'connxio-api-key') headers.set('connxio-api-key', accepted ? (credentials.connxio?.apiKey ?? refused) : refused);
      else headers.append(h.name, mapValue(map, h.value));
    }
    let body: string | undefined;
    const text = entry.request.postData?.text;
    if (text !== undefined && entry.request.method !== 'GET' && entry.request.method !== 'HEAD') {
      const type = entry.request.postData?.mimeType ?? headerOf(entry.request.headers, 'content-type') ?? '';
      body = /json/i.test(type) ? mapJsonText(map, text) : /x-www-form-urlencoded/i.test(type) ? mapForm(text, accepted) : mapValue(map, text);
    }
    const res = await fetch(target, { method: entry.request.method, headers, body, redirect: 'manual' }).catch((err: unknown) => {
      throw new VerifyUsageError(`the target did not answer ${entry.request.method} ${target.pathname}: ${networkCause(err)}`);
    });
    const targetText = await res.text();
    const recordedBody = parseJson(responseText(entry));
    const targetBody = parseJson(targetText);
    learn(map, recordedBody, targetBody);
    for (const name of ['etag', 'x-interchange-id', 'location']) {
      const a = headerOf(entry.response.headers, name);
      const b = res.headers.get(name);
      if (a && b && a !== b) map.set(a, b);
    }
    recorded.push({ operationId, status: entry.response.status, body: mapDeep(map, recordedBody) });
    replayed.push({ operationId, status: res.status, body: targetBody });
  }

  const paired = pairByStep(
    recorded.map((r, i) => ({ ...r, i })),
    replayed.map((r, i) => ({ ...r, i })),
    (x) => ({ scope, operationId: x.operationId }),
  );
  const differences: Difference[] = [];
  for (const p of paired.pairs) {
    const d = compareResponses(p.scope, p.step, { ...p.a, body: normalize(p.a.body, 'values') }, { ...p.b, body: normalize(p.b.body, 'values') }, 'values');
    if (d) differences.push(d);
  }
  const report: ComparisonReport = { kind: 'verify', a: 'recording', b: options.target.name, compared: paired.pairs.length, onlyInA: paired.onlyInA.length, onlyInB: paired.onlyInB.length, differences };
  if (options.reportsDir) {
    mkdirSync(options.reportsDir, { recursive: true });
    writeFileSync(join(options.reportsDir, 'verify.json'), JSON.stringify(report, null, 2));
    writeFileSync(join(options.reportsDir, 'verify.md'), reportMarkdown(report, `${scope} replayed in order; paired by operationId and step; ids, timestamps and secrets compared by shape, everything else by value`));
    writeFileSync(join(options.reportsDir, 'junit.xml'), reportJunit(report, paired.pairs.map((p) => ({ scope: p.scope, operationId: p.a.operationId, step: p.step }))));
  }
  return { report, reportsDir: options.reportsDir };

  /** a token a recorded response introduced → the target's; else the tenant's own credential, or a refused one */
  async function authorization(recordedValue: string, vendor: RecordVendor, accepted: boolean): Promise<string> {
    const scheme = /^(\w+)\s+/.exec(recordedValue)?.[1] ?? 'Bearer';
    const credential = recordedValue.slice(scheme.length).trim();
    const mapped = map.get(credential);
    if (mapped) return `${scheme} ${mapped}`;
    if (!accepted) return `${scheme} ${refused}`;
    const c = credentials.connxio;
    if (scheme.toLowerCase() === 'basic' && c) return `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
    if (vendor === 'synqly') return `Bearer ${credentials.synqly?.token ?? refused}`;
    return `Bearer ${await bearer()}`;
  }

  async function bearer(): Promise<string> {
    if (connxioBearer) return connxioBearer;
    const c = credentials.connxio!;
    const res = await fetch(c.tokenUrl ?? `${c.baseUrl.replace(/\/$/, '')}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: 'api://connxio/.default' }),
    });
    if (!res.ok) throw new VerifyUsageError(`the target refused its own OAuth client (${res.status})`);
    connxioBearer = ((await res.json()) as { access_token: string }).access_token; // a 2xx token answer (Connxio spec)
    return connxioBearer;
  }

  function mapForm(text: string, accepted: boolean): string {
    const params = new URLSearchParams(text);
    const out = new URLSearchParams();
    for (const [k, v] of params) {
      if (k === 'client_id') out.append(k, accepted ? (credentials.connxio?.clientId ?? v) : v);
      else if (k === 'client_secret') out.append(k, accepted ? (credentials.connxio?.clientSecret ?? v) : refused);
      else out.append(k, mapValue(map, v));
    }
    return out.toString();
  }
}

/** Synqly's management paths start /v1/ (Connxio's legacy v1 paths aside); everything else is Connxio. */
function guessVendor(path: string): RecordVendor {
  return /^\/v1\//.test(path) && !/^\/v1\/(message|eventgrid|integration|subscription)/i.test(path) ? 'synqly' : 'connxio';
}

/** the value a recorded one became on the target; ids and secrets inside a longer string (a path, a message) too */
function mapValue(map: Map<string, string>, value: string): string {
  const exact = map.get(value);
  if (exact !== undefined) return exact;
  let out = value;
  for (const [from, to] of map) if (from.length >= 16 && out.includes(from)) out = out.split(from).join(to);
  return out;
}

function mapDeep(map: Map<string, string>, value: unknown): unknown {
  if (map.size === 0) return value;
  if (typeof value === 'string') return mapValue(map, value);
  if (Array.isArray(value)) return value.map((v) => mapDeep(map, v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapDeep(map, v)]));
  return value;
}

function mapJsonText(map: Map<string, string>, text: string): string {
  try {
    return JSON.stringify(mapDeep(map, JSON.parse(text)));
  } catch {
    return mapValue(map, text);
  }
}

/** Values the target returned where the recording has another at the same place: ids, names, secrets, etags. */
function learn(map: Map<string, string>, recorded: unknown, target: unknown, field = '', depth = 0): void {
  if (depth > 40) return;
  if (typeof recorded === 'string' && typeof target === 'string') {
    if (recorded !== target && recorded !== '' && (MAPPED_FIELD.test(field) || PLACEHOLDER.test(recorded) || UUID.test(recorded)) && !map.has(recorded)) map.set(recorded, target);
    return;
  }
  if (Array.isArray(recorded) && Array.isArray(target)) {
    for (let i = 0; i < Math.min(recorded.length, target.length); i++) learn(map, recorded[i], target[i], field, depth + 1);
    return;
  }
  if (recorded && target && typeof recorded === 'object' && typeof target === 'object') {
    for (const [k, v] of Object.entries(recorded)) if (k in target) learn(map, v, Reflect.get(target, k), k, depth + 1);
  }
}

// ---- targets

/** A twin in this process, on free ports, with a fresh tenant per vendor. */
export async function inprocessTarget(): Promise<VerifyTarget> {
  const { startTwin } = await import('../app.ts');
  const running = await startTwin({ port: 0 });
  const s = running.credentials.synqly!;
  const c = running.credentials.connxio!;
  return {
    name: 'inprocess',
    credentials: {
      synqly: { baseUrl: running.urls.synqly, token: s.token },
      connxio: { baseUrl: running.urls.connxio, apiKey: c.api_key, clientId: c.oauth.client_id, clientSecret: c.oauth.client_secret },
    },
    stop: () => running.stop(),
  };
}

/** `apitwin serve` started on free ports with a memory store; fresh tenants through its control API. */
export async function spawnedTarget(): Promise<VerifyTarget> {
  const cli = join(packageRoot(), 'dist', 'cli.js');
  const child: ChildProcess = spawn(process.execPath, [cli, 'serve', '--memory', '--json', '--profile', 'empty', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const ready = await readyLine<{ urls: { synqly: string; connxio: string } }>(child, 30_000, (reason) => new VerifyUsageError(`apitwin serve ${reason}`));
    const tenant = async (vendor: string) => {
      const res = await fetch(`${ready.urls.synqly}/__admin/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vendor }) });
      if (res.status !== 201) throw new VerifyUsageError(`could not create a ${vendor} tenant on the spawned twin (${res.status})`);
      // the control API's tenant (specs/admin.yaml); its credentials are shaped by the vendor, read below
  return ((await res.json()) as { credentials: Record<string, unknown> }).credentials;
    };
    const s = (await tenant('synqly')) as { token: string }; // a Synqly tenant's credentials
    // a Connxio tenant's credentials
  const c = (await tenant('connxio')) as { api_key: string; oauth: { client_id: string; client_secret: string } };
    return {
      name: 'spawned',
      credentials: {
        synqly: { baseUrl: ready.urls.synqly, token: s.token },
        connxio: { baseUrl: ready.urls.connxio, apiKey: c.api_key, clientId: c.oauth.client_id, clientSecret: c.oauth.client_secret },
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A live tenant (or anything reachable) from `<PREFIX>SYNQLY_*` / `<PREFIX>CONNXIO_*` variables. */
export function liveTarget(name: string, prefix: string, env: NodeJS.ProcessEnv): VerifyTarget {
  const v = (k: string) => env[`${prefix}${k}`];
  const credentials: TargetCredentials = {};
  if (v('SYNQLY_BASE_URL') && v('SYNQLY_TOKEN')) credentials.synqly = { baseUrl: v('SYNQLY_BASE_URL')!, token: v('SYNQLY_TOKEN')! };
  if (v('CONNXIO_BASE_URL') && v('CONNXIO_API_KEY') && v('CONNXIO_CLIENT_ID') && v('CONNXIO_CLIENT_SECRET')) {
    credentials.connxio = { baseUrl: v('CONNXIO_BASE_URL')!, apiKey: v('CONNXIO_API_KEY')!, clientId: v('CONNXIO_CLIENT_ID')!, clientSecret: v('CONNXIO_CLIENT_SECRET')!, tokenUrl: v('CONNXIO_TOKEN_URL') };
  }
  if (!credentials.synqly && !credentials.connxio) {
    throw new VerifyUsageError(`the ${name} target needs ${prefix}SYNQLY_BASE_URL and ${prefix}SYNQLY_TOKEN, or ${prefix}CONNXIO_BASE_URL, ${prefix}CONNXIO_API_KEY, ${prefix}CONNXIO_CLIENT_ID and ${prefix}CONNXIO_CLIENT_SECRET`);
  }
  return { name, credentials, stop: async () => {} };
}

