import { entriesOf } from './narrow.ts';
/**
 * The one error class of the twin and its catalogue of templates. Handlers, models and the
 * pipeline throw `ApiError`s; each vendor has one renderer that turns them into its envelope
 * (Synqly Problem, Connxio ProblemDetails, admin problem+json). Nobody builds error JSON by hand.
 */

export const ERROR_TEMPLATES = {
  bad_request: { status: 400, title: 'Bad Request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  payment_required: { status: 402, title: 'Payment Required' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not Found' },
  method_not_allowed: { status: 405, title: 'Method Not Allowed' },
  conflict: { status: 409, title: 'Conflict' },
  precondition_failed: { status: 412, title: 'Precondition Failed' },
  payload_too_large: { status: 413, title: 'Payload Too Large' },
  unsupported_media_type: { status: 415, title: 'Unsupported Media Type' },
  misdirected_request: { status: 421, title: 'Misdirected Request' },
  too_many_requests: { status: 429, title: 'Too Many Requests' },
  internal: { status: 500, title: 'Internal Server Error' },
  not_implemented: { status: 501, title: 'Not Implemented' },
  bad_gateway: { status: 502, title: 'Bad Gateway' },
  service_unavailable: { status: 503, title: 'Service Unavailable' },
  gateway_timeout: { status: 504, title: 'Gateway Timeout' },
} as const;

export type ErrorKind = keyof typeof ERROR_TEMPLATES;
export type ParameterLocation = 'query' | 'header' | 'path' | 'body';

/** One schema violation, vendor-neutral; renderers format it their way. */
export interface ValidationIssue {
  location: ParameterLocation;
  /** param name, or JSON Pointer into the body ('' = the body itself) */
  pointer: string;
  message: string;
  value?: unknown;
  /**
   * the schema rule that failed, for renderers that word issues their own way (Connxio speaks
   * ASP.NET): ajv's keyword and params, the schema of the value at `pointer` (for `required`, of
   * the object missing the property) and the JSON kind of that value. Absent for issues no schema produced.
   */
  rule?: { keyword: string; params: Record<string, unknown>; schema?: unknown; dataKind?: 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' };
}

export interface ApiErrorDetails {
  detail?: string;
  remediation?: string;
  /** the request parameter at fault */
  parameter?: { id: string; location: ParameterLocation; value?: unknown };
  /** every schema violation found, in request order */
  issues?: ValidationIssue[];
  /** extra response headers (Allow, Retry-After, WWW-Authenticate …) */
  headers?: Record<string, string>;
  /** overrides the template's status for injected faults with an arbitrary code */
  status?: number;
  /** vendor-specific extras a renderer knows how to place */
  extra?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: ApiErrorDetails = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = details.status ?? ERROR_TEMPLATES[kind].status;
  }

  get title(): string {
    return statusTitle(this.status);
  }
}

export function statusTitle(status: number): string {
  for (const t of Object.values(ERROR_TEMPLATES)) if (t.status === status) return t.title;
  return status >= 500 ? 'Server Error' : 'Client Error';
}

export function kindForStatus(status: number): ErrorKind {
  for (const [kind, t] of entriesOf(ERROR_TEMPLATES)) if (t.status === status) return kind;
  return status >= 500 ? 'internal' : 'bad_request';
}

export const errors = {
  badRequest: (message: string, details?: ApiErrorDetails) => new ApiError('bad_request', message, details),
  unauthorized: (message: string, details?: ApiErrorDetails) => new ApiError('unauthorized', message, details),
  paymentRequired: (message: string, details?: ApiErrorDetails) => new ApiError('payment_required', message, details),
  forbidden: (message: string, details?: ApiErrorDetails) => new ApiError('forbidden', message, details),
  notFound: (message: string, details?: ApiErrorDetails) => new ApiError('not_found', message, details),
  methodNotAllowed: (method: string, allow: string[]) =>
    new ApiError('method_not_allowed', `method ${method} is not allowed here; allowed: ${allow.join(', ')}`, {
      headers: { Allow: allow.join(', ') },
    }),
  conflict: (message: string, details?: ApiErrorDetails) => new ApiError('conflict', message, details),
  preconditionFailed: (message: string, details?: ApiErrorDetails) => new ApiError('precondition_failed', message, details),
  payloadTooLarge: (limitBytes: number) =>
    new ApiError('payload_too_large', `request body is larger than the limit of ${limitBytes} bytes`),
  unsupportedMediaType: (got: string, accepted: string[]) =>
    new ApiError('unsupported_media_type', `content type ${got || '(none)'} is not accepted here; send ${accepted.join(' or ')}`),
  tooManyRequests: (retryAfterSeconds: number, message = 'too many requests') =>
    new ApiError('too_many_requests', message, { headers: { 'Retry-After': String(retryAfterSeconds) } }),
  notImplemented: (operationId: string) =>
    new ApiError('not_implemented', `operation ${operationId} is described by the spec but not emulated by apitwin yet`),
  internal: (message: string) => new ApiError('internal', message),
};

/**
 * Runs `fn`, a model whose input sits under `prefix` in the request body (`/integration` of
 * integrations_verify, `/member` of subOrgs_create): an ApiError it throws about the body is
 * rethrown with its body pointers (parameter and issues) relative to the whole request body
 * (RFC 6901: '' is the whole document, so the model's '' becomes `prefix`).
 */
export function underBodyPointer<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const { parameter, issues } = err.details;
    if (parameter?.location !== 'body' && !issues?.some((i) => i.location === 'body')) throw err;
    throw new ApiError(err.kind, err.message, {
      ...err.details,
      ...(parameter ? { parameter: parameter.location === 'body' ? { ...parameter, id: prefix + parameter.id } : parameter } : {}),
      ...(issues ? { issues: issues.map((i) => (i.location === 'body' ? { ...i, pointer: prefix + i.pointer } : i)) } : {}),
    });
  }
}
