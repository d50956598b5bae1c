import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A private PostgreSQL cluster for tests and benchmarks: initdb into a temporary directory, a free
 * port on 127.0.0.1, started and stopped with pg_ctl. As root, the server runs as the `postgres`
 * system user (PostgreSQL refuses to run as root).
 */

export interface Cluster {
  /** a URL of the cluster's `postgres` database */
  readonly adminUrl: string;
  readonly port: number;
  /** a new, empty database; returns its URL */
  createDatabase(name: string): Promise<string>;
  /** stops the server (immediate: like a crash; fast: clean) */
  stopServer(mode?: 'fast' | 'immediate'): void;
  startServer(): void;
  /** stops the server and removes the directory */
  destroy(): void;
}

/** the directory of initdb and pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/<v>/bin, else pg_config --bindir */
export function findPostgresBin(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0]!, 'bin');
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) {
    const dir = pgConfig.stdout.trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }; // a TCP server's address once it listens
      server.close(() => resolve(port));
    });
  });
}

function asRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export async function startCluster(options: { fsync?: boolean } = {}): Promise<Cluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian\'s postgresql package (the test setup does so when it can) or set PG_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'apitwin-pg-'));
  const data = join(dir, 'data');
  const root = asRoot();
  let user: { uid: number; gid: number } | undefined;
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    user = { uid, gid };
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (tool: string, args: string[]) => {
    const cmd = root ? 'runuser' : join(bin, tool);
    const argv = root ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    const result = spawnSync(cmd, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'apitwin', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const serverOptions = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", '-c max_connections=200', `-c fsync=${options.fsync ? 'on' : 'off'}`].join(' ');
  const start = () => run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
  start();
  const adminUrl = `postgres://apitwin@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    adminUrl,
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://apitwin@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    stopServer(mode = 'fast') {
      run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      stopped = true;
    },
    startServer() {
      start();
      stopped = false;
    },
    destroy() {
      if (!stopped) {
        try {
          run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // already down
        }
      }
      rmSync(dir, { recursive: true, force: true });
      void user;
    },
  };
}
