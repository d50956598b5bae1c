import { errors } from '../core/errors.ts';
import { operationTable, type OperationTable, type TwinEnv } from '../core/pipeline.ts';
import type { operations } from '../generated/admin.ts';
import { checkStub, type StubTarget } from '../core/stub-answers.ts';
import { candidatesFirst, STUBS, type Stub, type StubInput, type StubVendor } from '../core/stubs.ts';

/** The control API's stubs (specs/admin.yaml, tag stubs): stored in the store like the tenants' data. */

export function stubOperations(targets: Record<StubVendor, StubTarget> | undefined): OperationTable<null> {
  const need = () => {
    if (!targets) throw errors.notImplemented('admin_stubs_create');
    return targets;
  };
  return operationTable<null, operations>({
    admin_stubs_list: (ctx) => {
      const q = ctx.query;
      const stubs = candidatesFirst(ctx.env.store.reader.values<Stub>(STUBS)).filter((s) => (q.vendor === undefined || s.vendor === q.vendor) && (q.tenant === undefined || s.tenant === q.tenant));
      return { status: 200, body: { stubs } };
    },

    admin_stubs_create: async (ctx) => {
      const input: StubInput = ctx.body;
      const loading = ctx.env.validator.prepareResponses?.(); // checkStub validates the stub's answer as a response
      if (loading) await loading;
      const operationId = checkStub(input, need(), ctx.env.validator);
      const stub = await ctx.env.store.transact((tx) => {
        const seq = tx.values<Stub>(STUBS).reduce((max, s) => Math.max(max, s.seq), 0) + 1;
        const stored: Stub = { ...input, operationId, priority: input.priority ?? 0, id: ctx.env.random.uuid(), created_at: ctx.env.clock.nowIso(), seq, matched: 0 };
        tx.put(STUBS, stored.id, stored);
        return stored;
      });
      return { status: 201, body: stub };
    },

    admin_stubs_get: (ctx) => ({ status: 200, body: stubById(ctx.env, ctx.params.stubId) }),

    admin_stubs_delete: async (ctx) => {
      const stub = stubById(ctx.env, ctx.params.stubId);
      await ctx.env.store.transact((tx) => tx.del(STUBS, stub.id));
      return { status: 204 };
    },

    admin_stubs_clear: async (ctx) => {
      const tenant = ctx.query.tenant;
      await ctx.env.store.transact((tx) => {
        if (tenant === undefined) tx.drop(STUBS);
        else for (const s of tx.values<Stub>(STUBS)) if (s.tenant === tenant) tx.del(STUBS, s.id);
      });
      return { status: 204 };
    },

    admin_stubs_near_misses: async (ctx) => {
      await ctx.env.requests.sync?.();
      const q = ctx.query;
      const limit = q.limit ?? 100;
      const nearMisses = ctx.env.requests
        .query({ operationId: q.operationId, limit: ctx.env.requests.size })
        .filter((r) => r.nearMisses?.length && !r.stub)
        .slice(0, limit)
        .map((r) => ({ requestId: r.id, at: r.at, vendor: r.vendor, method: r.method, path: r.path, operationId: r.operationId, misses: r.nearMisses! }));
      return { status: 200, body: { nearMisses } };
    },
  });
}

function stubById(env: TwinEnv, stubId: string): Stub {
  const stub = env.store.reader.get<Stub>(STUBS, stubId);
  if (!stub) throw errors.notFound(`stub ${stubId} not found`);
  return stub;
}
