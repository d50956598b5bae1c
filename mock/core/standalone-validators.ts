import { _ } from 'ajv';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import type { Ajv } from 'ajv';
import type { AnyValidateFunction } from 'ajv/dist/core.js';
import type { ApiSpec } from './spec.ts';
import { makeAjv } from './validation.ts';
import { paramsSchema } from './validation-issues.ts';

/**
 * Build time: each operation's request checks as ajv standalone code (https://ajv.js.org/standalone.html),
 * in the options the twin compiles with at run time (makeAjv), so the cold compile of the first
 * request (~40 ms, plus ~50 ms importing ajv) is done by the build. The build bundles each source
 * (CommonJS, requiring ajv's runtime helpers and ajv-formats' formats) into its own module of
 * dist/validators/<spec>/ and writes `index` as checks.json, which precompiled-validator.ts reads.
 */

/** where each operation's checks are: module names relative to checks.json */
export type ChecksIndex = Record<string, { params: string; bodies: Record<string, string> }>;

// the package's CommonJS entry, typed as its ES module namespace
const standaloneCode = ((standaloneCodeModule as unknown as { default?: unknown }).default ?? standaloneCodeModule) as (ajv: Ajv, validate: AnyValidateFunction) => string;

export function standaloneChecks(spec: ApiSpec): { sources: Record<string, string>; index: ChecksIndex } {
  // formats are referenced, not serialized: the bundle brings ajv-formats' functions
  const code = { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` };
  const paramsAjv = makeAjv(true, code);
  const bodyAjv = makeAjv(false, code);
  const sources: Record<string, string> = {};
  const index: ChecksIndex = {};
  spec.operations.forEach((op, i) => {
    const params = `op${i}.params`;
    sources[params] = standaloneCode(paramsAjv, paramsAjv.compile(paramsSchema(op.parameters)));
    const bodies: Record<string, string> = {};
    Object.entries(op.requestBody?.content ?? {}).forEach(([media, content], j) => {
      if (!content.schema) return;
      const name = `op${i}.body${j}`;
      sources[name] = standaloneCode(bodyAjv, bodyAjv.compile(content.schema));
      bodies[media] = `${name}.js`;
    });
    index[op.operationId] = { params: `${params}.js`, bodies };
  });
  return { sources, index };
}
