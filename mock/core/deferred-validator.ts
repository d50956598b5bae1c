import type { Validator } from './validation.ts';

/**
 * The request validator with its library (ajv, about a quarter of the code a start would otherwise
 * compile) imported on demand: `apitwin serve` prints its ready line first and loads it right
 * after, and a request that comes sooner waits for it (TwinEnv.prepare). Validators themselves are
 * compiled per operation on first use, as before.
 */
export interface DeferredValidator extends Validator {
  /** imports the library (once); resolves when the validator can be used */
  load(): Promise<void>;
  readonly loaded: boolean;
}

export function deferredValidator(): DeferredValidator {
  let real: Validator | undefined;
  let loading: Promise<void> | undefined;
  const use = (): Validator => {
    if (!real) throw new Error('the request validator is used before it was loaded (await load() first)');
    return real;
  };
  return {
    load: () =>
      (loading ??= import('./validation.ts').then(
        (module) => {
          real = module.createValidator();
        },
        (err: unknown) => {
          loading = undefined; // the next request tries again
          throw err;
        },
      )),
    get loaded() {
      return real !== undefined;
    },
    validateRequest: (op, input, mediaType) => use().validateRequest(op, input, mediaType),
    validateResponse: (op, status, contentType, body) => use().validateResponse(op, status, contentType, body),
  };
}
