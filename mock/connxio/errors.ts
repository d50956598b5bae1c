import type { ApiError, ValidationIssue } from '../core/errors.ts';
import type { RenderedError, RequestInfo } from '../core/pipeline.ts';
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
  const body: Record<string, unknown> = {
    type: TYPE_BY_STATUS[err.status] ?? 'about:blank',
    // model-state errors (schema issues, or business rules in `extra.errors`) are ASP.NET ValidationProblemDetails
    title: err.details.issues || err.details.extra?.errors ? VALIDATION_TITLE : err.title,
    status: err.status,
  };
  if (!err.details.issues) body.detail = err.message;
  if (err.details.issues && err.details.issues.length > 0) {
    const grouped: Record<string, string[]> = {};
    for (const issue of err.details.issues) {
      const field = aspNetFieldName(issue);
      (grouped[field] ??= []).push(aspNetMessage(issue, field));
    }
    body.errors = grouped;
  } else if (err.details.extra?.errors) {
    body.errors = err.details.extra.errors;
  }
  body.traceId = traceId(random);
  if (err.status === 401 && !headers['WWW-Authenticate']) headers['WWW-Authenticate'] = 'ApiKey';
  return { status: err.status, headers: { ...headers, 'content-type': 'application/problem+json; charset=utf-8' }, body };
}
