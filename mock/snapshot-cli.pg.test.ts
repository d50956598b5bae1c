import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Store } from './core/store/store.ts';
import { startCluster, type Cluster } from './core/store/testing/postgres-cluster.ts';

/** `apitwin snapshot export|import` moves a whole twin from a file store into PostgreSQL and back. */
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster?.destroy());

const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const apitwin = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, APITWIN_STORE: '' } });

it('file store → PostgreSQL → file store: the same document; a file that is not a snapshot is refused in one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apitwin-snapshot-'));
  try {
    const file = join(dir, 'db.json');
    const source = await Store.open({ file });
    await source.transact((tx) => {
      tx.put('synqly/org/o1/accounts', 'a1', { id: 'a1', name: 'one' });
      tx.put('connxio/company/c1/integrations', 'i1', { id: 'i1', name: 'two', nested: { list: [1, 2] } });
    });
    await source.close();
    const url = await cluster.createDatabase('snapshots');

    const exported = apitwin('snapshot', 'export', '--db', file, '--out', join(dir, 'out.json'));
    expect(exported.status, exported.stderr).toBe(0);
    const imported = apitwin('snapshot', 'import', join(dir, 'out.json'), '--store', url);
    expect(imported.status, imported.stderr).toBe(0);
    const back = apitwin('snapshot', 'export', '--store', url);
    expect(back.status, back.stderr).toBe(0);
    const original = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { collections: unknown };
    expect((JSON.parse(back.stdout) as { collections: unknown }).collections).toEqual(original.collections);

    const intoFile = apitwin('snapshot', 'import', join(dir, 'out.json'), '--db', join(dir, 'copy.json'));
    expect(intoFile.status, intoFile.stderr).toBe(0);
    const copy = await Store.open({ file: join(dir, 'copy.json') });
    expect(copy.exportDocument().collections).toEqual(original.collections);
    await copy.close();

    const bad = apitwin('snapshot', 'import', file + '.journal', '--store', url);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
