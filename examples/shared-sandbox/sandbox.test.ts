import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { freePort } from '../../mock/core/store/testing/postgres-cluster.ts';

/** The README's shared-sandbox example, run as a user would: PostgreSQL and two replicas from start.sh. */
it('start.sh starts PostgreSQL and two replicas that behave as one twin, and stops them all on SIGTERM', async () => {
  const pgPort = await freePort();
  const child = spawn('bash', [join(import.meta.dirname, 'start.sh')], {
    env: { ...process.env, SANDBOX_JSON: '1', A_PORT: '0', B_PORT: '0', PGPORT: String(pgPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const replicas = await new Promise<Array<{ urls: { synqly: string }; tenants: Array<{ vendor: string; credentials: { token?: string } }> }>>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the sandbox did not start in 60 s: ${out} ${stderr}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const lines = out.split('\n').filter((l) => l.startsWith('{'));
        if (lines.length >= 2) {
          clearTimeout(timer);
          resolve(lines.slice(0, 2).map((l) => JSON.parse(l)));
        }
      });
      child.once('exit', (code) => reject(new Error(`start.sh exited with ${code}: ${out} ${stderr}`)));
    });
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    // the demo data was seeded once, and both replicas hand out the same demo credentials
    const token = a.tenants.find((t) => t.vendor === 'synqly')!.credentials.token!;
    expect(b.tenants.find((t) => t.vendor === 'synqly')!.credentials.token).toBe(token);
    const created = await fetch(`${a.urls.synqly}/v1/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sandbox-account' }),
    });
    expect(created.status).toBe(200);
    const { id } = ((await created.json()) as { result: { account: { id: string } } }).result.account;
    const read = await fetch(`${b.urls.synqly}/v1/accounts/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { result: { name: string } }).result.name).toBe('sandbox-account');
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  // PostgreSQL was stopped with the replicas
  const client = new pg.Client({ connectionString: `postgres://apitwin@127.0.0.1:${pgPort}/postgres`, connectionTimeoutMillis: 2000 });
  await expect(client.connect()).rejects.toThrow();
});
