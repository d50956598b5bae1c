import { describe, expect, it } from 'vitest';
import { build, type Metafile } from 'esbuild';
import { packageRoot } from './core/spec.ts';
// @ts-expect-error plain ESM script without types
import { bundleOptions } from '../scripts/bundle-options.mjs';

/**
 * What `apitwin serve` compiles before its ready line: the modules dist/cli.js reaches through
 * static imports (dynamic import() and the lazily required dependencies load on first use). The
 * commands and libraries only some requests or other commands need stay out of it; every package
 * it needs is in the bundle, none is read from node_modules at start.
 */

const root = packageRoot();

async function startGraph(): Promise<{ inputs: Set<string>; external: Set<string> }> {
  const result = await build({ ...(bundleOptions(root) as Record<string, unknown>), write: false, sourcemap: false, logLevel: 'error' });
  const outputs: Metafile['outputs'] = result.metafile!.outputs;
  const cli = Object.keys(outputs).find((path) => path.endsWith('dist/cli.js'))!;
  const inputs = new Set<string>();
  const external = new Set<string>();
  const seen = new Set<string>();
  const visit = (output: string) => {
    if (seen.has(output)) return;
    seen.add(output);
    for (const input of Object.keys(outputs[output]!.inputs)) inputs.add(input);
    for (const imported of outputs[output]!.imports) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) external.add(imported.path);
      else visit(imported.path);
    }
  };
  visit(cli);
  return { inputs, external };
}

describe('apitwin serve at start', () => {
  it('loads the twin without the other commands, the dashboard, the seeding libraries, the per-operation libraries or ajv and find-my-way', async () => {
    const { inputs, external } = await startGraph();
    const has = (part: string) => [...inputs].some((input) => input.includes(part));
    // the twin itself is there (so the graph is the start's)
    for (const needed of ['mock/app.ts', 'mock/core/pipeline.ts', 'mock/synqly/index.ts', 'node_modules/pino/', 'node_modules/commander/']) expect(has(needed), needed).toBe(true);
    for (const unneeded of [
      'conformance/run.ts',
      // the request path's libraries load right after the ready line (deferred-validator.ts, loadRouting in pipeline.ts)
      'mock/core/validation.ts',
      'node_modules/ajv/',
      'mock/core/router.ts',
      'node_modules/find-my-way/',
      'conformance/selection.ts',
      'mock/bridge/',
      'mock/ui/',
      'node_modules/express/',
      'node_modules/@faker-js/',
      'node_modules/yaml/',
      'node_modules/jsonata/',
      'node_modules/fast-xml-parser/',
      'node_modules/jsonpath-plus/',
      'node_modules/@apidevtools/',
      'specs/synqly-provider-configs.json',
    ]) {
      expect(has(unneeded), unneeded).toBe(false);
    }
    // node built-ins only: pg (and its undici), faker and pino-pretty are imported when used
    expect([...external].filter((name) => !name.startsWith('node:'))).toEqual([]);
  });
});
