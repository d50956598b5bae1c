import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerJson } from './kept-json.ts';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

describe('answerJson', () => {
  it('is JSON.stringify of the body, for any JSON body, frozen or not, answered once or again', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), fc.boolean(), (value, wrap, freeze) => {
        const inner = freeze ? deepFreeze(structuredClone(value)) : value;
        const body = wrap ? { result: inner } : inner;
        expect(answerJson(body)).toBe(JSON.stringify(body));
        expect(answerJson(wrap ? { result: inner } : inner)).toBe(JSON.stringify(body));
      }),
      { numRuns: 2000 },
    );
  });

  it('serialises again what can still change: a result not frozen, or frozen with a part that is not', () => {
    const open = { id: 'a', labels: ['x'] };
    expect(answerJson({ result: open })).toBe('{"result":{"id":"a","labels":["x"]}}');
    open.labels.push('y');
    expect(answerJson({ result: open })).toBe('{"result":{"id":"a","labels":["x","y"]}}');
    const labels = ['x'];
    const shallow = Object.freeze({ id: 'b', labels });
    expect(answerJson({ result: shallow })).toBe('{"result":{"id":"b","labels":["x"]}}');
    labels.push('y');
    expect(answerJson({ result: shallow })).toBe('{"result":{"id":"b","labels":["x","y"]}}');
    let n = 0;
    const getter = Object.freeze(Object.defineProperty({}, 'n', { get: () => ++n, enumerable: true }));
    expect(answerJson({ result: getter })).toBe('{"result":{"n":1}}');
    expect(answerJson({ result: getter })).toBe('{"result":{"n":2}}');
  });

  it('keeps the envelope as sent: siblings, other keys, undefined results', () => {
    const record = deepFreeze({ id: 'r', name: 'n' });
    expect(answerJson({ result: record, total: 1 })).toBe('{"result":{"id":"r","name":"n"},"total":1}');
    expect(answerJson({ data: record })).toBe('{"data":{"id":"r","name":"n"}}');
    expect(answerJson({ result: undefined })).toBe('{}');
    expect(answerJson({ result: null })).toBe('{"result":null}');
    expect(answerJson({ result: [record] })).toBe('{"result":[{"id":"r","name":"n"}]}');
  });
});
