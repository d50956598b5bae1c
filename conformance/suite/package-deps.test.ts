import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { moduleFacts } from './module-imports.ts';

/**
 * `apitwin conformance` runs the scenario files from the installed package, where only
 * `dependencies` are present: every package a scenario (or its support code) imports must be one.
 * The suite's own tests and the spec checks run only in this repository.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const shipped = join(root, 'conformance');
const repoOnly = ['suite', 'spec-checks'].map((d) => join(shipped, d));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (repoOnly.includes(path)) return [];
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const packageName = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);

describe('package › what the shipped scenarios import', () => {
  it('is node built-ins, the package itself, relative files or runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
    const missing: string[] = [];
    for (const file of files(shipped)) {
      const specifiers = moduleFacts(file).references.flatMap((r) => (r.specifier === undefined ? [] : [r.specifier]));
      for (const specifier of specifiers) {
        if (specifier.startsWith('.')) continue;
        const name = packageName(specifier);
        if (name.startsWith('node:') || builtinModules.includes(name) || name === pkg.name) continue;
        if (!pkg.dependencies[name]) missing.push(`${relative(root, file)}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
