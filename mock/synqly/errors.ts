import type { ApiError } from '../core/errors.ts';
import type { RenderedError, RequestInfo } from '../core/pipeline.ts';

/**
 * The Synqly error envelope: a Problem object (contract §1.7), never HTML or empty.
 * Validation issues become `context.parameter` (the first) and `cause` (all of them).
 */
export function renderSynqlyProblem(err: ApiError, request: RequestInfo, occurredAt: string): RenderedError {
  const body: Record<string, unknown> = {
    status: err.status,
    message: err.message,
    occurred_at: occurredAt,
    instance: request.path,
  };
  if (err.details.detail) body.detail = err.details.detail;
  if (err.details.remediation) body.remediation = err.details.remediation;
  if (err.details.parameter) body.context = { parameter: err.details.parameter };
  if (err.details.issues && err.details.issues.length > 0) {
    body.cause = err.details.issues.map((issue) => ({
      type: 'validation',
      message: `${issue.location === 'body' ? issue.pointer || 'body' : issue.pointer} ${issue.message}`,
      context: { parameter: { id: issue.pointer, location: issue.location, ...(issue.value !== undefined ? { value: issue.value } : {}) } },
    }));
  }
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...err.details.headers };
  if (err.status === 401) headers['www-authenticate'] = 'Bearer realm="synqly"';
  return { status: err.status, headers, body };
}

