import { errors } from '../core/errors.ts';
import { operationTable, type HandlerContext, type HandlerResult } from '../core/pipeline.ts';
import type { operations } from '../generated/admin.ts';
import type { ModelEnv } from '../core/model-env.ts';
import {
  apiKeyView,
  createApiKey,
  listApiKeys,
  regenerateApiKey,
  removeApiKey,
  requireApiKey,
  setApiKeyActive,
  updateApiKey,
} from '../connxio/apiKeys/model.ts';
import {
  createCustomApi,
  customApiOpenApi,
  customApiView,
  deleteCustomApi,
  listCustomApis,
  regenerateCustomApiKey,
  requireCustomApi,
  setCustomApiKeyEnabled,
  setCustomApiWebhookMode,
  updateCustomApi,
} from '../connxio/customApis/model.ts';
import { createOAuthClient, deleteOAuthClient, listOAuthClients, oauthClientView } from '../connxio/oauth/model.ts';
import { companyState, type CompanyState } from '../connxio/state.ts';

/**
 * The Connxio "portal" on the control API (specs/admin.yaml, tag connxio-portal): API keys, OAuth
 * clients and custom APIs, which the vendor manages only in its portal; the message journal; and
 * the `useApiKey` flag of a stored integration (contract §3.5). Thin: the models do the work.
 */

type AdminContext = HandlerContext<null>;

const json = (body: unknown, status = 200): HandlerResult => ({ status, body });
const noContent = (): HandlerResult => ({ status: 204 });

function envOf(ctx: AdminContext): ModelEnv {
  return { nowMs: ctx.env.clock.now(), random: ctx.env.random };
}

function companyIdOf(ctx: AdminContext, state?: CompanyState): string {
  const companyId = String(ctx.params.companyId);
  const company = (state ?? companyState(ctx.env.store.reader, companyId)).companies.get(companyId);
  if (!company) throw errors.notFound(`Connxio company ${companyId} not found`);
  return companyId;
}

function read(ctx: AdminContext): CompanyState {
  return companyState(ctx.env.store.reader, companyIdOf(ctx));
}

/** runs `fn` on the company's state in one transaction (404 for an unknown company) */
function mutate<R>(ctx: AdminContext, fn: (state: CompanyState, env: ModelEnv) => R): Promise<R> {
  const companyId = String(ctx.params.companyId);
  return ctx.env.store.transact((tx) => {
    const state = companyState(tx, companyId);
    companyIdOf(ctx, state);
    return fn(state, envOf(ctx));
  });
}

const keyId = (ctx: AdminContext) => String(ctx.params.keyId);
const customApiId = (ctx: AdminContext) => String(ctx.params.customApiId);

export const connxioPortalOperations = operationTable<null, operations>({
  // API keys ------------------------------------------------------------------------------------
  admin_connxio_api_keys_list: (ctx) =>
    json({ keys: listApiKeys(read(ctx), { subscriptionId: ctx.query.subscriptionId }).map(apiKeyView) }),

  admin_connxio_api_keys_create: async (ctx) => {
    const { record, key } = await mutate(ctx, (state, env) => createApiKey(state, ctx.body, env));
    return json({ ...apiKeyView(record), key }, 201);
  },

  admin_connxio_api_keys_get: (ctx) => json(apiKeyView(requireApiKey(read(ctx), keyId(ctx)))),

  admin_connxio_api_keys_update: async (ctx) => json(apiKeyView(await mutate(ctx, (state, env) => updateApiKey(state, keyId(ctx), ctx.body, env)))),

  admin_connxio_api_keys_delete: async (ctx) => {
    await mutate(ctx, (state) => removeApiKey(state, keyId(ctx)));
    return noContent();
  },

  admin_connxio_api_keys_activate: async (ctx) => json(apiKeyView(await mutate(ctx, (state, env) => setApiKeyActive(state, keyId(ctx), true, env)))),

  admin_connxio_api_keys_deactivate: async (ctx) => json(apiKeyView(await mutate(ctx, (state, env) => setApiKeyActive(state, keyId(ctx), false, env)))),

  admin_connxio_api_keys_regenerate: async (ctx) => {
    const { record, key } = await mutate(ctx, (state, env) => regenerateApiKey(state, keyId(ctx), env));
    return json({ ...apiKeyView(record), key });
  },

  // OAuth clients -------------------------------------------------------------------------------
  admin_connxio_oauth_clients_list: (ctx) => json({ clients: listOAuthClients(read(ctx)).map(oauthClientView) }),

  admin_connxio_oauth_clients_create: async (ctx) => {
    const { record, secret } = await mutate(ctx, (state, env) => createOAuthClient(state, ctx.body, env));
    return json({ ...oauthClientView(record), client_secret: secret }, 201);
  },

  admin_connxio_oauth_clients_delete: async (ctx) => {
    await mutate(ctx, (state) => deleteOAuthClient(state, String(ctx.params.clientId)));
    return noContent();
  },

  // integrations saved before API keys (contract §3.5) ------------------------------------------
  admin_connxio_integration_use_api_key_set: async (ctx) => {
    const integrationId = String(ctx.params.integrationId);
    const { useApiKey } = ctx.body;
    const stored = await mutate(ctx, (state) => {
      const integration = state.integrations.get(integrationId) ?? state.integrations.get(integrationId.toLowerCase());
      if (!integration) throw errors.notFound(`integration ${integrationId} not found in company ${state.companyId}`);
      const updated = { ...integration, useApiKey };
      state.integrations.put(updated);
      return updated;
    });
    return json({ integrationId: stored.configCorrelationId, subscriptionId: stored.subscriptionId, useApiKey: stored.useApiKey });
  },

  // custom APIs ---------------------------------------------------------------------------------
  admin_connxio_custom_apis_list: (ctx) => {
    const state = read(ctx);
    return json({ customApis: listCustomApis(state, { subscriptionId: ctx.query.subscriptionId }).map((a) => customApiView(state, a)) });
  },

  admin_connxio_custom_apis_create: async (ctx) => {
    const { view, key } = await mutate(ctx, (state, env) => {
      const { record, key } = createCustomApi(state, ctx.body, env);
      return { view: customApiView(state, record), key };
    });
    return json({ ...view, key }, 201);
  },

  admin_connxio_custom_apis_get: (ctx) => {
    const state = read(ctx);
    return json(customApiView(state, requireCustomApi(state, customApiId(ctx))));
  },

  admin_connxio_custom_apis_update: async (ctx) =>
    json(await mutate(ctx, (state, env) => customApiView(state, updateCustomApi(state, customApiId(ctx), ctx.body, env)))),

  admin_connxio_custom_apis_delete: async (ctx) => {
    await mutate(ctx, (state) => deleteCustomApi(state, customApiId(ctx)));
    return noContent();
  },

  admin_connxio_custom_apis_key_enable: async (ctx) =>
    json(await mutate(ctx, (state, env) => customApiView(state, setCustomApiKeyEnabled(state, customApiId(ctx), true, env)))),

  admin_connxio_custom_apis_key_disable: async (ctx) =>
    json(await mutate(ctx, (state, env) => customApiView(state, setCustomApiKeyEnabled(state, customApiId(ctx), false, env)))),

  admin_connxio_custom_apis_key_regenerate: async (ctx) => {
    const { view, key } = await mutate(ctx, (state, env) => {
      const { record, key } = regenerateCustomApiKey(state, customApiId(ctx), env);
      return { view: customApiView(state, record), key };
    });
    return json({ ...view, key });
  },

  admin_connxio_custom_apis_webhook_enable: async (ctx) =>
    json(await mutate(ctx, (state, env) => customApiView(state, setCustomApiWebhookMode(state, customApiId(ctx), true, env)))),

  admin_connxio_custom_apis_webhook_disable: async (ctx) =>
    json(await mutate(ctx, (state, env) => customApiView(state, setCustomApiWebhookMode(state, customApiId(ctx), false, env)))),

  admin_connxio_custom_apis_openapi: (ctx) => {
    const state = read(ctx);
    return json(customApiOpenApi(state, requireCustomApi(state, customApiId(ctx))));
  },

  // the message journal -------------------------------------------------------------------------
  admin_connxio_messages_list: async (ctx) => {
    await ctx.env.messages.sync?.();
    const q = ctx.query;
    return json({ messages: ctx.env.messages.query(q) });
  },

  admin_connxio_messages_clear: async (ctx) => {
    await ctx.env.messages.sync?.();
    const q = ctx.query;
    ctx.env.messages.clear({ companyId: q.companyId, integrationId: q.integrationId });
    await ctx.env.messages.sync?.(); // a shared journal: cleared for every replica before the 204
    return noContent();
  },
});
