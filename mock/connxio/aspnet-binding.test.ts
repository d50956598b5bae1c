import { describe, expect, it } from 'vitest';
import type { OperationSpec } from '../core/spec.ts';
import { bindAspNetQuery } from './aspnet-binding.ts';

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
