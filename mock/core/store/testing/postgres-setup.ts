import { spawnSync } from 'node:child_process';
import { findPostgresBin } from './postgres-cluster.ts';

/**
 * globalSetup of the `postgres` test project: the tests start private clusters with Debian's
 * PostgreSQL server binaries. When they are missing, this installs the `postgresql` package
 * (apt-get; sudo when not root) and fails the run loudly when that is not possible — the
 * PostgreSQL tests never skip silently.
 */
export function setup(): void {
  if (findPostgresBin()) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? [] : ['sudo', '-n'];
  const aptGet = (...args: string[]) => {
    const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
    const result = spawnSync(cmd!, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return result.status === 0;
  };
  process.stderr.write('PostgreSQL server binaries not found: installing Debian\'s postgresql package for the shared-store tests\n');
  if (!aptGet('update') || !aptGet('install', '-y', '--no-install-recommends', 'postgresql')) {
    throw new Error('the PostgreSQL tests need initdb and pg_ctl: `apt-get install postgresql` failed (run it as root or with sudo, or set PG_BIN to a PostgreSQL bin directory)');
  }
  if (!findPostgresBin()) throw new Error('installed the postgresql package but found no initdb under /usr/lib/postgresql/*/bin; set PG_BIN');
}
