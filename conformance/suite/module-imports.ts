import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseSync } from 'oxc-parser';

/**
 * What a source file imports, read from its syntax tree (oxc-parser), not by pattern matching:
 * static imports (type-only ones too), re-exports, `import()` (a non-literal argument is reported
 * as such, since no one can say where it leads), `require()`, `import x = require()` and
 * `typeof import()` types.
 */
export interface ModuleReference {
  /** the specifier as written, or undefined when it is not a literal */
  specifier?: string;
  kind: 'import' | 'export-from' | 'dynamic-import' | 'require' | 'import-type';
  line: number;
}

export interface ModuleFacts {
  references: ModuleReference[];
  /** specifiers whose bindings this module passes on (export … from, or an imported name exported again) */
  reExports: string[];
}

type Node = { type?: string; [key: string]: unknown };

const literal = (node: unknown): string | undefined => {
  const n = node as Node | null;
  if (!n) return undefined;
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n.type === 'TemplateLiteral' && (n.expressions as unknown[]).length === 0) return ((n.quasis as Node[])[0]!.value as { cooked: string }).cooked;
  return undefined;
};

export function moduleFacts(file: string, source = readFileSync(file, 'utf8')): ModuleFacts {
  const parsed = parseSync(file, source);
  if (parsed.errors.length) throw new Error(`${file}: cannot parse: ${parsed.errors[0]!.message}`);
  const lineOf = (offset: number) => source.slice(0, offset).split('\n').length;
  const references: ModuleReference[] = [];
  const reExports = new Set<string>();
  const importedFrom = new Map<string, string>(); // local binding → specifier
  const localExports: string[] = [];
  const add = (kind: ModuleReference['kind'], specifier: string | undefined, at: Node) => references.push({ kind, specifier, line: lineOf(at.start as number) });

  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as Node;
    switch (node.type) {
      case 'ImportDeclaration': {
        const specifier = literal(node.source)!;
        add('import', specifier, node);
        for (const s of (node.specifiers as Node[]) ?? []) importedFrom.set((s.local as { name: string }).name, specifier);
        break;
      }
      case 'ExportAllDeclaration':
        add('export-from', literal(node.source), node);
        reExports.add(literal(node.source)!);
        break;
      case 'ExportNamedDeclaration':
        if (node.source) {
          add('export-from', literal(node.source), node);
          reExports.add(literal(node.source)!);
        } else if (!node.declaration) {
          for (const s of (node.specifiers as Node[]) ?? []) localExports.push((s.local as { name: string }).name);
        }
        break;
      case 'ExportDefaultDeclaration':
        if ((node.declaration as Node | null)?.type === 'Identifier') localExports.push((node.declaration as { name: string }).name);
        break;
      case 'ImportExpression':
        add('dynamic-import', literal(node.source), node);
        break;
      case 'TSImportType':
        add('import-type', literal(node.source ?? node.argument), node);
        break;
      case 'TSExternalModuleReference':
        add('require', literal(node.expression), node);
        break;
      case 'CallExpression': {
        const callee = node.callee as Node;
        if (callee.type === 'Identifier' && callee.name === 'require') add('require', literal((node.arguments as unknown[])[0]), node);
        break;
      }
    }
    for (const key of Object.keys(node)) if (key !== 'parent') visit(node[key]);
  };
  visit(parsed.program);
  for (const name of localExports) {
    const from = importedFrom.get(name);
    if (from) reExports.add(from);
  }
  return { references, reExports: [...reExports] };
}

/** Where a specifier leads inside the project: a file path, or undefined for a package or a node built-in. */
export function resolveInProject(root: string, fromFile: string, specifier: string, packageName: string): string | undefined {
  if (specifier === packageName) return join(root, 'mock', 'index.ts');
  if (specifier.startsWith(`${packageName}/`)) return join(root, specifier.slice(packageName.length + 1));
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return undefined;
  const path = resolve(dirname(fromFile), specifier);
  if (existsSync(path) && statSync(path).isFile()) return path;
  for (const candidate of [`${path}.ts`, join(path, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return path;
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(?:[cm]?[jt]s|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

export interface Violation {
  file: string;
  line: number;
  what: string;
}

/**
 * Every way a file under `files` reaches a forbidden folder: directly, through a module outside
 * the checked files that re-exports from it (followed transitively), or through an import whose
 * target cannot be known (a non-literal `import()` or `require()`).
 */
export function forbiddenImports(root: string, files: string[], forbidden: string[], packageName: string): Violation[] {
  const inForbidden = (path: string) => forbidden.some((dir) => path === dir || path.startsWith(dir + sep));
  const checked = new Set(files);
  const leaks = new Map<string, string | undefined>(); // module → the forbidden module it re-exports, if any
  const leakOf = (module: string, trail: Set<string>): string | undefined => {
    if (inForbidden(module)) return module;
    if (leaks.has(module)) return leaks.get(module);
    if (trail.has(module) || !existsSync(module) || checked.has(module)) return undefined;
    trail.add(module);
    let found: string | undefined;
    for (const specifier of moduleFacts(module).reExports) {
      const next = resolveInProject(root, module, specifier, packageName);
      found = next ? leakOf(next, trail) : undefined;
      if (found) break;
    }
    leaks.set(module, found);
    return found;
  };
  const out: Violation[] = [];
  for (const file of files) {
    for (const ref of moduleFacts(file).references) {
      const at = { file: relative(root, file), line: ref.line };
      if (ref.specifier === undefined) {
        out.push({ ...at, what: `${ref.kind} with a computed specifier (where it leads cannot be checked)` });
        continue;
      }
      const target = resolveInProject(root, file, ref.specifier, packageName);
      if (!target) continue;
      const leak = leakOf(target, new Set());
      if (leak) out.push({ ...at, what: leak === target ? `${ref.kind} '${ref.specifier}'` : `${ref.kind} '${ref.specifier}', which re-exports ${relative(root, leak)}` });
    }
  }
  return out;
}
