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

describe('renderConnxioProblem › schema issues in ASP.NET\'s words (DataAnnotations, System.Text.Json, model binding)', async () => {
  const { loadSpec, specPath } = await import('../core/spec.ts');
  const { createValidator } = await import('../core/validation.ts');
  const { integrationRequest } = await import('./model-testing.ts');
  const spec = await loadSpec(specPath('connxio.yaml'));
  const validator = createValidator();
  const SUBSCRIPTION = '0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a';
  /** the model-state errors of a request the spec refuses, rendered for a JSON (or the given) content type */
  const errorsOf = (operationId: string, input: { body?: unknown; query?: Record<string, unknown>; params?: Record<string, string> }, contentType = 'application/json') => {
    const op = spec.byId.get(operationId)!;
    let err: unknown;
    try {
      validator.validateRequest(op, { params: input.params ?? {}, query: input.query ?? {}, headers: {}, body: input.body, hasBody: input.body !== undefined });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    const req = { ...request, operationId, headers: { 'content-type': contentType } };
    return (renderConnxioProblem(err as ApiError, req, createRandom('errors')).body as { errors: Record<string, string[]> }).errors;
  };
  const integration = (overrides: Record<string, unknown>) => ({ ...integrationRequest(SUBSCRIPTION), ...overrides });
  const component = { id: 'c1', name: 'Mapper', version: '1.0.0', type: 'Map', mappingDll: 'SGVsbG8=' };

  it('[Required], and a required string sent empty (Swashbuckle writes [Required] as minLength: 1)', () => {
    expect(errorsOf('create_integration', { body: integration({ sender: undefined, transactionType: '' }) })).toEqual({
      TransactionType: ['The TransactionType field is required.'],
      Sender: ['The Sender field is required.'],
    });
  });

  it('[MinLength] on an array, [RegularExpression] on a body field and on a query parameter', () => {
    expect(errorsOf('create_integration', { body: integration({ subIntegrations: [] }) })).toEqual({
      SubIntegrations: ["The field SubIntegrations must be a string or array type with a minimum length of '1'."],
    });
    expect(errorsOf('upload_code_component', { body: { ...component, name: 'bad/name' } })).toEqual({
      Name: ["The field Name must match the regular expression '^[A-Za-z0-9 \\-]+$'."],
    });
    expect(errorsOf('rename_code_component', { params: { id: 'c1' }, query: { name: 'no/slashes' } })).toEqual({
      name: ["The field name must match the regular expression '^[A-Za-z0-9 \\-]+$'."],
    });
  });

  it('an empty string where [Required] and [RegularExpression] both sit: only [Required] speaks (the regular expression holds "" valid)', () => {
    expect(errorsOf('upload_code_component', { body: { ...component, name: '', version: '' } })).toEqual({
      Name: ['The Name field is required.'],
      Version: ['The Version field is required.'],
    });
  });

  it('a value System.Text.Json cannot convert: keyed by its JSON path, the only error (no DataAnnotations run)', () => {
    expect(errorsOf('create_integration', { body: integration({ configCorrelationId: 'not-a-guid', transactionType: '' }) })).toEqual({
      '$.configCorrelationId': ['The JSON value could not be converted to System.Nullable`1[System.Guid]. Path: $.configCorrelationId | LineNumber: 0 | BytePositionInLine: 0.'],
    });
    expect(errorsOf('create_integration', { body: integration({ subscriptionId: 'x' }) })).toEqual({
      '$.subscriptionId': ['The JSON value could not be converted to System.Guid. Path: $.subscriptionId | LineNumber: 0 | BytePositionInLine: 0.'],
    });
    const sub = integration({}).subIntegrations as Array<Record<string, unknown>>;
    expect(errorsOf('create_integration', { body: integration({ subIntegrations: [{ ...sub[0], subIntegrationId: 'nope' }] }) })).toEqual({
      '$.subIntegrations[0].subIntegrationId': ['The JSON value could not be converted to System.Guid. Path: $.subIntegrations[0].subIntegrationId | LineNumber: 0 | BytePositionInLine: 0.'],
    });
    expect(errorsOf('upload_code_component', { body: { ...component, mappingDll: 'not base64!' } })).toEqual({
      '$.mappingDll': ['The JSON value could not be converted to System.Byte[]. Path: $.mappingDll | LineNumber: 0 | BytePositionInLine: 0.'],
    });
    expect(errorsOf('create_environment_variable', { body: { name: 'x', defaultValue: 42 } })).toEqual({
      '$.defaultValue': ['The JSON value could not be converted to System.String. Path: $.defaultValue | LineNumber: 0 | BytePositionInLine: 0.'],
    });
    expect(errorsOf('create_integration', { body: integration({ enabled: 'yes' }) })).toEqual({
      '$.enabled': ['The JSON value could not be converted to System.Boolean. Path: $.enabled | LineNumber: 0 | BytePositionInLine: 0.'],
    });
    expect(Object.keys(errorsOf('create_environment_variable', { body: { name: 'x', subscriptionValues: { 'a.b': 1 } } }))).toEqual(["$.subscriptionValues['a.b']"]);
    // query parameters are bound on their own: their errors stay beside the body's conversion error
    const both = render(
      new ApiError('bad_request', 'x', {
        issues: [
          { location: 'query', pointer: 'ConfigCorrelationId', message: 'is required', rule: { keyword: 'required', params: { missingProperty: 'ConfigCorrelationId' } } },
          { location: 'body', pointer: '/0/messageBody', message: 'must be string', value: 5, rule: { keyword: 'type', params: { type: 'string' }, schema: { type: 'string', format: 'byte' }, dataKind: 'number' } },
          { location: 'body', pointer: '/1/messageBody', message: 'is required', rule: { keyword: 'required', params: { missingProperty: 'messageBody' } } },
        ],
      }),
    );
    expect(both.errors).toEqual({
      '$[0].messageBody': ['The JSON value could not be converted to System.Byte[]. Path: $[0].messageBody | LineNumber: 0 | BytePositionInLine: 0.'],
      ConfigCorrelationId: ['The ConfigCorrelationId field is required.'],
    });
  });

  it('null for a reference-type property is [Required]\'s; for a value type a failed conversion', () => {
    expect(errorsOf('create_integration', { body: integration({ sender: null }) })).toEqual({ Sender: ['The Sender field is required.'] });
    expect(errorsOf('create_integration', { body: integration({ subscriptionId: null }) })).toEqual({
      '$.subscriptionId': ['The JSON value could not be converted to System.Guid. Path: $.subscriptionId | LineNumber: 0 | BytePositionInLine: 0.'],
    });
  });

  it('an enum value out of range, a query value of the wrong type: model binding\'s "is not valid for"', () => {
    expect(errorsOf('create_security_config', { body: { id: 'x', name: 'X', isGlobal: true, securityType: 9, globalSecurityProperties: {} } })).toEqual({
      SecurityType: ["The value '9' is not valid for SecurityType."],
    });
    expect(errorsOf('get_integration', { params: { id: 'x' }, query: { replaceVariables: 'maybe' } })).toEqual({
      replaceVariables: ["The value 'maybe' is not valid for replaceVariables."],
    });
  });

  it('[Range] for minimum/maximum, the open side being the type\'s limit', () => {
    const issue = (keyword: string, limit: number, schema: Record<string, unknown>) => ({
      location: 'body' as const,
      pointer: '/retryOptions/numberOfRetries',
      message: `must be >= ${limit}`,
      value: -1,
      rule: { keyword, params: { comparison: '>=', limit }, schema },
    });
    expect(render(new ApiError('bad_request', 'x', { issues: [issue('minimum', 0, { type: 'integer', format: 'int32', minimum: 0 })] })).errors).toEqual({
      'RetryOptions.NumberOfRetries': ['The field NumberOfRetries must be between 0 and 2147483647.'],
    });
    expect(render(new ApiError('bad_request', 'x', { issues: [issue('maximum', 10, { type: 'integer', minimum: 1, maximum: 10 })] })).errors).toEqual({
      'RetryOptions.NumberOfRetries': ['The field NumberOfRetries must be between 1 and 10.'],
    });
  });

  it('an XML body is not read by System.Text.Json: its issues keep the model-state field names', () => {
    const errors = errorsOf('send_message_batch', { params: { integrationId: SUBSCRIPTION }, body: [{ messageBody: 'not base64!' }] }, 'application/xml');
    expect(errors).toEqual({ '[0].MessageBody': ["The value 'not base64!' is not valid for MessageBody."] });
  });
});
