import { describe, expect, it } from 'vitest';
import { compareResponses, diffNormalized, normalize, pairByStep, reportJunit } from '../report/compare.ts';
import { compareRuns } from '../report/parity.ts';
import type { CheckRecord } from '../support/coverage.ts';

describe('comparison engine', () => {
  it('masks ids, timestamps and secrets; keeps other values in values mode only', () => {
    const body = { id: '3f0c1a52-9a43-4d0e-8f7e-2a3c5d6e7f80', created_at: '2026-01-01T00:00:00Z', secret: 'abc', name: 'x', n: 3, ok: true };
    expect(normalize(body, 'values')).toEqual({ created_at: '<date-time>', id: '<uuid>', n: '3', name: '"x"', ok: 'true', secret: '<secret>' });
    expect(normalize(body, 'shape')).toEqual({ created_at: '<date-time>', id: '<uuid>', n: '<number>', name: '<string>', ok: '<boolean>', secret: '<string>' });
    expect(normalize('<redacted:ab12cd>', 'shape')).toBe('<secret>');
  });

  it('names each difference by JSON Pointer: value, type, missing and extra fields, array lengths', () => {
    const a = normalize({ result: { name: 'a', tags: ['x'], gone: 1, 'a/b': 1 } }, 'values');
    const b = normalize({ result: { name: 'b', tags: ['x', 'y'], extra: true, 'a/b': '1' } }, 'values');
    expect(diffNormalized(a, b, 'values')).toEqual([
      { path: '/result/a~1b', a: '1', b: '"1"' },
      { path: '/result/gone', a: '1', b: '<absent>' },
      { path: '/result/name', a: '"a"', b: '"b"' },
      { path: '/result/tags', a: '1 item(s)', b: '2 item(s)' },
      { path: '/result/extra', a: '<absent>', b: 'true' },
    ]);
    // shape mode: counts and values do not matter, types do
    expect(diffNormalized(normalize({ t: [1] }, 'shape'), normalize({ t: [1, 2] }, 'shape'), 'shape')).toEqual([]);
    expect(diffNormalized(normalize({ t: [1] }, 'shape'), normalize({ t: ['1'] }, 'shape'), 'shape')).toEqual([{ path: '/t/*', a: '<number>', b: '<string>' }]);
  });

  it('a status difference is reported alone', () => {
    const d = compareResponses('s', 0, { operationId: 'op', status: 200, body: '<none>' }, { operationId: 'op', status: 503, body: { x: '1' } }, 'values');
    expect(d).toEqual({ scope: 's', operationId: 'op', step: 0, status: { a: 200, b: 503 }, fields: [] });
    expect(compareResponses('s', 0, { operationId: 'op', status: 200, body: '"1"' }, { operationId: 'op', status: 200, body: '"1"' }, 'values')).toBeUndefined();
  });

  it('pairs by scope, operation and step: an extra call on one side shifts nothing', () => {
    const a = [
      { scope: 't1', operationId: 'list' },
      { scope: 't1', operationId: 'create' },
      { scope: 't1', operationId: 'list' },
    ];
    const b = [{ scope: 't1', operationId: 'current' }, ...a];
    const p = pairByStep(a, b, (x) => x);
    expect(p.pairs.map((x) => [x.a, x.b === b[a.indexOf(x.a) + 1], x.step])).toEqual([
      [a[0], true, 0],
      [a[1], true, 0],
      [a[2], true, 1],
    ]);
    expect(p.onlyInA).toEqual([]);
    expect(p.onlyInB).toEqual([b[0]]);
  });

  it('parity: a live-only look-up at the start of a test is no difference', () => {
    const check = (operationId: string, seq: number, shape: CheckRecord['shape'], actual = 200): CheckRecord => ({ operationId, vendor: 'connxio', expected: 200, actual, passed: true, test: 'f > d > t', seq, shape });
    const a = [check('integrations_list', 0, { x: '<string>' }), check('integrations_get', 1, { y: '<number>' })];
    const b = [check('get_current_subscription', 0, { id: '<uuid>' }), check('integrations_list', 1, { x: '<string>' }), check('integrations_get', 2, { y: '<number>' })];
    const clean = compareRuns('a', a, 'b', b);
    expect(clean).toMatchObject({ compared: 2, onlyInA: 0, onlyInB: 1, differences: [] });
    b[2] = check('integrations_get', 2, { y: '<string>' });
    expect(compareRuns('a', a, 'b', b).differences).toEqual([{ scope: 'f > d > t', operationId: 'integrations_get', step: 0, fields: [{ path: '/y', a: '<number>', b: '<string>' }] }]);
  });

  it('writes JUnit with one failed case per difference', () => {
    const xml = reportJunit(
      { kind: 'verify', a: 'rec', b: 'twin', compared: 2, onlyInA: 0, onlyInB: 0, differences: [{ scope: 'r', operationId: 'b_op', step: 0, status: { a: 200, b: 404 }, fields: [] }] },
      [
        { scope: 'r', operationId: 'a_op', step: 0 },
        { scope: 'r', operationId: 'b_op', step: 0 },
      ],
    );
    expect(xml).toContain('tests="2" failures="1"');
    expect(xml).toMatch(/name="b_op \(call 1\)"><failure message="b_op differs">status: rec 200, twin 404<\/failure>/);
    expect(xml).toContain('<testcase classname="r" name="a_op (call 1)"/>');
  });
});
