import { describe, expect, it } from 'vitest';
import type { OperationSpec } from '../core/spec.ts';
import { ApiError } from '../core/errors.ts';
import { aspNetMediaTypeFor, aspNetXmlBody, bindAspNetQuery } from './aspnet-binding.ts';

const op = {
  parameters: [
    { name: 'replaceVariables', in: 'query', schema: { type: 'boolean' } },
    { name: 'InterchangeId', in: 'query', schema: { type: 'string' } },
    { name: 'integrationId', in: 'path', schema: { type: 'string' } },
  ],
} as unknown as OperationSpec;

describe('bindAspNetQuery', () => {
  it('binds names ignoring case and booleans ignoring case; leaves undeclared names and other values alone', () => {
    expect(bindAspNetQuery({ ReplaceVariables: 'True', interchangeid: 'Ab-1', other: 'X' }, op)).toEqual({ replaceVariables: 'true', InterchangeId: 'Ab-1', other: 'X' });
    expect(bindAspNetQuery({ replaceVariables: 'yes' }, op)).toEqual({ replaceVariables: 'yes' });
    expect(bindAspNetQuery({ integrationid: 'p' }, op)).toEqual({ integrationid: 'p' });
  });

  it('merges one parameter sent under two spellings into a repeated value (validation then refuses it as for ?a=1&a=2)', () => {
    expect(bindAspNetQuery({ InterchangeId: 'a', interchangeId: 'b' }, op)).toEqual({ InterchangeId: ['a', 'b'] });
  });

  it('keeps __proto__ an own property', () => {
    const bound = bindAspNetQuery(JSON.parse('{"__proto__": "x"}'), op);
    expect(Object.getPrototypeOf(bound)).toBe(Object.prototype);
    expect(Object.hasOwn(bound, '__proto__')).toBe(true);
  });
});

/** an operation taking a JSON body and its DataContract XML form, and one (a messaging batch) whose XML its handler reads */
const bodySchema = { type: 'object', required: ['name'], properties: { name: { type: 'string' }, size: { type: 'integer' } } };
const xmlForm = { type: 'string', xml: { name: 'ThingRequest' } };
const management = {
  operationId: 'things_put',
  requestBody: { required: true, content: { 'application/json': { schema: bodySchema }, 'text/json': { schema: bodySchema }, 'application/xml': { schema: xmlForm }, 'text/xml': { schema: xmlForm }, 'application/*+xml': { schema: xmlForm } } },
} as unknown as OperationSpec; // only the members the media-type functions read
const messaging = {
  operationId: 'batch',
  requestBody: { required: true, content: { 'application/json': { schema: { type: 'array' } }, 'application/xml': { schema: { type: 'string' } } } },
} as unknown as OperationSpec; // the same

describe('aspNetMediaTypeFor', () => {
  it('maps text/json and +json to application/json, +xml to application/*+xml where declared, parameters and case ignored; others undefined (415)', () => {
    expect(aspNetMediaTypeFor('application/json-patch+json; x-api-version=2.0', management)).toBe('application/json');
    expect(aspNetMediaTypeFor('Application/XML; x-api-version=2.0', management)).toBe('application/xml');
    expect(aspNetMediaTypeFor('text/xml', management)).toBe('text/xml');
    expect(aspNetMediaTypeFor('application/vnd.connxio+xml; x-api-version=1.0', management)).toBe('application/*+xml');
    expect(aspNetMediaTypeFor('application/vnd.connxio+xml', messaging)).toBeUndefined();
    expect(aspNetMediaTypeFor('text/plain', management)).toBeUndefined();
  });
});

describe('aspNetXmlBody', () => {
  it('reads a declared DataContract form with the JSON schema and hands it on to be validated as application/json', () => {
    expect(aspNetXmlBody('<ThingRequest><Name>a</Name><Size>3</Size></ThingRequest>', 'application/*+xml', management)).toEqual({ body: { name: 'a', size: 3 }, mediaType: 'application/json' });
    expect(() => aspNetXmlBody('<OtherRequest/>', 'text/xml', management)).toThrow(ApiError);
  });

  it('leaves JSON bodies and XML forms that name no root (read by their handlers) as parsed', () => {
    expect(aspNetXmlBody({ name: 'a' }, 'application/json', management)).toBeUndefined();
    expect(aspNetXmlBody('<ArrayOfMessageBodyRequest/>', 'application/xml', messaging)).toBeUndefined();
  });
});
