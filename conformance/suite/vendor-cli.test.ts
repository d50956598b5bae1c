import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type RunningTwin } from '../../mock/app.ts';
import { Store } from '../../mock/core/store/store.ts';
import { seedProfile } from '../../fixtures/profiles.ts';
import { type ConnxioCredentials } from '../../mock/admin/tenants/lifecycle.ts';
import { loadFakerFor } from '../../fixtures/sample-data.ts';

/**
 * The vendor's own client against the twin, changed only in its base URL: the Connxio CLI
 * (@connxio/cli, pinned) adds a context (OAuth + GET /api/v2/subscriptions/current) and its MCP
 * server's tools read and round-trip an integration exactly as they would against api.connxio.com.
 */
const cliEntry = fileURLToPath(new URL('../../node_modules/@connxio/cli/dist/index.mjs', import.meta.url));
let twin: RunningTwin;
let env: NodeJS.ProcessEnv;
let mcp: ChildProcess;
const pending = new Map<number, (msg: { result?: { content?: Array<{ text: string }>; isError?: boolean; tools?: Array<{ name: string }> }; error?: unknown }) => void>();
let nextId = 0;

function rpc(method: string, params: unknown) {
  return new Promise<Parameters<NonNullable<ReturnType<typeof pending.get>>>[0]>((resolve) => {
    const id = ++nextId;
    pending.set(id, resolve);
    mcp.stdin!.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
  });
}

async function tool(name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const res = await rpc('tools/call', { name, arguments: args });
  const text = res.result?.content?.map((c) => c.text).join('') ?? '';
  expect(res.result?.isError ?? Boolean(res.error), `${name}: ${text || JSON.stringify(res.error)}`).toBe(false);
  return JSON.parse(text) as Record<string, unknown>;
}

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  const store = await Store.open();
  const faker = await loadFakerFor(1);
  const tenants = await store.transact((tx) => seedProfile(tx, 'demo', { faker }, Date.now()));
  twin = await startTwin({ store, ports: { synqly: 0, connxio: 0, custom: 0 } });
  const c = tenants.find((t) => t.vendor === 'connxio')!.credentials as ConnxioCredentials;
  const home = mkdtempSync(join(tmpdir(), 'apitwin-connxio-cli-'));
  env = {
    PATH: process.env.PATH,
    HOME: home,
    CONNXIO_CONFIG_DIR: join(home, 'config'),
    CONNXIO_OAUTH_CLIENT_ID: c.oauth.client_id,
    CONNXIO_OAUTH_CLIENT_SECRET: c.oauth.client_secret,
    CONNXIO_OAUTH_TOKEN_URL: `${twin.urls.connxio}/oauth/token`,
    CONNXIO_API_KEY: c.api_key,
  };
  // asynchronously: the twin answers from this very process
  const added = await run([cliEntry, 'context', 'add', 'demo', '--base-url', `${twin.urls.connxio}/api`, '--api-key', c.api_key, '--default']);
  expect(added.status, added.stderr).toBe(0);
  expect(added.stdout).toContain('Context added: demo (demo / demo-test)');

  mcp = spawn(process.execPath, [cliEntry, 'mcp', 'serve'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  let buffered = '';
  mcp.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as { id?: number };
      if (msg.id !== undefined) pending.get(msg.id)?.(msg as never);
    }
  });
  await rpc('initialize', { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'apitwin', version: '1' } });
  mcp.stdin!.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
});

afterAll(async () => {
  mcp?.kill();
  await twin?.stop();
});

describe('the Connxio CLI (@connxio/cli) against the twin', () => {
  it('reads subscriptions and every management list through its MCP tools', async () => {
    const subs = (await tool('list_subscriptions')).subscriptions as Array<{ name: string }>;
    expect(subs.map((s) => s.name).sort()).toEqual(['demo-prod', 'demo-test']);
    expect(((await tool('get_current_subscription')).subscription as { name: string }).name).toBe('demo-test');
    expect(((await tool('list_integrations')).integrations as unknown[]).length).toBeGreaterThan(0);
    expect(((await tool('list_code_components')).codeComponents as unknown[]).length).toBeGreaterThan(0);
    expect(((await tool('list_environment_variables')).environmentVariables as unknown[]).length).toBeGreaterThan(0);
    expect(((await tool('list_security_configs')).securityConfigs as unknown[]).length).toBeGreaterThan(0);
  });

  it('round-trips an integration: get, edit, update, read back with a new _etag', async () => {
    const [first] = (await tool('list_integrations')).integrations as Array<{ configCorrelationId: string }>;
    const got = (await tool('get_integration', { id: first!.configCorrelationId })).integration as Record<string, unknown>;
    const updated = await tool('update_integration', { contextId: 'demo', id: got.configCorrelationId, integration: { ...got, description: 'edited by the vendor CLI' } });
    expect(JSON.stringify(updated)).toContain('edited by the vendor CLI');
    const again = (await tool('get_integration', { id: first!.configCorrelationId })).integration as Record<string, unknown>;
    expect(again.description).toBe('edited by the vendor CLI');
    expect(again._etag).not.toBe(got._etag);
  });
});
