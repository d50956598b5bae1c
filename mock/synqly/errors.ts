import type { ApiError, ParameterLocation } from '../core/errors.ts';
import type { RenderedError, RequestInfo } from '../core/pipeline.ts';
import { isSecretParameter, isSecretPointer, redactBody } from '../core/request-journal.ts';

/**
 * The Synqly error envelope: a Problem object (contract §1.7), never HTML or empty.
 * Validation issues become `context.parameter` (the first) and `cause` (all of them).
 * A Problem never echoes a secret (contract §2.3 "never contains the secret"; DECISIONS "Secrets
 * are never returned"): the `value` of a secret-bearing field (the request journal's rule:
 * `secret`, `new_secret`, `password`, `client_secret`, `private_key`, `*_key`, … and anything
 * inside such a field but its `type`) is left out, and secrets nested in an echoed object are
 * redacted.
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
  if (err.details.parameter) {
    const { id, location, value } = err.details.parameter;
    body.context = { parameter: parameterView(id, location, value) };
  }
  if (err.details.issues && err.details.issues.length > 0) {
    body.cause = err.details.issues.map((issue) => ({
      type: 'validation',
      message: `${issue.location === 'body' ? issue.pointer || 'body' : issue.pointer} ${issue.message}`,
      context: { parameter: parameterView(issue.pointer, issue.location, issue.value) },
    }));
  }
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...err.details.headers };
  if (err.status === 401) headers['www-authenticate'] = 'Bearer realm="synqly"';
  return { status: err.status, headers, body };
}

/** `{id, location, value?}` with the value left out when it is (or holds only) a secret */
function parameterView(id: string, location: ParameterLocation, value: unknown): Record<string, unknown> {
  const secret = location === 'body' ? isSecretPointer(id) : location !== 'path' && isSecretParameter(id);
  return { id, location, ...(value !== undefined && !secret ? { value: redactBody(value) } : {}) };
}
