import { errors } from '../core/errors.ts';
import { parseDuration } from '../core/durations.ts';
import type { FaultAction, FaultVendor } from '../core/faults.ts';
import { operationTable, type HandlerContext, type OperationTable, type TwinEnv } from '../core/pipeline.ts';
import type { operations } from '../generated/admin.ts';
import { createTenant, deleteTenant, resetTenant, type Vendor } from './tenants/lifecycle.ts';
import { loadFakerFor } from '../../fixtures/sample-data.ts';
import { DEFAULT_SEED, seedProfile } from '../../fixtures/profiles.ts';
import { connxioPortalOperations } from './connxio-portal.ts';
import { synqlyAdminOperations } from './synqly.ts';
import { dashboardOperations, type ListenerUrls } from './dashboard.ts';
import { getTenant, listTenants } from './tenants/lookup.ts';
import { stubOperations } from './stubs.ts';
import { referenceOperations } from './reference.ts';
import { closeMatches } from '../core/close-matches.ts';
import type { StubTarget } from '../core/stub-answers.ts';
import { deleteTenantStubs, type StubVendor } from '../core/stubs.ts';

/** The control API (specs/admin.yaml): one short function per operation. */

export interface AdminServices {
  version: string;
  startedAt: number;
  /** the listeners' base URLs, filled in once bound (the dashboard reads them) */
  listeners?: ListenerUrls;
  /** the vendor APIs stubs answer for (their specs, error renderers and envelopes) */
  stubTargets?: Record<StubVendor, StubTarget>;
}

type AdminContext = HandlerContext<null>;

/** a fault or stub naming an operation its vendor lacks would never fire: 400 naming close matches */
function assertKnownOperation(services: AdminServices, vendor: FaultVendor, operationId: string): void {
  const spec = services.stubTargets?.[vendor].spec;
  if (!spec || spec.byId.has(operationId)) return;
  const close = closeMatches(operationId, spec.operations.map((o) => o.operationId));
  throw errors.badRequest(`${vendor} has no operation ${operationId}${close.length ? `; did you mean ${close.join(', ')}?` : ' (GET /__admin/operations lists them)'}`, {
    parameter: { id: '/operationId', location: 'body', value: operationId },
  });
}

const created = (body: unknown) => ({ status: 201, body });
const json = (body: unknown) => ({ status: 200, body });
const noContent = () => ({ status: 204 });

function clockView(env: TwinEnv) {
  return { now: env.clock.nowIso(), frozen: env.clock.frozen };
}

export function adminOperations(services: AdminServices): OperationTable<null> {
  return {
    ...connxioPortalOperations,
    ...synqlyAdminOperations,
    ...dashboardOperations(services.listeners ?? {}),
    ...stubOperations(services.stubTargets),
    ...referenceOperations(services.version, services.listeners ?? {}, () => ({
      synqly: services.stubTargets?.synqly.spec,
      connxio: services.stubTargets?.connxio.spec,
      custom: services.stubTargets?.custom.spec,
    })),
    ...operationTable<null, operations>({
    admin_health: (ctx) =>
      json({
        status: 'ok',
        version: services.version,
        uptime_seconds: Math.round((Date.now() - services.startedAt) / 10) / 100,
        store: ctx.env.store.file ? { kind: 'file', file: ctx.env.store.file, seq: ctx.env.store.seq } : { kind: 'memory', seq: ctx.env.store.seq },
      }),

    admin_tenants_list: (ctx) => json({ tenants: listTenants(ctx.env.store.reader, ctx.query.vendor) }),

    admin_tenants_create: async (ctx) => {
      const body = ctx.body;
      const seed = body.seed ?? ctx.env.random.int(2 ** 31);
      const name = body.name ?? `${body.vendor === 'synqly' ? 'org' : 'company'}-${ctx.env.random.bytes(5).toString('hex')}`;
      assertTenantNameFree(ctx, body.vendor, name);
      const profile = body.profile ?? 'empty';
      const faker = profile === 'empty' ? undefined : await loadFakerFor(seed);
      const tenant = await ctx.env.store.transact((tx) => createTenant(tx, { vendor: body.vendor, name, profile, seed, faker }, ctx.env.clock.now()));
      return created(tenant);
    },

    admin_tenants_get: (ctx) => json(getTenant(ctx.env.store.reader, ctx.params.tenantId)),

    admin_tenants_delete: async (ctx) => {
      const tenant = getTenant(ctx.env.store.reader, ctx.params.tenantId);
      await ctx.env.store.transact((tx) => {
        deleteTenant(tx, tenant);
        deleteTenantStubs(tx, tenant.id);
      });
      if (tenant.vendor === 'connxio') ctx.env.messages.clear({ companyId: tenant.id });
      await ctx.env.messages.sync?.();
      return noContent();
    },

    admin_tenants_reset: async (ctx) => {
      const tenant = getTenant(ctx.env.store.reader, ctx.params.tenantId);
      const faker = tenant.profile === 'empty' ? undefined : await loadFakerFor(tenant.seed);
      if (tenant.vendor === 'connxio') ctx.env.messages.clear({ companyId: tenant.id });
      await ctx.env.messages.sync?.();
      return json(
        await ctx.env.store.transact((tx) => {
          deleteTenantStubs(tx, tenant.id);
          return resetTenant(tx, tenant, ctx.env.clock.now(), faker);
        }),
      );
    },

    admin_reset: async (ctx) => {
      const body = ctx.body ?? {};
      await ctx.env.faults.clear();
      await ctx.env.rateLimits?.clear();
      ctx.env.requests.clear();
      ctx.env.messages.clear();
      await Promise.all([ctx.env.requests.sync?.(), ctx.env.messages.sync?.()]);
      const profile = body.profile ?? 'empty';
      const faker = profile === 'empty' ? undefined : await loadFakerFor(body.seed ?? DEFAULT_SEED);
      const tenants = await ctx.env.store.transact((tx) => {
        for (const name of tx.collections('')) tx.drop(name);
        return seedProfile(tx, profile, { seed: body.seed, count: body.count, faker }, ctx.env.clock.now());
      });
      return json({ tenants });
    },

    admin_seed: async (ctx) => {
      const body = ctx.body ?? {};
      const profile = body.profile ?? 'demo';
      const faker = profile === 'empty' ? undefined : await loadFakerFor(body.seed ?? DEFAULT_SEED);
      const tenants = await ctx.env.store.transact((tx) => seedProfile(tx, profile, { seed: body.seed, count: body.count, faker }, ctx.env.clock.now()));
      return created({ tenants });
    },

    admin_snapshot_export: (ctx) => json(ctx.env.store.exportDocument()),

    admin_snapshot_restore: async (ctx) => {
      await ctx.env.store.replaceDocument(ctx.body);
      return noContent();
    },

    admin_faults_list: (ctx) => json({ faults: ctx.env.faults.list() }),

    admin_faults_create: async (ctx) => {
      const body = ctx.body;
      const action = faultAction(body.action);
      if (body.operationId !== undefined) assertKnownOperation(services, body.vendor, body.operationId);
      return created(await ctx.env.faults.add({ vendor: body.vendor, operationId: body.operationId, action, times: body.times }));
    },

    admin_faults_clear: async (ctx) => {
      await ctx.env.faults.clear();
      return noContent();
    },

    admin_faults_delete: async (ctx) => {
      if (!(await ctx.env.faults.remove(ctx.params.faultId))) throw errors.notFound(`fault ${String(ctx.params.faultId)} not found`);
      return noContent();
    },

    admin_rate_limits_list: (ctx) => json({ rateLimits: ctx.env.rateLimits?.list() ?? [] }),

    admin_rate_limits_create: async (ctx) => {
      if (!ctx.env.rateLimits) throw errors.notImplemented('admin_rate_limits_create');
      return created(await ctx.env.rateLimits.add(ctx.body));
    },

    admin_rate_limits_clear: async (ctx) => {
      await ctx.env.rateLimits?.clear();
      return noContent();
    },

    admin_rate_limits_delete: async (ctx) => {
      if (!(await ctx.env.rateLimits?.remove(ctx.params.rateLimitId))) throw errors.notFound(`rate limit ${String(ctx.params.rateLimitId)} not found`);
      return noContent();
    },

    admin_clock_get: (ctx) => json(clockView(ctx.env)),

    admin_clock_set: async (ctx) => {
      const at = Date.parse(ctx.body.now);
      if (ctx.env.sharedClock) await ctx.env.sharedClock.set(at);
      else ctx.env.clock.set(at);
      return json(clockView(ctx.env));
    },

    admin_clock_advance: async (ctx) => {
      const body = ctx.body;
      const ms = body.ms ?? (body.duration !== undefined ? parseDuration(body.duration) : undefined);
      if (ms === undefined) throw errors.badRequest('give ms (integer) or duration (e.g. 25h)');
      if (ctx.env.sharedClock) await ctx.env.sharedClock.advance(ms);
      else ctx.env.clock.advance(ms);
      return json(clockView(ctx.env));
    },

    admin_requests_list: async (ctx) => {
      await ctx.env.requests.sync?.();
      const q = ctx.query;
      return json({
        requests: ctx.env.requests.query({
          vendor: q.vendor,
          operationId: q.operationId,
          method: q.method,
          status: q.status,
          pathContains: q.path,
          sinceId: q.since,
          limit: q.limit,
        }),
      });
    },

    admin_requests_clear: async (ctx) => {
      ctx.env.requests.clear();
      await ctx.env.requests.sync?.(); // a shared journal: cleared for every replica before the 204
      return noContent();
    },
    }),
  };
}

function assertTenantNameFree(ctx: AdminContext, vendor: Vendor, name: string): void {
  if (listTenants(ctx.env.store.reader, vendor).some((t) => t.name === name)) {
    throw errors.conflict(`a ${vendor} tenant named ${name} already exists`);
  }
}

type RequestedFaultAction = operations['admin_faults_create']['requestBody']['content']['application/json']['action'];

/** The spec's action (one object, its fields by type) as a fault rule holds it; 400 when it lacks its type's fields. */
function faultAction(action: RequestedFaultAction): FaultAction {
  const missing = (field: string): never => {
    throw errors.badRequest(`a ${action.type} fault needs ${field}`);
  };
  switch (action.type) {
    case 'status':
      return action.status !== undefined ? { ...action, type: action.type, status: action.status } : missing('status (400-599)');
    case 'throttle':
      return action.retryAfterSeconds !== undefined ? { ...action, type: action.type, retryAfterSeconds: action.retryAfterSeconds } : missing('retryAfterSeconds');
    case 'delay':
      return action.ms !== undefined ? { ...action, type: action.type, ms: action.ms } : missing('ms');
    case 'uniform-delay':
      return action.minMs !== undefined && action.maxMs !== undefined && action.minMs <= action.maxMs
        ? { ...action, type: action.type, minMs: action.minMs, maxMs: action.maxMs }
        : missing('minMs <= maxMs');
    case 'connection-reset':
    case 'empty-response':
      return { ...action, type: action.type };
  }
}
