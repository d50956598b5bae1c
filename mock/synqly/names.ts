import { errors } from '../core/errors.ts';

/**
 * Synqly resource names: lowercase `[a-z0-9_.~-]`, 1–100 chars, unique per collection ignoring
 * case. Given only a fullname, the name is derived from it ("Demo Tenant 1" → demo-tenant-1);
 * given neither, it is the id.
 */
const NAME = /^[a-z0-9_.~-]{1,100}$/;

export function deriveName(input: { name?: string; fullname?: string }, id: string): string {
  if (input.name !== undefined) {
    assertValidName(input.name);
    return input.name;
  }
  if (input.fullname) {
    const derived = input.fullname
      .toLowerCase()
      .trim()
      .replace(/\s+/g, '-')
      .replace(/[^a-z0-9_.~-]/g, '')
      .slice(0, 100);
    return derived || id;
  }
  return id;
}

export function assertValidName(name: string, pointer = '/name'): void {
  if (!NAME.test(name)) {
    throw errors.badRequest(`name ${JSON.stringify(name)} is invalid: use 1-100 lowercase letters, digits, '_', '.', '~' or '-'`, {
      parameter: { id: pointer, location: 'body', value: name },
    });
  }
}

/** Finds a record by id, or by name ignoring case (through the store's name index when `coll` is a collection). */
export function findByIdOrName<T extends { id: string; name: string }>(
  coll: { get(id: string): T | undefined; all(): T[]; findBy?(field: string, value: string): T[] },
  idOrName: string,
): T | undefined {
  const byId = coll.get(idOrName);
  if (byId) return byId;
  if (coll.findBy) return coll.findBy('name', idOrName)[0];
  const lower = idOrName.toLowerCase();
  return coll.all().find((r) => r.name.toLowerCase() === lower);
}

/** 409 if another record is named `name` (ignoring case); `records` is a list, or a whole collection (then looked up by index). */
export function assertNameFree<T extends { id: string; name: string }>(
  records: T[] | { findBy(field: string, value: string): T[] },
  name: string,
  kind: string,
  exceptId?: string,
): void {
  const lower = name.toLowerCase();
  const candidates = Array.isArray(records) ? records : records.findBy('name', name);
  if (candidates.some((r) => r.id !== exceptId && r.name.toLowerCase() === lower)) {
    throw errors.conflict(`${kind} name ${name} is already in use`, { parameter: { id: '/name', location: 'body', value: name } });
  }
}
