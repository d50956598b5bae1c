import { describe, expect, it } from 'vitest';
import { compileSpec, loadSpec, packGraph, specPath, unpackGraph } from './spec.ts';

describe('spec › packed graphs', () => {
  it('stores a shared subtree once and restores the sharing', () => {
    const shared = { type: 'object', properties: { id: { type: 'string' } } };
    const root = { a: shared, b: [shared, { c: shared }], d: { e: 1, f: [1, 2] } };
    const packed = JSON.parse(JSON.stringify(packGraph(root)));
    expect(packed.shared).toHaveLength(1);
    const back = unpackGraph(packed) as typeof root & { b: [typeof shared, { c: typeof shared }] };
    expect(back).toEqual(root);
    expect(back.b[0]).toBe(back.a);
    expect(back.b[1].c).toBe(back.a);
  });

  it('leaves a plain (older build) copy as it is', () => {
    const plain = { paths: { '/x': { get: { operationId: 'x' } } } };
    expect(unpackGraph(plain)).toBe(plain);
  });

  it('the compiled Synqly spec is a fraction of its expanded size and yields the same operations', async () => {
    const file = specPath('synqly-management.yaml');
    const { resolved } = await compileSpec(file);
    const packedBytes = JSON.stringify(resolved).length;
    const expandedBytes = JSON.stringify(unpackGraph(JSON.parse(JSON.stringify(resolved)))).length;
    expect(packedBytes * 4).toBeLessThan(expandedBytes);
    const spec = await loadSpec(file);
    expect(spec.operations.length).toBeGreaterThan(90);
    expect(spec.byId.get('accounts_create')?.requestBody?.content['application/json']?.schema).toBeTypeOf('object');
  });
});
