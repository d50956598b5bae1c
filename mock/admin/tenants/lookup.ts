import { errors } from '../../core/errors.ts';
import type { Tx } from '../../core/store/store.ts';
import { Store } from '../../core/store/store.ts';
import { findKeyByValue } from '../../connxio/apiKeys/model.ts';
import { resolveBearer } from '../../synqly/tokens/model.ts';
import { createTenant, TENANTS, type TenantRecord, type TenantSpec, type TenantWithCredentials } from './lifecycle.ts';

/** Tenant bookkeeping for the control API and the CLI banner. */

export function listTenants(tx: Tx, vendor?: string): TenantRecord[] {
  return tx
    .values<TenantRecord>(TENANTS)
    .filter((t) => vendor === undefined || t.vendor === vendor)
    // ISO times, then ids, in code-unit order: the first localeCompare of a process loads ICU's collator (~10 ms of every start)
    .sort((a, b) => compareCodeUnits(a.created_at, b.created_at) || compareCodeUnits(a.id, b.id));
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function getTenant(tx: Tx, id: string): TenantRecord {
  const tenant = tx.get<TenantRecord>(TENANTS, id) ?? tx.values<TenantRecord>(TENANTS).find((t) => t.name === id);
  if (!tenant) throw errors.notFound(`tenant ${id} not found`);
  return tenant;
}

/**
 * The credentials of an existing tenant, derived again from its profile and seed (tenant data is
 * deterministic), and reported only while they are still valid in `live` — a rotated or deleted
 * secret is never printed.
 */
export async function rederiveCredentials(live: Tx, tenant: TenantRecord, nowMs: number): Promise<TenantWithCredentials | undefined> {
  const scratch = await Store.open();
  const spec: TenantSpec = { vendor: tenant.vendor, name: tenant.name, profile: tenant.profile, seed: tenant.seed, credentialsOnly: true };
  const derived = await scratch.transact((tx) => createTenant(tx, spec, nowMs));
  if (derived.id !== tenant.id) return undefined;
  if (derived.vendor === 'synqly') {
    const creds = derived.credentials;
    return resolveBearer(live, creds.token, nowMs).ok ? { ...tenant, vendor: 'synqly', credentials: creds } : undefined;
  }
  const creds = derived.credentials;
  return findKeyByValue(live, creds.api_key) ? { ...tenant, vendor: 'connxio', credentials: creds } : undefined;
}
