import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { precompiledChecksOf, type OperationSpec } from './spec.ts';
import type { CompiledCheck, RequestChecks } from './validation-issues.ts';
import type { ChecksIndex } from './standalone-validators.ts';

/**
 * The build's request checks (standalone-validators.ts): an operation read from a fresh build
 * (spec.ts precompiledChecksOf) imports its own modules on its first request, without ajv. Other
 * operations (custom APIs, copies, a spec newer than the build) are compiled by ajv at run time.
 */
export interface PrecompiledChecks {
  /** whether the build has this operation's checks */
  has(op: OperationSpec): boolean;
  /** the operation's checks once loaded */
  checksOf(op: OperationSpec): RequestChecks | undefined;
  /** imports the operation's modules (once) */
  load(op: OperationSpec): Promise<void>;
}

export function precompiledChecks(): PrecompiledChecks {
  const indexes = new Map<string, ChecksIndex>();
  const loaded = new WeakMap<OperationSpec, RequestChecks>();
  const loading = new WeakMap<OperationSpec, Promise<void>>();
  const entryOf = (op: OperationSpec) => {
    const file = precompiledChecksOf(op);
    if (!file) return undefined;
    let index = indexes.get(file);
    if (!index) indexes.set(file, (index = JSON.parse(readFileSync(file, 'utf8')) as ChecksIndex));
    const entry = index[op.operationId];
    return entry ? { dir: dirname(file), entry } : undefined;
  };
  const importCheck = async (dir: string, name: string): Promise<CompiledCheck> =>
    ((await import(pathToFileURL(join(dir, name)).href)) as { default: CompiledCheck }).default;
  return {
    has: (op) => entryOf(op) !== undefined,
    checksOf: (op) => loaded.get(op),
    load(op) {
      let pending = loading.get(op);
      if (!pending) {
        const found = entryOf(op);
        if (!found) return Promise.reject(new Error(`the build has no request checks for ${op.operationId}`));
        const { dir, entry } = found;
        pending = Promise.all([importCheck(dir, entry.params), ...Object.entries(entry.bodies).map(async ([media, name]) => [media, await importCheck(dir, name)] as const)]).then(
          ([params, ...bodies]) => {
            const byMedia = new Map(bodies);
            loaded.set(op, {
              params,
              body: (media) => {
                const check = byMedia.get(media);
                if (!check) throw new Error(`the build has no request body check for ${op.operationId} ${media}`);
                return check;
              },
            });
          },
          (err: unknown) => {
            loading.delete(op); // the next request tries again
            throw err;
          },
        );
        loading.set(op, pending);
      }
      return pending;
    },
  };
}
