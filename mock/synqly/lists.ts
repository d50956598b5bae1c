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
  const [, field, rawOp, value] = m as unknown as [string, string, string, string];
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
  let cur: unknown = record;
  for (const part of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function likeRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/[%*]/g, '.*');
  return new RegExp(`^${escaped}$`, 'is');
}

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
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw errors.badRequest('limit must be an integer of at least 1', { parameter: { id: 'limit', location: 'query', value: limit } });
  }
  const filters = asArray(query.filter).map((f) => parseFilter(f, options.fields));
  const orderTexts = asArray(query.order);
  const sort = (orderTexts.length > 0 ? orderTexts : (options.defaultOrder ?? ['name'])).map((o) => parseOrder(o, options.fields));
  if (!sort.some((k) => k.field === 'id') && options.fields.includes('id')) sort.push({ field: 'id', desc: false });

  const rows = records as unknown as Array<Record<string, unknown>>;
  const matched = filters.length === 0 ? [...rows] : rows.filter((r) => filters.every((f) => matches(r, f)));
  matched.sort((a, b) => {
    for (const key of sort) {
      const c = compare(fieldValue(a, key.field), fieldValue(b, key.field));
      if (c !== 0) return key.desc ? -c : c;
    }
    return 0;
  });
  let page = matched;
  if (query.start_after !== undefined && query.start_after !== '') {
    const first = sort[0]!;
    page = matched.filter((r) => {
      const c = compareWithText(fieldValue(r, first.field), query.start_after!);
      return first.desc ? c < 0 : c > 0;
    });
  }
  const items = page.slice(0, Math.min(limit, MAX_LIMIT)) as unknown as T[];
  return query.total ? { items, total: matched.length } : { items };
}
