import type { AddressInfo } from 'node:net';

/** Guards and typed readers for idioms used across the twin, so call sites need no cast. */

/** Whether `value` is one of `values` (the list of a literal union), narrowing it to that union. */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return values.some((v) => v === value);
}

/**
 * `Object.keys` typed by the object's keys. Only for the twin's own literal tables: TypeScript
 * types `Object.keys` as `string[]` because an object may carry keys its type does not name.
 */
export function keysOf<T extends object>(table: T): Array<keyof T & string> {
  return Object.keys(table) as Array<keyof T & string>; // see above
}

/** `Object.entries` typed by the object's keys; the same caveat as `keysOf`. */
export function entriesOf<T extends object>(table: T): Array<[keyof T & string, T[keyof T & string]]> {
  return Object.entries(table) as Array<[keyof T & string, T[keyof T & string]]>; // see keysOf
}

/** The `code` of a Node system error (`ENOENT`, `ECONNREFUSED`...), if it has one. */
export function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** The port a TCP server listens on (after its `listen` callback). */
export function boundPort(server: { address(): AddressInfo | string | null }): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on a TCP port');
  return address.port;
}

/** `value` if it is an array (of unknown members), else undefined. */
export function unknownArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}
