import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ValidationIssue } from './errors.ts';
import type { OperationSpec } from './spec.ts';
import { checkRequest, paramsSchema, toIssues, type RequestChecks, type RequestInput, type ValidatedRequest } from './validation-issues.ts';

export { describeIssue, type RequestInput, type ValidatedRequest } from './validation-issues.ts';

/**
 * Request and response validation with ajv against the operation's schemas. Parameters are
 * coerced from strings (query arrays repeat their key); bodies are validated strictly, as sent.
 * Validators are compiled on first use of an operation and cached (the build precompiles the
 * request checks of the vendor specs: precompiled-validator.ts).
 */

// ajv-formats' CommonJS export is typed as its ES module namespace; at run time it is the plugin function
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface Validator {
  /**
   * undefined when `validateRequest(op, …)` can run now; else a promise that resolves when it can
   * (a deferred validator loads the operation's precompiled checks or ajv first)
   */
  prepare?(op: OperationSpec): Promise<void> | undefined;
  /** the same for `validateResponse` (it needs ajv) */
  prepareResponses?(): Promise<void> | undefined;
  validateRequest(op: OperationSpec, input: RequestInput, mediaType?: string): ValidatedRequest;
  /** issues of a response against the spec ([] = conforms); a status the spec does not list is an issue too */
  validateResponse(op: OperationSpec, status: number, contentType: string | undefined, body: unknown): ValidationIssue[];
}

/** ajv as the twin validates with; `code` is set by the build to generate standalone code in the same options */
export function makeAjv(coerce: boolean, code?: Options['code']): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: coerce,
    discriminator: false,
    validateFormats: true,
    // errors carry their schema and data: toIssues reads a union's branches to pick the one the data selects
    verbose: true,
    ...(code ? { code } : {}),
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'example', schemaType: ['string', 'number', 'boolean', 'object', 'array', 'null'] });
  return ajv;
}

/** the checks of an operation compiled with ajv at run time (cached per operation) */
export function runtimeChecks(paramsAjv = makeAjv(true), bodyAjv = makeAjv(false)): (op: OperationSpec) => RequestChecks {
  const compiled = new WeakMap<OperationSpec, RequestChecks>();
  return (op) => {
    let c = compiled.get(op);
    if (!c) {
      const bodies = new Map<string, ValidateFunction>();
      c = {
        params: paramsAjv.compile(paramsSchema(op.parameters)),
        body: (media, schema) => {
          let v = bodies.get(media);
          if (!v) bodies.set(media, (v = bodyAjv.compile(schema)));
          return v;
        },
      };
      compiled.set(op, c);
    }
    return c;
  };
}

/**
 * The validator compiling with ajv at run time. `precompiled` gives the build's checks of an
 * operation when it has them (precompiled-validator.ts); the others are compiled here on first use.
 */
export function createValidator(precompiled?: (op: OperationSpec) => RequestChecks | undefined): Validator {
  const bodyAjv = makeAjv(false);
  const checksOf = runtimeChecks(makeAjv(true), bodyAjv);
  const responseValidators = new WeakMap<object, ValidateFunction>();

  return {
    validateRequest: (op, input, mediaType) => checkRequest(op, precompiled?.(op) ?? checksOf(op), input, mediaType),
    validateResponse(op, status, contentType, body) {
      const declared = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
      if (!declared) return [{ location: 'body', pointer: '', message: `status ${status} is not declared for ${op.operationId}` }];
      const content = declared.content;
      // `x-apitwin-empty-body: true` on a response: the declared content is optional (the Connxio
      // messaging 200 is empty for asynchronous integrations, the JSON array for synchronous ones)
      const emptyAllowed = (declared as Record<string, unknown>)['x-apitwin-empty-body'] === true;
      if (emptyAllowed && (body === undefined || body === '')) return [];
      if (!content || Object.keys(content).length === 0) {
        return body === undefined || body === '' ? [] : [{ location: 'body', pointer: '', message: `status ${status} declares no body, got one` }];
      }
      const media = contentType?.split(';')[0]?.trim().toLowerCase();
      const entry = (media && content[media]) ?? (media?.endsWith('json') ? Object.entries(content).find(([k]) => k.endsWith('json'))?.[1] : undefined);
      if (!entry) return [{ location: 'header', pointer: 'content-type', message: `content type ${contentType ?? '(none)'} is not declared for status ${status}` }];
      if (!entry.schema) return [];
      let v = responseValidators.get(entry.schema);
      if (!v) responseValidators.set(entry.schema, (v = bodyAjv.compile(entry.schema)));
      return v(body) ? [] : toIssues(v.errors ?? [], 'body', body);
    },
  };
}

