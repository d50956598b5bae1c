/**
 * The one comparison engine of `apitwin conformance --parity` and `apitwin verify`.
 *
 * A response is first normalized: ids (UUIDs), timestamps and secrets are reduced to their kind
 * (`<uuid>`, `<date-time>`, `<secret>`), and so is every other value in `shape` mode (parity keeps
 * no values: its reports must never hold a live tenant's data); in `values` mode (verify) every
 * other value is kept. Two normalized responses are then diffed field by field, each difference
 * named by its JSON Pointer. Exchanges are paired by scope (a scenario's test, a recording),
 * operationId and the operation's step within that scope — never by a global position, so an
 * extra call on one side (a live target's own look-up) shifts nothing else.
 */

/** A normalized response body: kinds (`<string>`) or JSON literals (`"abc"`, `3`) at the leaves. */
export type Normalized = string | Normalized[] | { [field: string]: Normalized };

export type CompareMode = 'shape' | 'values';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;
/** a recording's redaction placeholder (mock/recording/redact.ts) */
export const PLACEHOLDER = /^<redacted:[^>]+>$/;
/** fields whose values are secrets, tokens or concurrency tags: compared by kind only */
const SECRET_FIELD = /secret|token|password|api_?key|^key$|signature|nonce|^_?etag$/i;

export function normalize(value: unknown, mode: CompareMode, field = '', depth = 0): Normalized {
  if (depth > 30) return '<deep>';
  if (value === undefined) return '<none>';
  if (value === null) return '<null>';
  if (typeof value === 'string') {
    if (PLACEHOLDER.test(value) || (mode === 'values' && SECRET_FIELD.test(field))) return '<secret>';
    if (UUID.test(value)) return '<uuid>';
    if (DATE_TIME.test(value)) return '<date-time>';
    return mode === 'values' ? JSON.stringify(value) : '<string>';
  }
  if (typeof value === 'number') return mode === 'values' && !/_at$|^(expires_in|ttl|seq|duration)/i.test(field) ? JSON.stringify(value) : '<number>';
  if (typeof value === 'boolean') return mode === 'values' ? String(value) : '<boolean>';
  if (Array.isArray(value)) {
    if (mode === 'values') return value.map((item) => normalize(item, mode, field, depth + 1));
    // item counts differ between tenants; parity compares the shape of the items instead
    const shapes = new Map<string, Normalized>();
    for (const item of value) {
      const s = normalize(item, mode, field, depth + 1);
      shapes.set(JSON.stringify(s), s);
    }
    return [...shapes.values()].slice(0, 1);
  }
  const out: { [field: string]: Normalized } = {};
  for (const key of Object.keys(value as object).sort()) out[key] = normalize((value as Record<string, unknown>)[key], mode, key, depth + 1);
  return out;
}

export interface FieldDifference {
  /** JSON Pointer into the response body ('' = the whole body) */
  path: string;
  a: string;
  b: string;
}

/**
 * Differences between two normalized bodies. In shape mode arrays hold one sample item and an
 * empty array on one side is no difference; in values mode arrays are compared item by item.
 */
export function diffNormalized(a: Normalized, b: Normalized, mode: CompareMode, path = ''): FieldDifference[] {
  if (typeof a === 'string' || typeof b === 'string') {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, a: describe(a), b: describe(b) }];
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return [{ path, a: describe(a), b: describe(b) }];
    if (mode === 'shape') return a.length === 0 || b.length === 0 ? [] : diffNormalized(a[0]!, b[0]!, mode, `${path}/*`);
    const out: FieldDifference[] = a.length === b.length ? [] : [{ path, a: `${a.length} item(s)`, b: `${b.length} item(s)` }];
    for (let i = 0; i < Math.min(a.length, b.length); i++) out.push(...diffNormalized(a[i]!, b[i]!, mode, `${path}/${i}`));
    return out;
  }
  const out: FieldDifference[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const p = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!(key in a)) out.push({ path: p, a: '<absent>', b: describe(b[key]!) });
    else if (!(key in b)) out.push({ path: p, a: describe(a[key]!), b: '<absent>' });
    else out.push(...diffNormalized(a[key]!, b[key]!, mode, p));
  }
  return out;
}

function describe(s: Normalized): string {
  if (typeof s === 'string') return s;
  return Array.isArray(s) ? 'array' : 'object';
}

/** One side of a compared exchange: its status and its normalized body. */
export interface ComparedResponse {
  operationId: string;
  status: number;
  body: Normalized;
}

export interface Difference {
  /** the scenario test or the recording the exchange belongs to */
  scope: string;
  operationId: string;
  /** which call of this operation within the scope (0-based) */
  step: number;
  status?: { a: number; b: number };
  fields: FieldDifference[];
}

export function compareResponses(scope: string, step: number, a: ComparedResponse, b: ComparedResponse, mode: CompareMode): Difference | undefined {
  if (a.status !== b.status) return { scope, operationId: a.operationId, step, status: { a: a.status, b: b.status }, fields: [] };
  const fields = diffNormalized(a.body, b.body, mode);
  return fields.length ? { scope, operationId: a.operationId, step, fields } : undefined;
}

export interface Paired<T> {
  pairs: Array<{ scope: string; step: number; a: T; b: T }>;
  onlyInA: T[];
  onlyInB: T[];
}

/** Pairs exchanges by scope, operationId and the operation's step (its n-th call) within the scope. */
export function pairByStep<T>(a: T[], b: T[], keyOf: (x: T) => { scope: string; operationId: string }): Paired<T> {
  const keyed = (list: T[]) => {
    const steps = new Map<string, number>();
    return list.map((item) => {
      const { scope, operationId } = keyOf(item);
      const base = `${scope}\u0000${operationId}`;
      const step = steps.get(base) ?? 0;
      steps.set(base, step + 1);
      return { key: `${base}\u0000${step}`, scope, step, item };
    });
  };
  const kb = new Map(keyed(b).map((k) => [k.key, k]));
  const pairs: Paired<T>['pairs'] = [];
  const onlyInA: T[] = [];
  for (const ka of keyed(a)) {
    const match = kb.get(ka.key);
    if (!match) {
      onlyInA.push(ka.item);
      continue;
    }
    kb.delete(ka.key);
    pairs.push({ scope: ka.scope, step: ka.step, a: ka.item, b: match.item });
  }
  return { pairs, onlyInA, onlyInB: [...kb.values()].map((k) => k.item) };
}

export interface ComparisonReport {
  /** what was compared, e.g. "parity" or "verify" */
  kind: string;
  a: string;
  b: string;
  compared: number;
  onlyInA: number;
  onlyInB: number;
  differences: Difference[];
}

export function reportMarkdown(r: ComparisonReport, intro: string): string {
  const lines = [
    `# ${r.kind}: \`${r.a}\` vs \`${r.b}\``,
    '',
    `${r.compared} responses compared (${intro}); ${r.onlyInA} only in ${r.a}, ${r.onlyInB} only in ${r.b}. **${r.differences.length} difference(s).**`,
    '',
  ];
  for (const d of r.differences) {
    lines.push(`- \`${d.operationId}\` in "${d.scope}" (call ${d.step + 1} of it)`);
    if (d.status) lines.push(`  - status: ${r.a} ${d.status.a}, ${r.b} ${d.status.b}`);
    for (const f of d.fields) lines.push(`  - \`${f.path || '(body)'}\`: ${r.a} ${f.a}, ${r.b} ${f.b}`);
  }
  return lines.join('\n') + '\n';
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: one test case per compared exchange, failed when it differs. */
export function reportJunit(r: ComparisonReport, cases: Array<{ scope: string; operationId: string; step: number }>): string {
  const byKey = new Map(r.differences.map((d) => [`${d.scope}\u0000${d.operationId}\u0000${d.step}`, d]));
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="apitwin ${xml(r.kind)}" tests="${cases.length}" failures="${r.differences.length}">`];
  lines.push(`  <testsuite name="${xml(`${r.a} vs ${r.b}`)}" tests="${cases.length}" failures="${r.differences.length}">`);
  for (const c of cases) {
    const d = byKey.get(`${c.scope}\u0000${c.operationId}\u0000${c.step}`);
    const name = xml(`${c.operationId} (call ${c.step + 1})`);
    if (!d) {
      lines.push(`    <testcase classname="${xml(c.scope)}" name="${name}"/>`);
      continue;
    }
    const text = [d.status ? `status: ${r.a} ${d.status.a}, ${r.b} ${d.status.b}` : '', ...d.fields.map((f) => `${f.path || '(body)'}: ${r.a} ${f.a}, ${r.b} ${f.b}`)].filter(Boolean).join('\n');
    lines.push(`    <testcase classname="${xml(c.scope)}" name="${name}"><failure message="${xml(`${d.operationId} differs`)}">${xml(text)}</failure></testcase>`);
  }
  lines.push('  </testsuite>', '</testsuites>');
  return lines.join('\n') + '\n';
}
