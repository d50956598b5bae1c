import { errors } from '../core/errors.ts';

/**
 * Synqly list semantics (contract §1.6 and DECISIONS): `filter` (repeatable, ANDed,
 * `field[op]value`), `order` (repeatable, `field[asc|desc]`), keyset paging with `start_after`
 * on the first sort key, `limit` (default 100, clamped to 500) and `total` on request.
 */

export interface ListQuery {
  limit?: number;
  start_after?: string;
  order?: string | string[];
  filter?: string | string[];
  total?: boolean;
}

export interface ListOptions {
  /** fields that may be filtered and ordered on */
  fields: readonly string[];
  /** sort key(s) when the caller gives none */
  defaultOrder?: readonly string[];
}

export interface ListPage<T> {
  items: T[];
  total?: number;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;

type Operator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'like' | 'not in' | 'not like';
const OPERATORS: Record<string, Operator> = {
  eq: 'eq',
  ne: 'ne',
  neq: 'ne',
  gt: 'gt',
  gte: 'gte',
  lt: 'lt',
  lte: 'lte',
  in: 'in',
  like: 'like',
  'not in': 'not in',
  not_in: 'not in',
  nin: 'not in',
  'not like': 'not like',
  not_like: 'not like',
};

interface Filter {
  field: string;
  op: Operator;
  value: string;
}

interface SortKey {
  field: string;
  desc: boolean;
}

const asArray = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function parseFilter(text: string, fields: readonly string[]): Filter {
  const m = /^([A-Za-z0-9_.]+)\[([A-Za-z_ ]+)\](.*)$/s.exec(text);
  if (!m) {
    throw errors.badRequest(`filter ${JSON.stringify(text)} is malformed; write field[operator]value, e.g. name[eq]acme`, {
      parameter: { id: 'filter', location: 'query', value: text },
    });
  }
  const [, field = '', rawOp = '', value = ''] = m; // the pattern's three groups always take part in a match
  const op = OPERATORS[rawOp.toLowerCase()];
  if (!op) {
    throw errors.badRequest(`filter operator ${JSON.stringify(rawOp)} is unknown; use one of ${Object.keys(OPERATORS).join(', ')}`, {
      parameter: { id: 'filter', location: 'query', value: text },
    });
  }
  if (!fields.includes(field)) {
    throw errors.badRequest(`filter field ${JSON.stringify(field)} is unknown; filterable fields: ${fields.join(', ')}`, {
      parameter: { id: 'filter', location: 'query', value: text },
    });
  }
  return { field, op, value };
}

export function parseOrder(text: string, fields: readonly string[]): SortKey {
  const m = /^([A-Za-z0-9_.]+)(?:\[(asc|desc)\])?$/i.exec(text);
  if (!m) {
    throw errors.badRequest(`order ${JSON.stringify(text)} is malformed; write field, field[asc] or field[desc]`, {
      parameter: { id: 'order', location: 'query', value: text },
    });
  }
  const field = m[1]!;
  if (!fields.includes(field)) {
    throw errors.badRequest(`order field ${JSON.stringify(field)} is unknown; sortable fields: ${fields.join(', ')}`, {
      parameter: { id: 'order', location: 'query', value: text },
    });
  }
  return { field, desc: m[2]?.toLowerCase() === 'desc' };
}

function fieldValue(record: Record<string, unknown>, field: string): unknown {
  if (!field.includes('.')) return record[field];
  let cur: unknown = record;
  for (const part of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Reflect.get(cur, part);
  }
  return cur;
}

function likeRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/[%*]/g, '.*');
  return new RegExp(`^${escaped}$`, 'is');
}

/**
 * Names the order `compare` and `fieldValue` define, in the keys of the orders the store keeps:
 * the store saves those orders with its snapshots and uses them after a restart, so a change to
 * how values compare must come with a new version here (lists.test.ts pins the order).
 */
export const ORDER_VERSION = 'o1';

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** compares a stored value with a filter's text, reading the text as the stored value's type */
function compareWithText(stored: unknown, text: string): number {
  if (typeof stored === 'number') return stored - Number(text);
  if (typeof stored === 'boolean') return Number(stored) - Number(text === 'true');
  if (typeof stored === 'string' && /^\d{4}-\d\d-\d\dT/.test(stored) && !Number.isNaN(Date.parse(text))) {
    return Date.parse(stored) - Date.parse(text);
  }
  return compare(String(stored ?? ''), text);
}

function matches(record: Record<string, unknown>, f: Filter): boolean {
  const stored = fieldValue(record, f.field);
  const values = Array.isArray(stored) ? stored : [stored];
  const any = (pred: (v: unknown) => boolean) => values.some(pred);
  switch (f.op) {
    case 'eq':
      return any((v) => compareWithText(v, f.value) === 0 && v !== undefined);
    case 'ne':
      return !any((v) => compareWithText(v, f.value) === 0 && v !== undefined);
    case 'gt':
      return any((v) => v !== undefined && compareWithText(v, f.value) > 0);
    case 'gte':
      return any((v) => v !== undefined && compareWithText(v, f.value) >= 0);
    case 'lt':
      return any((v) => v !== undefined && compareWithText(v, f.value) < 0);
    case 'lte':
      return any((v) => v !== undefined && compareWithText(v, f.value) <= 0);
    case 'in':
    case 'not in': {
      const set = f.value.split(',').map((s) => s.trim());
      const hit = any((v) => v !== undefined && set.some((s) => compareWithText(v, s) === 0));
      return f.op === 'in' ? hit : !hit;
    }
    case 'like':
    case 'not like': {
      const re = likeRegex(f.value);
      const hit = any((v) => v !== undefined && re.test(String(v)));
      return f.op === 'like' ? hit : !hit;
    }
  }
}

export function listRecords<T extends object>(records: readonly T[], query: ListQuery, options: ListOptions): ListPage<T> {
  return listFrom({ all: () => records }, query, options);
}

/**
 * Where a list reads its records: a plain array, or a store collection, which also answers
 * case-insensitive lookups by field (an index) and keeps records ready in a requested order.
 */
export interface ListSource<T> {
  all(): readonly T[];
  /** the records whose string `field` equals `value` ignoring case: a superset of the `eq` matches */
  findBy?(field: string, value: string): readonly T[];
  /** how many records findBy would return (cheaply) */
  countBy?(field: string, value: string): number;
  /** every record in `compare` order, kept ready under `key` */
  sorted?(key: string, compare: (a: T, b: T) => number): Iterable<T>;
}

export interface ListSourceOptions<T> extends ListOptions {
  /** fields whose values are always plain (non-date) strings: `eq`/`in` filters on them may use the source's index */
  indexed?: readonly string[];
  /** the records the caller may see; omitted = all (checked per record, only on records the page reaches) */
  visible?: (record: T) => boolean;
}

/**
 * A list page from a source. With an index it starts from the records an `eq`/`in` filter selects;
 * with a kept order it walks the records in that order and stops once the page is full (unless a
 * total is asked for): a list does not grow with the collection. Same results as sorting every
 * record: the first `limit` matches in order.
 */
export function listFrom<T extends object>(source: ListSource<T>, query: ListQuery, options: ListSourceOptions<T>): ListPage<T> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw errors.badRequest('limit must be an integer of at least 1', { parameter: { id: 'limit', location: 'query', value: limit } });
  }
  const filters = asArray(query.filter).map((f) => parseFilter(f, options.fields));
  const orderTexts = asArray(query.order);
  const sort = (orderTexts.length > 0 ? orderTexts : (options.defaultOrder ?? ['name'])).map((o) => parseOrder(o, options.fields));
  if (!sort.some((k) => k.field === 'id') && options.fields.includes('id')) sort.push({ field: 'id', desc: false });

  const getters = sort.map((key) => {
    const dotted = key.field.includes('.');
    return dotted ? (r: Record<string, unknown>) => fieldValue(r, key.field) : (r: Record<string, unknown>) => r[key.field];
  });
  const order = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    for (let i = 0; i < sort.length; i++) {
      const c = compare(getters[i]!(a), getters[i]!(b));
      if (c !== 0) return sort[i]!.desc ? -c : c;
    }
    return 0;
  };
  const paging = query.start_after !== undefined && query.start_after !== '';
  const first = sort[0]!;
  const afterStart = (r: Record<string, unknown>) => {
    const c = compareWithText(getters[0]!(r), query.start_after!);
    return first.desc ? c < 0 : c > 0;
  };
  // filters and sort keys read records by field name: the engine walks them as plain JSON records
  // and hands the page back as the T it was given (the casts below and in the walk)
  const visible = options.visible as ((r: Record<string, unknown>) => boolean) | undefined;
  const accepts = (r: Record<string, unknown>) => (filters.length === 0 || filters.every((f) => matches(r, f))) && (!visible || visible(r));
  const size = Math.min(limit, MAX_LIMIT);

  const candidates = indexedCandidates(source, filters, options.indexed);
  const sorted = source.sorted;
  // walking the kept order visits about size × n / matches records; the index hands over `matches`
  const walk = sorted && (!candidates || (!query.total && candidates.count * candidates.count > size * countHint(source)));
  if (walk) {
    const key = `${ORDER_VERSION}:${sort.map((k) => `${k.desc ? '-' : ''}${k.field}`).join(',')}`;
    // the list engine reads every record as a plain object; `order` compares them as such
    const rows = sorted.call(source, key, order as unknown as (a: T, b: T) => number) as unknown as Iterable<Record<string, unknown>>;
    const page: Array<Record<string, unknown>> = [];
    let matched = 0;
    for (const r of rows) {
      if (!accepts(r)) continue;
      matched++;
      if (paging && !afterStart(r)) continue;
      if (page.length < size) page.push(r);
      else if (!query.total) break;
    }
    const items = page as unknown as T[]; // the source's own records, read as plain objects above
    return query.total ? { items, total: matched } : { items };
  }

  // one pass: count the matches (for total), keep the page's best `size` in order; ties keep
  // their input order, as a stable sort of everything would (O(n log size), not O(n log n))
  const rows = (candidates ? candidates.records() : source.all()) as unknown as ReadonlyArray<Record<string, unknown>>;
  const page: Array<Record<string, unknown>> = [];
  let matched = 0;
  for (const r of rows) {
    if (!accepts(r)) continue;
    matched++;
    if (paging && !afterStart(r)) continue;
    if (page.length === size && order(r, page[size - 1]!) >= 0) continue;
    let lo = 0;
    let hi = page.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (order(r, page[mid]!) < 0) hi = mid;
      else lo = mid + 1;
    }
    page.splice(lo, 0, r);
    if (page.length > size) page.pop();
  }
  const items = page as unknown as T[]; // the source's own records, read as plain objects above
  return query.total ? { items, total: matched } : { items };
}

/** the number of records of the source (O(1) for a store collection) */
function countHint<T>(source: ListSource<T>): number {
  return (source as { count?: () => number }).count?.() ?? source.all().length; // a store collection has count(), a plain list does not
}

/**
 * The records the most selective `eq`/`in` filter on an indexed field selects (a superset of its
 * matches: the index ignores case; every filter is still checked), or undefined without one.
 */
function indexedCandidates<T>(source: ListSource<T>, filters: readonly Filter[], indexed: readonly string[] | undefined): { count: number; records: () => readonly T[] } | undefined {
  if (!source.findBy || !source.countBy || !indexed) return undefined;
  const findBy = source.findBy.bind(source);
  const countBy = source.countBy.bind(source);
  let best: { count: number; values: string[]; field: string } | undefined;
  for (const f of filters) {
    if ((f.op !== 'eq' && f.op !== 'in') || !indexed.includes(f.field)) continue;
    const values = f.op === 'eq' ? [f.value] : [...new Set(f.value.split(',').map((x) => x.trim()))];
    // a text that reads as a date may equal a date-like stored string written differently (compareWithText)
    if (values.some((v) => !Number.isNaN(Date.parse(v)))) continue;
    // an upper bound: two values of an `in` may select the same records (case-insensitive keys)
    const count = values.reduce((n, v) => n + countBy(f.field, v), 0);
    if (!best || count < best.count) best = { count, values, field: f.field };
  }
  if (!best) return undefined;
  const { values, field } = best;
  return {
    count: best.count,
    records: () => {
      if (values.length === 1) return findBy(field, values[0]!);
      const seen = new Set<T>();
      for (const v of values) for (const r of findBy(field, v)) seen.add(r);
      return [...seen];
    },
  };
}
