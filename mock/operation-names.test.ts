import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './core/spec.ts';

/**
 * An operation's knowledge lives in its family (issue 12): outside a family's folder, no source
 * under mock/ names one of its operationIds as a string (which is what branching on it takes).
 * A family is a folder with an operations.ts; its operations are the keys of the handler tables
 * that file exports. Inside a vendor's folder only that vendor's operationIds count (Synqly's
 * permission verb `create_integration` is no Connxio operation); the dashboard (mock/ui) is a
 * client of the control API, not machinery, and is not scanned; nor are the types generated from the
 * specs (mock/generated), which name every operation by construction.
 */

const root = packageRoot();
const VENDORS = ['synqly', 'connxio'];

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && relative(root, path) !== join('mock', 'ui') && relative(root, path) !== join('mock', 'generated')) out.push(...sourcesUnder(path));
    } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

const isHandlerTable = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Set) && Object.keys(v).length > 0 && Object.values(v).every((h) => typeof h === 'function');

/** operationId → the folder of the family whose operations.ts handles it */
async function familyOfOperations(): Promise<Map<string, string>> {
  const owner = new Map<string, string>();
  for (const vendor of VENDORS) {
    for (const family of readdirSync(join(root, 'mock', vendor))) {
      const file = join(root, 'mock', vendor, family, 'operations.ts');
      let mod: Record<string, unknown>;
      try {
        statSync(file);
      } catch {
        continue;
      }
      mod = (await import(file)) as Record<string, unknown>;
      for (const table of Object.values(mod).filter(isHandlerTable)) {
        for (const operationId of Object.keys(table)) owner.set(operationId, `mock/${vendor}/${family}/`);
      }
    }
  }
  return owner;
}

/** every whole string literal in a source that is an operationId, with where it is */
function namedOperations(file: string, owner: Map<string, string>): Array<{ operationId: string; where: string }> {
  const text = readFileSync(file, 'utf8');
  const out: Array<{ operationId: string; where: string }> = [];
  for (const m of text.matchAll(/(['"`])([A-Za-z][A-Za-z0-9_]*)\1/g)) {
    if (!owner.has(m[2]!)) continue;
    const line = text.slice(0, m.index).split('\n').length;
    out.push({ operationId: m[2]!, where: `${relative(root, file)}:${line}` });
  }
  return out;
}

describe('operation knowledge stays in its family', () => {
  it('finds the families and their operations (a check over nothing would prove nothing)', async () => {
    const owner = await familyOfOperations();
    expect(owner.get('accounts_create')).toBe('mock/synqly/accounts/');
    expect(owner.get('tokens_refresh')).toBe('mock/synqly/tokens/');
    expect(owner.get('oauth_token')).toBe('mock/connxio/oauth/');
    expect(owner.size).toBeGreaterThan(100);
  });

  it('names no operation outside its family folder', async () => {
    const owner = await familyOfOperations();
    const strays = sourcesUnder(join(root, 'mock'))
      .flatMap((file) => {
        const path = relative(root, file);
        const vendor = VENDORS.find((v) => path.startsWith(`mock/${v}/`));
        return namedOperations(file, owner).filter(({ operationId }) => {
          const family = owner.get(operationId)!;
          return !path.startsWith(family) && (!vendor || family.startsWith(`mock/${vendor}/`));
        });
      })
      .map(({ operationId, where }) => `${where} names ${operationId} (of ${owner.get(operationId)})`);
    expect(strays).toEqual([]);
  });
});
