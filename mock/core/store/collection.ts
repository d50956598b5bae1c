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
}

export function collection<T extends JsonRecord & { id: string }>(tx: Tx, name: string): Collection<T> {
  return {
    name,
    get: (id) => tx.get<T>(name, id),
    all: () => tx.values<T>(name),
    put: (record) => tx.put(name, record.id, record),
    delete: (id) => tx.del(name, id),
    count: () => tx.count(name),
  };
}
