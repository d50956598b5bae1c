// Types generated from the specs (openapi-typescript): mock/generated/<spec>.ts, one per specs/*.yaml that
// handlers implement. Run by the build (scripts/build.mjs) before anything type-checks; never edited by
// hand and not committed (.gitignore). openapi-typescript is pinned at 6.x: 7.x needs TypeScript 5's
// compiler API, which the project's TypeScript 7 no longer ships.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS from 'openapi-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** spec file → generated module name */
export const GENERATED = { 'synqly-management.yaml': 'synqly', 'connxio.yaml': 'connxio', 'admin.yaml': 'admin' };

export async function generateTypes() {
  const outDir = join(root, 'mock', 'generated');
  mkdirSync(outDir, { recursive: true });
  for (const [spec, name] of Object.entries(GENERATED)) {
    const source = join(root, 'specs', spec);
    const types = await openapiTS(pathToFileURL(source), { immutableTypes: false });
    const text = `// Generated from specs/${spec} by scripts/generate-types.mjs (openapi-typescript). Do not edit.\n${types}`;
    const file = join(outDir, `${name}.ts`);
    let old;
    try {
      old = readFileSync(file, 'utf8');
    } catch {
      old = undefined;
    }
    // unchanged output is not rewritten, so watchers and incremental checks stay quiet
    if (old !== text) writeFileSync(file, text);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await generateTypes();
