import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ApiError } from '../core/errors.ts';
import { listFrom, listRecords } from './lists.ts';

const fields = ['id', 'name', 'environment', 'labels', 'created_at', 'size'] as const;
const rows = [
  { id: '3', name: 'gamma', environment: 'prod', labels: ['a', 'b'], created_at: '2026-01-03T00:00:00Z', size: 30 },
  { id: '1', name: 'alpha', environment: 'test', labels: ['b'], created_at: '2026-01-01T00:00:00Z', size: 5 },
  { id: '2', name: 'Beta', environment: 'prod', labels: [], created_at: '2026-01-02T00:00:00Z', size: 100 },
];
const names = (q: Parameters<typeof listRecords>[1]) => listRecords(rows, q, { fields }).items.map((r) => r.name);

describe('lists › filter', () => {
  it('supports every operator of DECISIONS', () => {
    expect(names({ filter: 'environment[eq]prod' })).toEqual(['Beta', 'gamma']);
    expect(names({ filter: 'environment[ne]prod' })).toEqual(['alpha']);
    expect(names({ filter: 'environment[neq]prod' })).toEqual(['alpha']);
    expect(names({ filter: 'size[gt]5' })).toEqual(['Beta', 'gamma']);
    expect(names({ filter: 'size[gte]30' })).toEqual(['Beta', 'gamma']);
    expect(names({ filter: 'size[lt]30' })).toEqual(['alpha']);
    expect(names({ filter: 'size[lte]30' })).toEqual(['alpha', 'gamma']);
    expect(names({ filter: 'name[in]alpha,gamma' })).toEqual(['alpha', 'gamma']);
    expect(names({ filter: 'name[not in]alpha,gamma' })).toEqual(['Beta']);
    expect(names({ filter: 'name[like]%ta' })).toEqual(['Beta']);
    expect(names({ filter: 'name[like]BE*' })).toEqual(['Beta']);
    expect(names({ filter: 'name[not like]%a' })).toEqual([]);
    expect(names({ filter: 'created_at[gte]2026-01-02T00:00:00Z' })).toEqual(['Beta', 'gamma']);
    expect(names({ filter: 'labels[eq]b' })).toEqual(['alpha', 'gamma']);
  });

  it('ANDs repeated filters', () => {
    expect(names({ filter: ['environment[eq]prod', 'size[lt]50'] })).toEqual(['gamma']);
  });

  it('refuses unknown fields, unknown operators and malformed filters with 400', () => {
    for (const filter of ['colour[eq]red', 'name[approx]x', 'name=x', '[eq]x']) {
      const err = (() => {
        try {
          names({ filter });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
    }
  });
});

describe('lists › order and paging', () => {
  it('orders by name ascending by default, by several keys on request', () => {
    expect(names({})).toEqual(['Beta', 'alpha', 'gamma']);
    expect(names({ order: 'size[desc]' })).toEqual(['Beta', 'gamma', 'alpha']);
    expect(names({ order: ['environment', 'size[desc]'] })).toEqual(['Beta', 'gamma', 'alpha']);
  });

  it('pages with start_after on the first sort key, in both directions', () => {
    expect(names({ limit: 1 })).toEqual(['Beta']);
    expect(names({ limit: 1, start_after: 'Beta' })).toEqual(['alpha']);
    expect(names({ order: 'size[desc]', start_after: '30' })).toEqual(['alpha']);
  });

  it('clamps limit to 500, refuses below 1, and counts total only on request', () => {
    const many = Array.from({ length: 700 }, (_, i) => ({ id: String(i), name: `n${String(i).padStart(4, '0')}` }));
    const page = listRecords(many, { limit: 10_000, total: true }, { fields: ['id', 'name'] });
    expect(page.items).toHaveLength(500);
    expect(page.total).toBe(700);
    expect(listRecords(many, {}, { fields: ['id', 'name'] }).total).toBeUndefined();
    expect(() => listRecords(many, { limit: 0 }, { fields: ['id', 'name'] })).toThrow(ApiError);
  });
});

describe('lists › paging without a full sort', () => {
  /** the plain definition: filter, stable sort of everything, start_after, slice */
  function reference(records: Array<Record<string, unknown>>, q: { limit: number; order?: string[]; start_after?: string }) {
    const keys = (q.order ?? ['name']).map((o) => ({ field: o.replace(/\[.*$/, ''), desc: o.endsWith('[desc]') }));
    if (!keys.some((k) => k.field === 'id')) keys.push({ field: 'id', desc: false });
    const cmp = (a: unknown, b: unknown) => (a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1);
    const sorted = [...records].sort((a, b) => {
      for (const k of keys) {
        const c = cmp(a[k.field], b[k.field]);
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    });
    const first = keys[0]!;
    const after = q.start_after === undefined ? sorted : sorted.filter((r) => {
      const v = r[first.field];
      const c = typeof v === 'number' ? v - Number(q.start_after) : cmp(String(v ?? ''), q.start_after);
      return first.desc ? c < 0 : c > 0;
    });
    return after.slice(0, q.limit);
  }

  it('gives the page a full stable sort gives, for any records, order, limit and cursor', () => {
    const row = fc.record({ id: fc.constantFrom('1', '2', '3', '4', '5', '6'), name: fc.constantFrom('a', 'b', 'B', 'c'), size: fc.integer({ min: 0, max: 5 }) });
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.option(fc.array(fc.constantFrom('name', 'name[desc]', 'size', 'size[desc]', 'id[desc]'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
        fc.option(fc.constantFrom('a', 'b', '2', '3'), { nil: undefined }),
        (records, limit, order, startAfter) => {
          const q = { limit, ...(order ? { order } : {}), ...(startAfter !== undefined ? { start_after: startAfter } : {}) };
          const got = listRecords(records, q, { fields: ['id', 'name', 'size'] }).items;
          expect(got).toEqual(reference(records, q));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('lists › from a store collection (index and kept order)', () => {
  const envs = ['prod', 'test', 'PROD', 'dev'];
  const record = fc.record({
    id: fc.constantFrom(...Array.from({ length: 30 }, (_, i) => `r${i}`)),
    name: fc.constantFrom('alpha', 'Beta', 'gamma', 'delta', 'alpha', 'zeta'),
    environment: fc.constantFrom(...envs),
    size: fc.integer({ min: 0, max: 5 }),
  });
  const step = fc.oneof(
    record.map((r) => ({ put: r })),
    fc.constantFrom(...Array.from({ length: 30 }, (_, i) => `r${i}`)).map((id) => ({ del: id })),
  );
  const query = fc.record(
    {
      filter: fc.constantFrom('environment[eq]prod', 'environment[in]prod,dev', 'name[eq]alpha', 'size[gte]2', 'environment[ne]test'),
      order: fc.constantFrom('name', 'size[desc]', 'environment', 'id[desc]'),
      limit: fc.integer({ min: 1, max: 12 }),
      start_after: fc.constantFrom('alpha', 'Beta', 'gamma', '2'),
      total: fc.boolean(),
    },
    { requiredKeys: ['limit'] },
  );

  it('pages exactly as sorting the whole collection would, through puts and deletes', async () => {
    const { Store } = await import('../core/store/store.ts');
    const { collection } = await import('../core/store/collection.ts');
    type Row = { id: string; name: string; environment: string; size: number };
    const opts = { fields: ['id', 'name', 'environment', 'size'] as const, indexed: ['id', 'name', 'environment'] as const };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { maxLength: 12 }), fc.array(query, { minLength: 1, maxLength: 4 }), async (batches, queries) => {
        const store = await Store.open();
        const coll = collection<Row>(store.reader, 'rows');
        for (const batch of batches) {
          await store.transact((tx) => {
            for (const s of batch) {
              if ('put' in s) tx.put('rows', s.put.id, { ...s.put });
              else tx.del('rows', s.del);
            }
          });
          for (const q of queries) {
            const visible = (r: Row) => r.size !== 3;
            const expected = listRecords(coll.all().filter(visible), q, opts);
            const actual = listFrom(coll, q, { ...opts, visible });
            expect(actual).toEqual(expected);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
