import type { ApiError, ValidationIssue } from '../core/errors.ts';
import type { BodyErrorMarkers, RenderedError, RequestInfo } from '../core/pipeline.ts';
import type { Random } from '../core/random.ts';

/**
 * The Connxio error envelope: RFC 7807 ProblemDetails as ASP.NET emits it (type, title, status,
 * traceId; `errors: {Field: [messages]}` for validation), as application/problem+json.
 * The OAuth token endpoint answers in RFC 6749's `{error, error_description}` instead.
 */

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
  401: 'https://tools.ietf.org/html/rfc9110#section-15.5.2',
  403: 'https://tools.ietf.org/html/rfc9110#section-15.5.4',
  404: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
  405: 'https://tools.ietf.org/html/rfc9110#section-15.5.6',
  409: 'https://tools.ietf.org/html/rfc9110#section-15.5.10',
  412: 'https://tools.ietf.org/html/rfc9110#section-15.5.13',
  413: 'https://tools.ietf.org/html/rfc9110#section-15.5.14',
  415: 'https://tools.ietf.org/html/rfc9110#section-15.5.16',
  429: 'https://tools.ietf.org/html/rfc6585#section-4',
  500: 'https://tools.ietf.org/html/rfc9110#section-15.6.1',
  501: 'https://tools.ietf.org/html/rfc9110#section-15.6.2',
  502: 'https://tools.ietf.org/html/rfc9110#section-15.6.3',
  503: 'https://tools.ietf.org/html/rfc9110#section-15.6.4',
};

export const VALIDATION_TITLE = 'One or more validation errors occurred.';

/** ASP.NET's model-state error for an empty body where [FromBody] needs one (key "") */
export const MISSING_BODY_MESSAGE = 'A non-empty request body is required.';

export function traceId(random: Random): string {
  return `00-${random.bytes(16).toString('hex')}-${random.bytes(8).toString('hex')}-00`;
}

/** JSON Pointer `/subIntegrations/0/subIntegrationId` → ASP.NET's `SubIntegrations[0].SubIntegrationId` */
export function aspNetFieldName(issue: ValidationIssue): string {
  if (issue.location !== 'body') return issue.pointer;
  if (!issue.pointer) return '$';
  let out = '';
  for (const part of issue.pointer.split('/').slice(1)) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += (out ? '.' : '') + part.charAt(0).toUpperCase() + part.slice(1);
  }
  return out;
}

function aspNetMessage(issue: ValidationIssue, field: string): string {
  if (issue.message === 'is required') return `The ${field.split('.').pop()?.replace(/\[\d+\]$/, '')} field is required.`;
  return `The field ${field} ${issue.message}.`;
}

export function renderConnxioProblem(err: ApiError, request: RequestInfo & { operationId?: string }, random: Random): RenderedError {
  const headers: Record<string, string> = { ...err.details.headers };
  const oauthError = err.details.extra?.oauthError;
  if (typeof oauthError === 'string' || request.operationId === 'oauth_token') {
    return {
      status: err.status,
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: { error: typeof oauthError === 'string' ? oauthError : err.status === 401 ? 'invalid_client' : 'invalid_request', error_description: err.message },
    };
  }
  const errors = modelStateErrors(err);
  const body: Record<string, unknown> = {
    type: TYPE_BY_STATUS[err.status] ?? 'about:blank',
    // model-state errors (schema issues, an unreadable or missing body, or business rules in `extra.errors`) are ASP.NET ValidationProblemDetails
    title: errors ? VALIDATION_TITLE : err.title,
    status: err.status,
  };
  // schema issues speak for themselves; other errors (business rules, an unreadable body) keep the twin's explanation too
  if (!err.details.issues) body.detail = err.message;
  if (errors) body.errors = errors;
  body.traceId = traceId(random);
  if (err.status === 401 && !headers['WWW-Authenticate']) headers['WWW-Authenticate'] = 'ApiKey';
  return { status: err.status, headers: { ...headers, 'content-type': 'application/problem+json; charset=utf-8' }, body };
}

/**
 * The ValidationProblemDetails `errors` of an error, or undefined when it is not a model-state
 * error. A body the pipeline could not read (`extra.unreadableBody`: not UTF-8, not JSON) is
 * System.Text.Json's failure, reported under `$` with the parser's message; a required body that
 * was not sent (`extra.missingBody`) is `{"": ["A non-empty request body is required."]}`; schema
 * issues are grouped by ASP.NET field name; business rules bring their own `extra.errors`.
 */
function modelStateErrors(err: ApiError): Record<string, string[]> | undefined {
  const markers = (err.details.extra ?? {}) as BodyErrorMarkers;
  if (typeof markers.unreadableBody === 'string') return { $: [markers.unreadableBody] };
  const issues = err.details.issues;
  if (issues && issues.length > 0) {
    const grouped: Record<string, string[]> = {};
    for (const issue of issues) {
      if (markers.missingBody && issue.location === 'body' && issue.pointer === '') {
        (grouped[''] ??= []).push(MISSING_BODY_MESSAGE);
        continue;
      }
      const field = aspNetFieldName(issue);
      (grouped[field] ??= []).push(aspNetMessage(issue, field));
    }
    return grouped;
  }
  if (issues) return {};
  const extra = err.details.extra?.errors;
  return extra && typeof extra === 'object' ? (extra as Record<string, string[]>) : undefined;
}
