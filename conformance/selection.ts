import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot, specPath } from '../mock/core/spec.ts';
import { closeMatches } from '../mock/core/close-matches.ts';

/**
 * What `apitwin conformance` can select (vendors, families, operations, tags) and which
 * environment variables a live target needs per vendor. Synchronous, so `--help` can list it.
 */

export type ScenarioVendor = 'synqly' | 'connxio' | 'admin';

/** a live vendor is usable when all of `required` are set; `optional` refine it */
export const VENDOR_VARIABLES = {
  synqly: { required: ['SYNQLY_BASE_URL', 'SYNQLY_TOKEN'], optional: [] as string[] },
  connxio: {
    required: ['CONNXIO_BASE_URL', 'CONNXIO_API_KEY', 'CONNXIO_CLIENT_ID', 'CONNXIO_CLIENT_SECRET'],
    optional: ['CONNXIO_TOKEN_URL', 'CONNXIO_CUSTOM_BASE_URL', 'CONNXIO_CUSTOM_API_KEY'],
  },
} as const;
export type LiveVendor = keyof typeof VENDOR_VARIABLES;

export class UsageError extends Error {}

const SPEC_FILES = [
  ['synqly-management.yaml', 'synqly'],
  ['connxio.yaml', 'connxio'],
  ['admin.yaml', 'admin'],
] as const;

export interface SpecOperation {
  operationId: string;
  vendor: ScenarioVendor;
  tags: string[];
}

let opsCache: SpecOperation[] | undefined;
export function specOperations(): SpecOperation[] {
  if (opsCache) return opsCache;
  const out: SpecOperation[] = [];
  for (const [file, vendor] of SPEC_FILES) {
    const doc = parse(readFileSync(specPath(file), 'utf8')) as { paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>> };
    for (const item of Object.values(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method) || !op?.operationId) continue;
        out.push({ operationId: op.operationId, vendor, tags: op.tags ?? [] });
      }
    }
  }
  return (opsCache = out);
}

export function knownTags(): string[] {
  return [...new Set(specOperations().flatMap((o) => o.tags))].sort();
}

/** scenario files (families) per folder of conformance/ that holds scenarios */
export function knownFamilies(): Array<{ family: string; dir: string; file: string }> {
  const root = join(packageRoot(), 'conformance');
  const out: Array<{ family: string; dir: string; file: string }> = [];
  if (!existsSync(root)) return out;
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory() || ['suite', 'spec-checks', 'support', 'report'].includes(dir.name)) continue;
    for (const name of readdirSync(join(root, dir.name))) {
      if (name.endsWith('.test.ts')) out.push({ family: name.slice(0, -'.test.ts'.length), dir: dir.name, file: join(root, dir.name, name) });
    }
  }
  return out.sort((a, b) => a.family.localeCompare(b.family));
}

/** Family names match whatever their spelling: `api-keys`, `apikeys` and `apiKeys` name one family. */
export function familyKey(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

function familyMatches(selected: string[] | undefined, family: string): boolean {
  return (selected ?? []).some((s) => familyKey(s) === familyKey(family));
}

/** The scenario-file names (as on disk) that a --family selection names. */
export function selectedFamilyNames(selected: string[], vendor?: ScenarioVendor): string[] {
  return [...new Set(knownFamilies().filter((f) => familyMatches(selected, f.family) && (!vendor || f.dir === vendor)).map((f) => f.family))];
}

export { closeMatches };

export interface SelectionInput {
  vendor?: ScenarioVendor;
  family?: string[];
  operation?: string[];
  tag?: string[];
}

/** Unknown operations, families or tags → UsageError naming close matches. */
export function validateSelection(selection: SelectionInput): void {
  const problems: string[] = [];
  const check = (flag: string, values: string[] | undefined, known: string[], listAll: boolean, same = (a: string, b: string) => a === b) => {
    for (const value of values ?? []) {
      if (known.some((k) => same(value, k))) continue;
      const close = closeMatches(value, known);
      const hint = close.length ? ` (did you mean ${close.join(', ')}?)` : listAll ? ` (known: ${known.join(', ')})` : ' (`apitwin conformance --help` lists what exists)';
      problems.push(`unknown ${flag} ${value}${hint}`);
    }
  };
  const families = knownFamilies().filter((f) => !selection.vendor || f.dir === selection.vendor);
  check('--operation', selection.operation, specOperations().filter((o) => !selection.vendor || o.vendor === selection.vendor).map((o) => o.operationId), false);
  check('--family', selection.family, [...new Set(families.map((f) => f.family))], true, (a, b) => familyKey(a) === familyKey(b));
  check('--tag', selection.tag, knownTags(), true);
  if (problems.length) throw new UsageError(problems.join('; '));
}

/** operationIds a scenario file names in describe() or a contract check */
function operationsOfFile(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const out = new Set<string>();
  for (const m of text.matchAll(/(?:describe\(|expectOperation\([^,]+,|expectProblem\([^,]+,)\s*['"`]([A-Za-z0-9_]+)['"`]/g)) out.add(m[1]!);
  return out;
}

/** The operations a selection runs scenarios for; undefined = all. */
export function selectedOperations(selection: SelectionInput): Set<string> | undefined {
  const ops = specOperations();
  let set: Set<string> | undefined;
  const narrow = (ids: Iterable<string>) => {
    const next = new Set(ids);
    set = set ? new Set([...set].filter((id) => next.has(id))) : next;
  };
  if (selection.vendor) narrow(ops.filter((o) => o.vendor === selection.vendor).map((o) => o.operationId));
  if (selection.family?.length) {
    const files = knownFamilies().filter((f) => familyMatches(selection.family, f.family) && (!selection.vendor || f.dir === selection.vendor));
    narrow(files.flatMap((f) => [...operationsOfFile(f.file)]));
  }
  const named = new Set([...(selection.operation ?? []), ...ops.filter((o) => o.tags.some((t) => selection.tag?.includes(t))).map((o) => o.operationId)]);
  if (selection.operation?.length || selection.tag?.length) narrow(named);
  return set;
}

/** Which live vendors a selection touches: explicit ones must be configured, the others run only when configured. */
export function selectedLiveVendors(selection: SelectionInput): { explicit: LiveVendor[]; possible: LiveVendor[] } {
  const all: LiveVendor[] = ['synqly', 'connxio'];
  if (selection.vendor === 'admin') return { explicit: [], possible: [] };
  if (selection.vendor) return { explicit: [selection.vendor], possible: [selection.vendor] };
  const ops = selectedOperations(selection);
  const families = selection.family?.length ? knownFamilies().filter((f) => familyMatches(selection.family, f.family)) : [];
  const vendors = new Set<LiveVendor>();
  for (const f of families) if (f.dir === 'synqly' || f.dir === 'connxio') vendors.add(f.dir);
  if (ops) for (const o of specOperations()) if (ops.has(o.operationId) && o.vendor !== 'admin') vendors.add(o.vendor);
  const narrowed = selection.family?.length || selection.operation?.length || selection.tag?.length;
  // hardening files and the like span both vendors: they count as "possible" only
  if (narrowed && vendors.size > 0 && families.every((f) => f.dir === 'synqly' || f.dir === 'connxio')) return { explicit: [...vendors], possible: [...vendors] };
  return { explicit: [], possible: all };
}

/**
 * The variables a live target lacks for the selection, with the target's prefix. Empty when it
 * can run: explicitly selected vendors have every required variable; otherwise at least one
 * vendor is configured and no vendor is half-configured.
 */
export function missingLiveVariables(prefix: string, env: NodeJS.ProcessEnv, selection: SelectionInput): string[] {
  const { explicit, possible } = selectedLiveVendors(selection);
  const missingOf = (v: LiveVendor) => VENDOR_VARIABLES[v].required.filter((n) => !env[`${prefix}${n}`]).map((n) => `${prefix}${n}`);
  const anySet = (v: LiveVendor) => [...VENDOR_VARIABLES[v].required, ...VENDOR_VARIABLES[v].optional].some((n) => env[`${prefix}${n}`]);
  if (explicit.length) return explicit.flatMap(missingOf);
  if (possible.length === 0) return [];
  const configured = possible.filter(anySet);
  if (configured.length === 0) return possible.flatMap(missingOf);
  return configured.flatMap(missingOf);
}

export function helpText(): string {
  let tags = '';
  let families = '';
  try {
    tags = knownTags().join(', ');
    const byDir = new Map<string, string[]>();
    for (const f of knownFamilies()) byDir.set(f.dir, [...(byDir.get(f.dir) ?? []), f.family]);
    families = [...byDir].map(([d, fs]) => `  ${d}: ${fs.join(', ')}`).join('\n');
  } catch {
    /* installed without conformance/: nothing to list */
  }
  return [
    '',
    'Targets and their environment variables:',
    '  inprocess, spawned   none (a twin is started for the run)',
    `  live                 Synqly: ${VENDOR_VARIABLES.synqly.required.join(', ')}`,
    `                       Connxio: ${VENDOR_VARIABLES.connxio.required.join(', ')}; optional ${VENDOR_VARIABLES.connxio.optional.join(', ')}`,
    '                       only the selected vendor\'s variables are required; without --vendor a vendor with none set is skipped',
    '  env:<PREFIX>         the same names with the prefix, e.g. env:B_ reads B_SYNQLY_BASE_URL',
    '',
    `Tags (--tag): ${tags}`,
    '',
    'Families (--family):',
    families,
    '',
    'Exit codes: 0 ok; 1 scenarios failed, a target was unreachable or refused the credentials, or cleanup left resources behind; 2 usage error.',
    '',
  ].join('\n');
}
