import { precompiledChecks } from './precompiled-validator.ts';
import type { Validator } from './validation.ts';
import { checkRequest } from './validation-issues.ts';

/**
 * The request validator with its library (ajv, about a quarter of the code a start would otherwise
 * compile) imported on demand. An operation the build precompiled (precompiled-validator.ts)
 * loads its own checks on its first request and never needs ajv; others, and response
 * validation, wait for ajv (`prepare`, `prepareResponses`). `load()` imports ajv up front (what
 * createTwin does unless deferRequestLibraries).
 */
export interface DeferredValidator extends Validator {
  /** imports ajv (once); resolves when every operation can be validated after its `prepare` */
  load(): Promise<void>;
  readonly loaded: boolean;
}

export function deferredValidator(): DeferredValidator {
  const precompiled = precompiledChecks();
  let real: Validator | undefined;
  let loading: Promise<void> | undefined;
  const use = (): Validator => {
    if (!real) throw new Error('the request validator is used before it was loaded (await load() or prepare() first)');
    return real;
  };
  const load = () =>
    (loading ??= import('./validation.ts').then(
      (module) => {
        real = module.createValidator(precompiled.checksOf);
      },
      (err: unknown) => {
        loading = undefined; // the next request tries again
        throw err;
      },
    ));
  return {
    load,
    get loaded() {
      return real !== undefined;
    },
    prepare(op) {
      if (precompiled.checksOf(op)) return undefined;
      if (precompiled.has(op)) return precompiled.load(op);
      return real ? undefined : load();
    },
    prepareResponses: () => (real ? undefined : load()),
    validateRequest(op, input, mediaType) {
      const checks = precompiled.checksOf(op);
      return checks ? checkRequest(op, checks, input, mediaType) : use().validateRequest(op, input, mediaType);
    },
    validateResponse: (op, status, contentType, body) => use().validateResponse(op, status, contentType, body),
  };
}
