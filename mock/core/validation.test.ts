import { describe, expect, it } from 'vitest';
import { ApiError, type ApiErrorDetails, type ValidationIssue } from './errors.ts';
import type { JsonSchema, OperationSpec } from './spec.ts';
import { createValidator, type RequestInput } from './validation.ts';

/** request validation: which error is reported first, and how its place is named */

const object = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({ type: 'object', properties, required });
const kind = (value: string): JsonSchema => ({ type: 'string', enum: [value] });

const basic = object({ type: kind('basic'), username: { type: 'string' }, secret: { type: 'string' } }, ['type', 'username', 'secret']);
const token = object({ type: kind('token'), secret: { type: 'string' } }, ['type', 'secret']);
const aws = object({ type: kind('aws'), access_key_id: { type: 'string' }, secret_access_key: { type: 'string' } }, ['type', 'access_key_id', 'secret_access_key']);

function op(body: JsonSchema, parameters: OperationSpec['parameters'] = []): OperationSpec {
  return {
    operationId: 'probe',
    method: 'POST',
    path: '/probe',
    tags: [],
    parameters,
    requestBody: { required: false, content: { 'application/json': { schema: body } } },
    responses: { '200': {} },
    security: [],
    extensions: {},
  };
}

function refusal(operation: OperationSpec, input: Partial<RequestInput>): ApiError & { details: Required<Pick<ApiErrorDetails, 'parameter' | 'issues'>> } {
  const validator = createValidator();
  try {
    validator.validateRequest(operation, { params: {}, query: {}, headers: {}, body: undefined, hasBody: input.body !== undefined, ...input });
  } catch (err) {
    if (err instanceof ApiError) return err as never;
    throw err;
  }
  throw new Error('the request was accepted');
}

describe('discriminated unions', () => {
  // as in the Synqly spec's CredentialConfig: oneOf with an OpenAPI discriminator (refs dereferenced)
  const declared = op(object({ name: { type: 'string' }, config: { oneOf: [aws, token, basic], discriminator: { propertyName: 'type' } } }));
  // as McpTokenScope: no discriminator keyword, a `type` every branch requires as its own constant
  const inferred = op(object({ scope: { oneOf: [object({ type: kind('management'), account_id: { type: 'string' } }, ['type']), object({ type: kind('developer'), account_id: { type: 'string' } }, ['type', 'account_id'])] } }));

  it('reports the errors of the branch the discriminator selects', () => {
    const err = refusal(declared, { body: { name: 'c3', config: { type: 'basic', username: 'u' } } });
    expect(err.message).toBe('invalid request body: /config/secret is required');
    expect(err.details.parameter).toEqual({ id: '/config/secret', location: 'body', value: undefined });
    expect(err.details.issues.map((i) => `${i.pointer} ${i.message}`)).toEqual(['/config/secret is required']);
    const wrongType = refusal(declared, { body: { config: { type: 'token', secret: 7 } } });
    expect(wrongType.details.issues.map((i) => `${i.pointer} ${i.message}`)).toEqual(['/config/secret must be string']);
    expect(wrongType.details.parameter.value).toBe(7);
  });

  it('infers the discriminator when the schema does not declare one', () => {
    expect(refusal(inferred, { body: { scope: { type: 'developer' } } }).details.issues.map((i) => i.pointer)).toEqual(['/scope/account_id']);
  });

  it('an unknown or missing discriminator is one error about that property', () => {
    const unknown = refusal(declared, { body: { config: { type: 'carrier_pigeon', username: 'u' } } });
    const withoutRule = (issues: ValidationIssue[]) => issues.map(({ rule: _rule, ...issue }) => issue);
    expect(withoutRule(unknown.details.issues)).toEqual([{ location: 'body', pointer: '/config/type', message: 'must be one of "aws", "token", "basic"', value: 'carrier_pigeon' }]);
    // the rule behind each issue, for renderers that word issues their own way
    expect(unknown.details.issues[0]!.rule).toMatchObject({ keyword: 'enum', params: { allowedValues: ['aws', 'token', 'basic'] }, dataKind: 'string' });
    const missing = refusal(inferred, { body: { scope: { account_id: 'a' } } });
    expect(withoutRule(missing.details.issues)).toEqual([{ location: 'body', pointer: '/scope/type', message: 'is required', value: undefined }]);
    expect(missing.details.issues[0]!.rule).toMatchObject({ keyword: 'required', params: { missingProperty: 'type' } });
  });

  it('keeps errors outside the union, in order, and tells array items apart', () => {
    const list = op(object({ name: { type: 'string' }, configs: { type: 'array', items: { oneOf: [token, basic], discriminator: { propertyName: 'type' } } } }));
    const err = refusal(list, { body: { name: 5, configs: [{ type: 'basic', username: 'u', secret: 's' }, { type: 'token' }, { type: 'basic' }] } });
    expect(err.details.issues.map((i) => `${i.pointer} ${i.message}`)).toEqual([
      '/name must be string',
      '/configs/1/secret is required',
      '/configs/2/username is required',
      '/configs/2/secret is required',
    ]);
  });

  it('a valid body passes, and a union without a discriminator is reported as ajv gives it', () => {
    const validator = createValidator();
    expect(validator.validateRequest(declared, { params: {}, query: {}, headers: {}, body: { config: { type: 'token', secret: 's' } }, hasBody: true }).body).toBeDefined();
    const plain = op(object({ value: { oneOf: [{ type: 'string' }, object({ code: { type: 'integer' } }, ['code'])] } }));
    const err = refusal(plain, { body: { value: {} } });
    expect(err.details.issues.map((i) => `${i.pointer} ${i.message}`)).toEqual(['/value must be string', '/value/code is required', '/value must match exactly one schema in oneOf']);
  });
});

describe('parameters and the whole body', () => {
  const listing = op({ type: 'array' }, [
    { name: 'expand', in: 'query', required: false, schema: { type: 'array', items: { type: 'string', enum: ['account', 'all'] } } },
    { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } },
    { name: 'X-Trace', in: 'header', required: true, schema: { type: 'string' } },
  ]);
  const headers = { 'x-trace': 't' };

  it('names a query parameter, never a pointer into it, and gives its value', () => {
    const err = refusal(listing, { query: { expand: ['account', 'bogus'] }, headers });
    expect(err.message).toBe('invalid query parameter: expand must be one of "account", "all"');
    expect(err.details.parameter).toEqual({ id: 'expand', location: 'query', value: 'bogus' });
    expect(refusal(listing, { query: { limit: '0' }, headers }).details.parameter).toEqual({ id: 'limit', location: 'query', value: 0 });
    expect(refusal(listing, { query: {} }).details.parameter).toEqual({ id: 'x-trace', location: 'header', value: undefined });
  });

  it("points at the whole body with '' (RFC 6901)", () => {
    const err = refusal(listing, { body: { op: 'replace' }, headers });
    expect(err.details.parameter).toEqual({ id: '', location: 'body', value: undefined });
    expect(err.message).toBe('invalid request body: body must be array');
  });
});
