import { describe, expect, it } from 'vitest';
import { errors } from '../core/errors.ts';
import type { RequestInfo } from '../core/pipeline.ts';
import { renderSynqlyProblem } from './errors.ts';

const request: RequestInfo = { method: 'POST', path: '/v1/members', query: {}, headers: {}, listener: 'synqly' };
const render = (err: ReturnType<typeof errors.badRequest>) => renderSynqlyProblem(err, request, '2026-01-01T00:00:00Z').body as Record<string, any>;

describe('Synqly Problems never echo a secret', () => {
  it('leaves out the value of a secret-bearing field, in context.parameter and in cause', () => {
    const body = render(
      errors.badRequest('invalid request body: /secret must NOT have fewer than 8 characters', {
        parameter: { id: '/secret', location: 'body', value: 'short' },
        issues: [
          { location: 'body', pointer: '/secret', message: 'must NOT have fewer than 8 characters', value: 'short' },
          { location: 'body', pointer: '/new_secret', message: 'must be string', value: 42 },
          { location: 'body', pointer: '/config/credential/username', message: 'must be string', value: 7 },
          { location: 'body', pointer: '/config/credential/type', message: 'must be one of "basic"', value: 'bogus' },
          { location: 'body', pointer: '/name', message: 'must be string', value: 5 },
        ],
      }),
    );
    expect(body.context.parameter).toEqual({ id: '/secret', location: 'body' });
    expect(body.cause.map((c: any) => c.context.parameter)).toEqual([
      { id: '/secret', location: 'body' },
      { id: '/new_secret', location: 'body' },
      { id: '/config/credential/username', location: 'body' },
      { id: '/config/credential/type', location: 'body', value: 'bogus' },
      { id: '/name', location: 'body', value: 5 },
    ]);
    expect(JSON.stringify(body)).not.toContain('short');
  });

  it('redacts secrets inside an echoed object, and secret query parameters', () => {
    const body = render(
      errors.badRequest('invalid request body: /config/type is required', {
        parameter: { id: '/config/type', location: 'body', value: { username: 'u', secret: 'hunter2-hunter2' } },
        issues: [{ location: 'query', pointer: 'api_key', message: 'must be string', value: 'k3y' }],
      }),
    );
    expect(body.context.parameter.value).toEqual({ username: 'u', secret: '[redacted]' });
    expect(body.cause[0].context.parameter).toEqual({ id: 'api_key', location: 'query' });
  });
});
