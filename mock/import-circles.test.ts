import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCircular, parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './core/spec.ts';

/**
 * No import circles (ARCHITECTURE "no import circles"; the dependency direction is
 * core ← models ← handlers): dpdm over every TypeScript source of the repository, type-only
 * imports and dynamic imports included. The same check by hand:
 *   npx dpdm --no-tree --no-warning 'mock/**\/*.ts' 'mock/**\/*.tsx' 'fixtures/**\/*.ts' 'conformance/**\/*.ts' 'scripts/**\/*.ts' 'bench/**\/*.ts' 'examples/**\/*.ts'
 */

const SOURCES = ['mock/**/*.ts', 'mock/**/*.tsx', 'fixtures/**/*.ts', 'conformance/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'];

async function circlesUnder(cwd: string, entries: string[]): Promise<{ files: number; circles: string[][] }> {
  const tree = await parseDependencyTree(entries, { cwd, context: cwd, transform: false, skipDynamicImports: false, exclude: /node_modules|(^|\/)dist\// });
  return { files: Object.keys(tree).length, circles: parseCircular(tree) };
}

describe('import graph', () => {
  it('finds a circle where there is one (the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apitwin-circles-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.ts';\nexport interface A { b?: B }\n");
      writeFileSync(join(dir, 'b.ts'), "import type { A } from './a.ts';\nexport interface B { a?: A }\n");
      writeFileSync(join(dir, 'c.ts'), "import type { A } from './a.ts';\nexport type C = A;\n");
      const { circles } = await circlesUnder(dir, ['*.ts']);
      // dpdm starts a circle at whichever member its parallel parse reached first
      expect(circles.map((c) => [...c].sort())).toEqual([['a.ts', 'b.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no circle in the repository sources (mock/ included)', async () => {
    const { files, circles } = await circlesUnder(packageRoot(), SOURCES);
    // the parse resolved the sources (a silent empty parse would prove nothing)
    expect(files).toBeGreaterThan(250);
    expect(circles.map((c) => c.join(' -> '))).toEqual([]);
  });
});
