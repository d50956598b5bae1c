import type { JsonRecord } from './document.ts';
import type { Tx } from './store.ts';

/** Typed access to one named collection through a transaction (or the store's reader). */
export interface Collection<T extends JsonRecord> {
  readonly name: string;
  get(id: string): T | undefined;
  all(): T[];
  put(record: T): void;
  delete(id: string): void;
  count(): number;
  /** records whose `field` equals `value` ignoring case, through the store's index (see Tx.findBy) */
  findBy(field: string, value: string): T[];
  /** how many records findBy would return, in O(1) */
  countBy(field: string, value: string): number;
  /** every record in `compare` order, kept sorted by the store under `key` (see Tx.sorted) */
  sorted(key: string, compare: (a: T, b: T) => number): Iterable<T>;
}

/** one small object per view, its methods shared (tenant slices build many views per request) */
class CollectionView<T extends JsonRecord & { id: string }> implements Collection<T> {
  constructor(
    private readonly tx: Tx,
    readonly name: string,
  ) {}
  get(id: string): T | undefined {
    return this.tx.get<T>(this.name, id);
  }
  all(): T[] {
    return this.tx.values<T>(this.name);
  }
  put(record: T): void {
    this.tx.put(this.name, record.id, record);
  }
  delete(id: string): void {
    this.tx.del(this.name, id);
  }
  count(): number {
    return this.tx.count(this.name);
  }
  findBy(field: string, value: string): T[] {
    return this.tx.findBy<T>(this.name, field, value);
  }
  countBy(field: string, value: string): number {
    return this.tx.countBy(this.name, field, value);
  }
  sorted(key: string, compare: (a: T, b: T) => number): Iterable<T> {
    return this.tx.sorted<T>(this.name, key, compare);
  }
}

export function collection<T extends JsonRecord & { id: string }>(tx: Tx, name: string): Collection<T> {
  return new CollectionView<T>(tx, name);
}
