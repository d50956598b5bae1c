import { describe, expect, it } from 'vitest';
import { ApiError, errors } from '../core/errors.ts';
import { createRandom } from '../core/random.ts';
import { MISSING_BODY_MESSAGE, renderConnxioProblem, VALIDATION_TITLE } from './errors.ts';

const request = { method: 'POST', path: '/v2/integrations', query: {}, headers: {}, listener: 'connxio', operationId: 'create_integration' };
const render = (err: ApiError) => renderConnxioProblem(err, request, createRandom('errors')).body as Record<string, unknown>;

describe('renderConnxioProblem › model-state errors as ASP.NET writes them', () => {
  it('a body the pipeline could not read: ValidationProblemDetails under "$", by its marker, whatever the message says', () => {
    const body = render(errors.badRequest('anything at all', { parameter: { id: '', location: 'body' }, extra: { unreadableBody: "Expected ',' or '}' after property value in JSON at position 5" } }));
    expect(body).toMatchObject({ title: VALIDATION_TITLE, status: 400, errors: { $: ["Expected ',' or '}' after property value in JSON at position 5"] } });
    // without the marker the same error is a plain 400
    expect(render(errors.badRequest('anything at all', { parameter: { id: '', location: 'body' } }))).toMatchObject({ title: 'Bad Request', detail: 'anything at all' });
  });

  it('a required body not sent: {"": ["A non-empty request body is required."]}, beside other issues', () => {
    const err = errors.badRequest('invalid request body: a request body is required', {
      issues: [
        { location: 'query', pointer: 'ConfigCorrelationId', message: 'is required' },
        { location: 'body', pointer: '', message: 'a request body is required' },
      ],
      extra: { missingBody: true },
    });
    const body = render(err);
    expect(body.title).toBe(VALIDATION_TITLE);
    expect(body.errors).toEqual({ ConfigCorrelationId: ['The ConfigCorrelationId field is required.'], '': [MISSING_BODY_MESSAGE] });
    expect(body).not.toHaveProperty('detail');
  });

  it('schema issues keep their field names; business rules keep their errors and the detail', () => {
    expect(render(new ApiError('bad_request', 'x', { issues: [{ location: 'body', pointer: '/subIntegrations/0/subIntegrationId', message: 'is required' }] })).errors).toEqual({
      'SubIntegrations[0].SubIntegrationId': ['The SubIntegrationId field is required.'],
    });
    expect(render(new ApiError('bad_request', 'Rule broken.', { extra: { errors: { Id: ['in use'] } } }))).toMatchObject({ title: VALIDATION_TITLE, detail: 'Rule broken.', errors: { Id: ['in use'] } });
  });
});
