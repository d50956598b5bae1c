import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { forbiddenImports, sourceFiles } from './module-imports.ts';

/**
 * Scenarios speak HTTP only: nothing under conformance/ imports the vendor families
 * (mock/synqly, mock/connxio) — not directly, not dynamically, not as a type, and not through a
 * module that re-exports them (mock/index.ts, the package's own name). What a scenario needs to
 * know about the twin it learns over HTTP or from specs/.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const packageName = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string }).name;
const VENDOR_FOLDERS = ['synqly', 'connxio'];

describe('conformance/ and the vendor families', () => {
  it('no file under conformance/ reaches mock/synqly or mock/connxio', () => {
    const forbidden = VENDOR_FOLDERS.map((v) => join(root, 'mock', v));
    expect(forbiddenImports(root, sourceFiles(join(root, 'conformance')), forbidden, packageName)).toEqual([]);
  });

  describe('the check itself', () => {
    const project = mkdtempSync(join(tmpdir(), 'apitwin-imports-'));
    afterAll(() => rmSync(project, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(project, path)), { recursive: true });
      writeFileSync(join(project, path), text);
    };
    write('mock/synqly/tokens/model.ts', 'export const resolveBearer = () => 1;\nexport type Token = { id: string };\n');
    write('mock/core/spec.ts', "import { resolveBearer } from '../synqly/tokens/model.ts';\nexport const loadSpec = () => resolveBearer();\n");
    write('mock/index.ts', "export { loadSpec } from './core/spec.ts';\nexport * from './synqly/tokens/model.ts';\n");
    write('mock/passes-on.ts', "import { resolveBearer } from './synqly/tokens/model.ts';\nexport { resolveBearer };\n");
    const check = (source: string) => {
      write('conformance/probe.test.ts', source);
      return forbiddenImports(project, [join(project, 'conformance/probe.test.ts')], VENDOR_FOLDERS.map((v) => join(project, 'mock', v)), 'apitwin').map((v) => `${v.line}: ${v.what}`);
    };

    it('finds every form of import, each with its line', () => {
      expect(check("import { resolveBearer } from '../mock/synqly/tokens/model.ts';")).toEqual(["1: import '../mock/synqly/tokens/model.ts'"]);
      expect(check("\nimport type { Token } from '../mock/synqly/tokens/model.ts';")).toEqual(["2: import '../mock/synqly/tokens/model.ts'"]);
      expect(check("import { type Token } from \"../mock/synqly/tokens/model.ts\";")).toHaveLength(1);
      expect(check("const m = await import('../mock/synqly/tokens/model.ts');")).toEqual(["1: dynamic-import '../mock/synqly/tokens/model.ts'"]);
      expect(check('const m = await import(`../mock/synqly/tokens/model.ts`);')).toHaveLength(1);
      expect(check("export { resolveBearer } from '../mock/synqly/tokens/model.ts';")).toEqual(["1: export-from '../mock/synqly/tokens/model.ts'"]);
      expect(check("type T = typeof import('../mock/synqly/tokens/model.ts');")).toEqual(["1: import-type '../mock/synqly/tokens/model.ts'"]);
      expect(check("const m = require('../mock/synqly/tokens/model.ts');")).toEqual(["1: require '../mock/synqly/tokens/model.ts'"]);
      expect(check("import m = require('../mock/synqly/tokens/model.ts');")).toEqual(["1: require '../mock/synqly/tokens/model.ts'"]);
      expect(check("import * as all from '../mock/synqly';")).toEqual(["1: import '../mock/synqly'"]);
    });

    it('is not fooled by comments, strings or a specifier split over lines', () => {
      expect(check("// import { x } from '../mock/synqly/tokens/model.ts';\nconst s = \"from '../mock/connxio/x.ts'\";")).toEqual([]);
      expect(check("import {\n  resolveBearer,\n} from\n  '../mock/synqly/tokens/model.ts';")).toEqual(["1: import '../mock/synqly/tokens/model.ts'"]);
    });

    it('follows re-exports: the package entry, a module passing an imported name on; not a module that merely uses one', () => {
      expect(check("import { loadSpec } from '../mock/index.ts';")).toEqual(["1: import '../mock/index.ts', which re-exports mock/synqly/tokens/model.ts"]);
      expect(check("import { loadSpec } from 'apitwin';")).toEqual(["1: import 'apitwin', which re-exports mock/synqly/tokens/model.ts"]);
      expect(check("import { resolveBearer } from '../mock/passes-on.ts';")).toHaveLength(1);
      expect(check("import { loadSpec } from '../mock/core/spec.ts';\nimport { describe } from 'vitest';")).toEqual([]);
    });

    it('reports an import whose target cannot be known', () => {
      expect(check("const which = 'synqly';\nawait import(`../mock/${which}/index.ts`);")).toEqual(['2: dynamic-import with a computed specifier (where it leads cannot be checked)']);
    });
  });
});
