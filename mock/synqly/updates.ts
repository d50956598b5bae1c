import jsonpatch from 'fast-json-patch';
import { errors } from '../core/errors.ts';
import { isPlainObject } from '../core/store/document.ts';

/**
 * PUT and PATCH machinery shared by every Synqly family (DECISIONS "PUT" and "PATCH"):
 * - PUT replaces the writable fields; `id` in the body must be the addressed resource's id;
 *   `created_at`, `organization_id`, `refresh_token_id` … come from storage; `updated_at` is the server's.
 * - PATCH is RFC 6902 (fast-json-patch) over the resource as the API shows it. Paths under
 *   /id, /created_at, /updated_at, /organization_id → 400; a failing `test` → 409; the result
 *   must satisfy the PUT body schema of the same resource (→ 400, nothing stored), and is then
 *   stored exactly as a PUT of that document would be.
 */

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export const PROTECTED_PATHS = ['/id', '/created_at', '/updated_at', '/organization_id'] as const;

/** checks a document (the result of a PATCH) against the PUT body schema of `T`; throws a 400 unless it is one */
export type DocumentCheck<T> = (doc: Record<string, unknown>) => asserts doc is Record<string, unknown> & T;

function touches(pointer: string, protectedPath: string): boolean {
  return pointer === protectedPath || pointer.startsWith(`${protectedPath}/`);
}

function assertWritable(ops: readonly PatchOperation[], extraProtected: readonly string[]): void {
  const all = [...PROTECTED_PATHS, ...extraProtected];
  ops.forEach((op, i) => {
    const pointers: Array<[string, string | undefined]> = [['path', op.path]];
    // moving away from a protected field removes it, so `from` counts too (copying from it is harmless)
    if (op.op === 'move') pointers.push(['from', op.from]);
    for (const [field, pointer] of pointers) {
      if (pointer === undefined) continue;
      if (pointer === '' || all.some((p) => touches(pointer, p))) {
        throw errors.badRequest(
          pointer === '' ? 'a patch may not replace the whole resource' : `${pointer} is read-only and cannot be patched`,
          {
            parameter: { id: `/${i}/${field}`, location: 'body', value: pointer },
            remediation: `leave ${all.join(', ')} out of the patch; the server maintains them`,
          },
        );
      }
    }
  });
}

/**
 * Applies an RFC 6902 patch to a copy of `current` (the resource as the API returns it).
 * `extraProtected` adds family-specific read-only paths.
 */
export function applyJsonPatch(current: object, ops: readonly PatchOperation[], extraProtected: readonly string[] = []): Record<string, unknown> {
  assertWritable(ops, extraProtected);
  let result: unknown;
  try {
    // the ops passed the request schema's JSON Patch check; fast-json-patch types each op kind separately
    result = jsonpatch.applyPatch(structuredClone(current), ops as jsonpatch.Operation[], true, true, true).newDocument;
  } catch (err) {
    if (err instanceof jsonpatch.JsonPatchError) {
      const index = err.index ?? 0;
      const op = ops[index];
      const testFailed = err.name === 'TEST_OPERATION_FAILED' || (op?.op === 'test' && err.name === 'OPERATION_PATH_UNRESOLVABLE');
      if (testFailed) {
        throw errors.conflict(`patch test failed at operation ${index}: ${op?.path} does not hold the expected value`, {
          parameter: { id: `/${index}`, location: 'body', value: op?.path },
        });
      }
      throw errors.badRequest(`patch operation ${index} (${op?.op ?? '?'} ${op?.path ?? ''}) cannot be applied: ${err.message.split('\n')[0]}`, {
        parameter: { id: `/${index}`, location: 'body', value: op?.path },
      });
    }
    throw err;
  }
  if (!isPlainObject(result)) {
    throw errors.badRequest('the patched resource must remain a JSON object', { parameter: { id: '', location: 'body' } });
  }
  return result;
}

/** Applies the patch and checks the outcome as a PUT body. */
export function patchDocument<T>(
  current: object,
  ops: readonly PatchOperation[],
  check: DocumentCheck<T>,
  options: { extraProtected?: readonly string[]; prepare?: (doc: Record<string, unknown>) => void } = {},
): T {
  const doc = applyJsonPatch(current, ops, options.extraProtected);
  options.prepare?.(doc);
  check(doc);
  return doc;
}

/** PUT: the body's id must be the id of the resource the path addresses. */
export function assertSameId(bodyId: unknown, storedId: string, kind: string): void {
  if (bodyId !== storedId) {
    throw errors.badRequest(`id ${JSON.stringify(bodyId)} in the body does not match the ${kind} ${storedId} addressed by the path`, {
      parameter: { id: '/id', location: 'body', value: bodyId },
    });
  }
}

/** Copies the optional `fields` present in `source` (undefined = absent) into a new object. */
export function pickDefined<T extends Record<string, unknown>>(source: T, fields: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (source[f] !== undefined) out[f] = structuredClone(source[f]);
  return out as Partial<T>; // only T's own fields were copied
}
