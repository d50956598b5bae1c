import type { BodyOf } from '../core/api.ts';
import { loadSpec, specPath, type OperationSpec } from '../core/spec.ts';
import type { operations } from '../generated/synqly.ts';
import type { DocumentCheck } from './updates.ts';
import type { SynqlyContext } from './context.ts';

const specPromise = () => loadSpec(specPath('synqly-management.yaml'));

/**
 * The check a PATCH result must pass: the request body schema of the family's PUT operation,
 * validated with the twin's own validator (the same 400 as a bad PUT body, JSON Pointers included).
 */
export async function updateBodyCheck<K extends keyof operations>(ctx: SynqlyContext, putOperationId: K): Promise<DocumentCheck<NonNullable<BodyOf<operations[K]>>>> {
  const spec = await specPromise();
  const op: OperationSpec | undefined = spec.byId.get(putOperationId);
  if (!op) throw new Error(`no operation ${putOperationId} in the Synqly spec`);
  // the pipeline prepared the validator for the PATCH operation, not for this PUT one: a twin that
  // loads its request libraries after its ready line (apitwin serve) may not have ajv yet
  await ctx.env.validator.prepare?.(op);
  const params = ctx.request.params ?? {};
  const check: DocumentCheck<NonNullable<BodyOf<operations[K]>>> = (doc) => {
    ctx.env.validator.validateRequest(op, { params, query: {}, headers: {}, body: doc, hasBody: true }, 'application/json');
  };
  return check;
}
