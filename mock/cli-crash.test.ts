import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnTwin, type Server, type TwinReady } from '../bench/procs.ts';
import { loadStoreFile } from './core/store/journaled-file.ts';

/**
 * Crash and restart: the built, file-backed twin is killed with SIGKILL under write load, over and
 * over (with a tiny compaction threshold, so kills also land during snapshot rewrites). After each
 * kill the store file loads on its own, the next twin starts on it, and every write that was
 * acknowledged (answered 2xx) before the kill is there.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const KILLS = Number(process.env.APITWIN_CRASH_KILLS ?? 20);
const WRITERS = 8;
let current: Server<TwinReady> | undefined;

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does)');
});

afterEach(async () => {
  await current?.stop('SIGKILL');
});

interface Acked {
  synqly: string[];
  connxio: string[];
}

function write(agent: Agent, method: string, base: string, path: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; json: unknown }> {
  const url = new URL(base);
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const r = request(
      { host: url.hostname, port: url.port, method, path, agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(data.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(data);
  });
}

async function bearerFor(base: string, oauth: { client_id: string; client_secret: string }): Promise<string> {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: oauth.client_id, client_secret: oauth.client_secret, scope: 'api://connxio/.default' }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** writers post until the process dies under them; returns what was acknowledged */
async function writeUntilKilled(twin: Server<TwinReady>, round: number, killAfterMs: number): Promise<Acked> {
  const acked: Acked = { synqly: [], connxio: [] };
  const { synqly, connxio } = twin.ready.urls;
  const sq = twin.ready.tenants.find((t) => t.vendor === 'synqly')!.credentials as { token: string };
  const cx = twin.ready.tenants.find((t) => t.vendor === 'connxio')!.credentials as { api_key: string; oauth: { client_id: string; client_secret: string } };
  const bearer = await bearerFor(connxio, cx.oauth);
  const agent = new Agent({ keepAlive: true, maxSockets: WRITERS });
  let alive = true;
  const failures: string[] = [];
  const writer = async (w: number) => {
    for (let i = 0; alive; i++) {
      try {
        if (w % 4 === 3) {
          const name = `R${round}_W${w}_${i}`;
          const res = await write(agent, 'PUT', connxio, '/v2/environmentvariables', { 'connxio-api-key': cx.api_key, authorization: `Bearer ${bearer}` }, { name, defaultValue: `v${i}` });
          if (res.status === 200) acked.connxio.push(name);
          else throw new Error(`create_environment_variable answered ${res.status}`);
        } else {
          const name = `r${round}-w${w}-${i}`;
          const res = await write(agent, 'POST', synqly, '/v1/accounts', { authorization: `Bearer ${sq.token}` }, { name, labels: [`round:${round}`] });
          if (res.status === 200) acked.synqly.push(name);
          else throw new Error(`accounts_create answered ${res.status}`);
        }
      } catch (err) {
        if (alive) failures.push(`writer ${w}: ${(err as Error).message}`);
        return; // after the kill: the connection died with the process, not acknowledged
      }
    }
  };
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  // the kill is timed from the first acknowledged write: a twin's first requests compile their
  // schemas, which on a busy machine can take longer than the whole kill window
  const firstAckBy = Date.now() + 30_000;
  while (acked.synqly.length + acked.connxio.length === 0 && failures.length === 0 && Date.now() < firstAckBy) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, killAfterMs));
  alive = false;
  twin.child.kill('SIGKILL');
  await Promise.all(writers);
  await twin.stop('SIGKILL');
  agent.destroy();
  expect(failures, 'writes failed before the kill').toEqual([]);
  return acked;
}

function storedNames(db: string): { synqly: Set<string>; connxio: Set<string> } {
  const doc = loadStoreFile(db);
  const synqly = new Set<string>();
  const connxio = new Set<string>();
  for (const [name, records] of Object.entries(doc.collections)) {
    if (name.startsWith('synqly/') && name.endsWith('/accounts')) for (const r of Object.values(records)) synqly.add(r.name as string);
    if (name.startsWith('connxio/') && name.endsWith('/environment_variables')) for (const r of Object.values(records)) connxio.add(r.name as string);
  }
  return { synqly, connxio };
}

describe('apitwin serve › crash and restart', () => {
  it(`SIGKILL under write load ${KILLS} times: the file always loads and holds every acknowledged write`, { timeout: 600_000 }, async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'apitwin-crash-')), 'db.json');
    const all: Acked = { synqly: [], connxio: [] };
    let compactions = 0;
    let lastSnapshot = 0;
    for (let round = 0; round < KILLS; round++) {
      current = await spawnTwin(cli, root, ['--db', db, '--compaction-bytes', '65536']);
      // the restarted twin answers, and has everything acknowledged so far
      if (round > 0) {
        const token = (current.ready.tenants.find((t) => t.vendor === 'synqly')!.credentials as { token: string }).token;
        const res = await fetch(`${current.ready.urls.synqly}/v1/accounts?limit=1&total=true`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { total: number }).total).toBeGreaterThanOrEqual(all.synqly.length);
      }
      const acked = await writeUntilKilled(current, round, 150 + ((round * 97) % 400));
      current = undefined;
      expect(acked.synqly.length + acked.connxio.length, `round ${round} acknowledged nothing`).toBeGreaterThan(0);
      all.synqly.push(...acked.synqly);
      all.connxio.push(...acked.connxio);

      // the files load on their own (no lock, no repair), with every acknowledged write
      const stored = storedNames(db);
      const missing = [...all.synqly.filter((n) => !stored.synqly.has(n)), ...all.connxio.filter((n) => !stored.connxio.has(n))];
      expect(missing, `round ${round}: acknowledged but lost`).toEqual([]);
      const snapshot = statSync(db).mtimeMs;
      if (snapshot !== lastSnapshot) compactions++;
      lastSnapshot = snapshot;
    }
    // a last start proves the file still opens, and the demo credentials still work
    current = await spawnTwin(cli, root, ['--db', db]);
    const token = (current.ready.tenants.find((t) => t.vendor === 'synqly')!.credentials as { token: string }).token;
    const page = await fetch(`${current.ready.urls.synqly}/v1/accounts?filter=${encodeURIComponent(`name[eq]${all.synqly[0]}`)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await page.json()) as { result: unknown[] }).result).toHaveLength(1);
    expect(all.synqly.length).toBeGreaterThan(KILLS * 5);
    // the small compaction threshold made snapshot rewrites part of the kill pattern
    expect(compactions).toBeGreaterThan(1);
    process.stdout.write(`crash/restart: ${KILLS} kills, ${all.synqly.length + all.connxio.length} acknowledged writes all kept, ${compactions} rounds with a compaction\n`);
  });
});
