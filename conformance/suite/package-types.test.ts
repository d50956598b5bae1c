import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * A TypeScript user's view of the package: a project of its own, apitwin in its node_modules,
 * `examples/typescript/consumer.ts` type-checked against the published declarations. The example
 * holds `@ts-expect-error` lines, so declarations that came out as `any` fail this test too.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

function typecheck(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', project], { cwd: project }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe('package › TypeScript declarations', () => {
  it('type-check a consumer project that imports apitwin from node_modules', async () => {
    const project = mkdtempSync(join(tmpdir(), 'apitwin-consumer-'));
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(root, join(project, 'node_modules', 'apitwin'), 'dir');
    symlinkSync(join(root, 'node_modules', '@types'), join(project, 'node_modules', '@types'), 'dir');
    copyFileSync(join(root, 'examples', 'typescript', 'consumer.ts'), join(project, 'consumer.ts'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    const compilerOptions = { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, skipLibCheck: true, noEmit: true, types: ['node'] };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
    const result = await typecheck(project);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);

    // and a wrong use is caught: the declarations are real types, not `any`
    writeFileSync(join(project, 'wrong.ts'), "import { startTwin } from 'apitwin';\nconst port: number = (await startTwin()).urls.connxio;\nexport { port };\n");
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['wrong.ts'] }));
    const wrong = await typecheck(project);
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/wrong\.ts\(2,7\).*Type 'string' is not assignable to type 'number'/);
  });
});
