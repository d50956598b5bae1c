import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.ts';
import { precompiledChecks } from './precompiled-validator.ts';
import { loadSpec, precompiledChecksOf, specPath, type JsonSchema, type OperationSpec } from './spec.ts';
import { runtimeChecks } from './validation.ts';
import { bodyMedia, checkRequest, type RequestChecks, type RequestInput } from './validation-issues.ts';

/**
 * The build's precompiled request checks (ajv standalone code, dist/validators/) against ajv
 * compiling the same schemas at run time: for every operation of the vendor specs and the admin API's, the same
 * verdict, the same 400 (message, pointer, issues) and the same coerced data. Needs `npm run build`
 * (npm test builds first).
 */

/** a value the schema should accept (as far as a simple walk can tell): consts, enums, defaults, required members */
function sample(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return undefined;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const union = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (Array.isArray(union) && union.length > 0) return sample(union[0], depth + 1);
  if (Array.isArray(schema.allOf)) return Object.assign({}, ...schema.allOf.map((s: JsonSchema) => sample(s, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const out: Record<string, unknown> = {};
      for (const name of (schema.required ?? []) as string[]) out[name] = sample(properties[name], depth + 1) ?? 'x';
      return out;
    }
    case 'array':
      return typeof schema.minItems === 'number' && schema.minItems > 0 ? [sample(schema.items as JsonSchema, depth + 1)] : [];
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'date-time') return '2026-01-02T03:04:05Z';
      if (schema.format === 'date') return '2026-01-02';
      if (schema.format === 'uuid') return '2b0c5a4e-93d1-4c7f-9b1e-0a4e8c7d6f21';
      if (schema.format === 'email') return 'a@example.com';
      if (schema.format === 'uri') return 'https://example.com/';
      return 'a'.repeat(typeof schema.minLength === 'number' ? schema.minLength : 3);
    default:
      return undefined;
  }
}

function requestInputs(op: OperationSpec): Array<Partial<RequestInput>> {
  const of = (where: string) => op.parameters.filter((p) => p.in === where);
  const each = <T,>(where: string, value: (schema: JsonSchema) => T): Record<string, T> => Object.fromEntries(of(where).map((p) => [p.name, value(p.schema)]));
  const asString = (v: unknown) => (v === undefined ? 'x' : Array.isArray(v) ? v.map(String) : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const body = bodyMedia(op, undefined);
  const valid = body ? sample(body.schema) : undefined;
  return [
    // valid: parameters as a client sends them (strings, coerced), the body a walk of its schema gives
    { params: each('path', (s) => String(asString(sample(s)))), query: each('query', (s) => asString(sample(s))), headers: each('header', (s) => asString(sample(s))), body: valid, hasBody: valid !== undefined },
    // missing: nothing sent (required parameters and body missing)
    { params: {}, query: {}, headers: {}, body: undefined, hasBody: false },
    // wrong types and coercion: every query parameter as a number-like, a boolean-like and a repeated key
    { params: each('path', () => '12'), query: each('query', () => '12'), headers: {}, body: [], hasBody: true },
    { params: each('path', () => 'true'), query: each('query', () => ['true', 'a']), headers: each('header', () => ''), body: 'text', hasBody: true },
    { params: {}, query: each('query', () => ''), headers: {}, body: { ...(valid && typeof valid === 'object' ? valid : {}), unexpected: 1, type: 7 }, hasBody: true },
    { params: {}, query: { unknown_parameter: 'x' }, headers: {}, body: null, hasBody: true },
  ];
}

type Outcome = { ok: true; validated: unknown } | { ok: false; message: string; details: unknown };

function outcome(op: OperationSpec, checks: RequestChecks, input: Partial<RequestInput>): Outcome {
  const full: RequestInput = { params: {}, query: {}, headers: {}, body: undefined, hasBody: false, ...structuredClone(input) };
  try {
    return { ok: true, validated: JSON.parse(JSON.stringify(checkRequest(op, checks, full))) };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { ok: false, message: err.message, details: JSON.parse(JSON.stringify(err.details)) };
  }
}

describe.each(['synqly-management.yaml', 'connxio.yaml', 'admin.yaml'])('the build\'s precompiled request checks of %s', (name) => {
  it('are there for every operation read from the build, and answer as ajv compiling at run time', async () => {
    const spec = await loadSpec(specPath(name));
    const precompiled = precompiledChecks();
    const runtime = runtimeChecks();
    let refused = 0;
    let accepted = 0;
    for (const op of spec.operations) {
      expect(precompiledChecksOf(op), `${op.operationId}: no precompiled checks (run npm run build)`).toBeDefined();
      expect(precompiled.has(op)).toBe(true);
      await precompiled.load(op);
      const built = precompiled.checksOf(op)!;
      const compiled = runtime(op);
      for (const input of requestInputs(op)) {
        const a = outcome(op, built, input);
        const b = outcome(op, compiled, input);
        expect(a, `${op.operationId} ${JSON.stringify(input)}`).toStrictEqual(b);
        if (a.ok) accepted += 1;
        else refused += 1;
      }
      // the raw ajv errors too (schema, parentSchema and data included, which toIssues reads)
      for (const media of Object.keys(op.requestBody?.content ?? {})) {
        const schema = op.requestBody!.content[media]!.schema;
        if (!schema) continue;
        for (const body of [sample(schema), {}, [], 1, null, { type: 'unknown' }]) {
          const x = built.body(media, schema);
          const y = compiled.body(media, schema);
          expect(x(structuredClone(body)), `${op.operationId} ${media}`).toBe(y(structuredClone(body)));
          expect(JSON.parse(JSON.stringify(x.errors ?? null))).toStrictEqual(JSON.parse(JSON.stringify(y.errors ?? null)));
        }
      }
    }
    // both kinds of outcome were compared, not only one
    expect(accepted).toBeGreaterThan(spec.operations.length / 2);
    expect(refused).toBeGreaterThan(spec.operations.length);
  }, 120_000);

  it('are not used for a copy of an operation (a custom API rewrites its parameters)', async () => {
    const spec = await loadSpec(specPath(name));
    const op = spec.operations.find((o) => o.parameters.some((p) => p.in === 'path'))!;
    const copy = { ...op, parameters: op.parameters.filter((p) => p.in !== 'path') };
    expect(precompiledChecksOf(op)).toBeDefined();
    expect(precompiledChecksOf(copy)).toBeUndefined();
    expect(precompiledChecks().has(copy)).toBe(false);
  });
});
