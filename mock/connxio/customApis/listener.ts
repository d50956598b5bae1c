import { errors } from '../../core/errors.ts';
import type { Handler, RequestInfo, TwinEnv, VendorApi } from '../../core/pipeline.ts';
import { redactQuery } from '../../core/request-journal.ts';
import type { ApiSpec, OperationSpec } from '../../core/spec.ts';
import { refuseDuplicateHeaders } from '../../core/credential-headers.ts';
import { connxioPreflight, CREDENTIAL_HEADERS, headerOrQuery, inWebhookMode, requireBearer } from '../auth.ts';
import { aspNetMediaTypeFor, bindAspNetQuery } from '../aspnet-binding.ts';
import { renderConnxioProblem } from '../errors.ts';
import { acceptMessages } from '../messaging/deliver.ts';
import { userPropertiesFrom } from '../messaging/model.ts';
import { COMPANIES, companyCollection, type ApiKeyRecord, type CompanyRecord, type CustomApiRecord, type SubscriptionRecord } from '../state.ts';
import { findCustomApiByKey, matchRoute } from './model.ts';

/**
 * The Custom API listener (custom.connxio.com; DECISIONS "custom APIs"). Its spec
 * (`connxio-custom-api.yaml`) describes one operation per method on `/{route}`; here every path
 * is routed to them, because custom routes are arbitrary. Resolution:
 *   key → custom API (unknown, not a custom-API key, or disabled → 401)
 *   → bearer, or webhook mode when enabled on the key (otherwise 401)
 *   → route (case-insensitive, trailing slash ignored, {param}s; unknown path 404, other method 405 + Allow)
 *   → delivery to the route's integration, exactly as POST /v2/messages/{integrationId}.
 */

export interface CustomApiCaller {
  company: CompanyRecord;
  subscription: SubscriptionRecord;
  key: ApiKeyRecord;
  customApi: CustomApiRecord;
  webhookMode: boolean;
}

const unknownKey = (message: string) => errors.unauthorized(message, { headers: { 'WWW-Authenticate': 'ApiKey' } });

export function authenticateCustomApi(env: TwinEnv, request: RequestInfo, op: OperationSpec): CustomApiCaller {
  refuseDuplicateHeaders(request, CREDENTIAL_HEADERS);
  const presented = headerOrQuery(request, 'Connxio-Api-Key');
  if (!presented) throw unknownKey("missing API key; send the custom API's key in the Connxio-Api-Key header");
  const reader = env.store.reader;
  const found = findCustomApiByKey(reader, presented);
  if (!found) throw unknownKey('no custom API has this API key');
  const { key, api, companyId } = found;
  if (!key.active) throw unknownKey("this custom API's key is disabled");
  const company = reader.get<CompanyRecord>(COMPANIES, companyId);
  const subscription = reader.get<SubscriptionRecord>(companyCollection(companyId, 'subscriptions'), api.subscriptionId);
  if (!company || !subscription) throw unknownKey('the custom API belongs to no subscription');
  const webhookMode = inWebhookMode(request);
  if (webhookMode) {
    if (!api.webhookMode) {
      throw errors.unauthorized("webhook mode is not enabled on this custom API's key; send a bearer token instead", { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
  } else {
    requireBearer(env, request, company.id);
  }
  // the custom-API spec's scope extension holds an API key scope name
  const scope = (op.extensions['x-connxio-scope'] as string | undefined) ?? 'Messaging.Dynamic';
  if (!key.scopes.some((s) => s === scope)) throw errors.forbidden(`the API key lacks the ${scope} scope`);
  return { company, subscription, key, customApi: api, webhookMode };
}

const dispatch: Handler<CustomApiCaller> = (ctx) => {
  const { customApi, company, key, webhookMode } = ctx.principal;
  const match = matchRoute(customApi.routes, ctx.request.method, ctx.request.path);
  if (match.kind === 'not-found') throw errors.notFound(`No route '${ctx.request.path}' on the custom API ${customApi.title}.`);
  if (match.kind === 'method-not-allowed') throw errors.methodNotAllowed(ctx.request.method, match.allow);
  const { route, params } = match;
  // the custom-API spec (not a generated one) declares these three optional query parameters, validated as strings
  const query = ctx.query as { MessageEncoding?: string; InterchangeId?: string; FileName?: string };
  const contentType = ctx.request.headers['content-type'];
  return acceptMessages(ctx.env, {
    companyId: company.id,
    subscriptionId: customApi.subscriptionId,
    integrationId: route.integrationId,
    channel: 'custom-api',
    apiVersion: null,
    auth: webhookMode ? 'webhook' : 'bearer',
    keyId: key.id,
    userProperties: userPropertiesFrom(ctx.request),
    customApi: { id: customApi.id, title: customApi.title, method: route.method, route: route.path, path: ctx.request.path, params, query: redactQuery(ctx.request.query) },
    messages: () => [
      {
        bytes: ctx.request.rawBody ?? Buffer.alloc(0),
        contentType: typeof contentType === 'string' ? contentType : null,
        messageEncoding: query.MessageEncoding,
        interchangeId: query.InterchangeId,
        fileName: query.FileName,
      },
    ],
  });
};

/**
 * The spec's operations, each served on every path (`/*`); the `route` path parameter stands for
 * the whole path. HEAD is resolved like a GET (key, auth, then the route table) so that it gets
 * the same answers in the same order: 401 for a missing or unknown key, 404 for an unknown path,
 * and, since no route is ever mapped for HEAD (ASP.NET Core matches HEAD only where it is mapped
 * explicitly), 405 with the Allow of that route's own methods.
 */
function everyPath(spec: ApiSpec): ApiSpec {
  const operations = spec.operations.map((op) => ({ ...op, path: '/*', parameters: op.parameters.filter((p) => p.in !== 'path') }));
  const get = operations.find((op) => op.method === 'GET');
  const head = get ? [{ ...get, method: 'HEAD' as const }] : [];
  return { ...spec, operations: [...operations, ...head], byId: new Map(operations.map((op) => [op.operationId, op])) };
}

export function createCustomApiListener(spec: ApiSpec, env: TwinEnv): VendorApi<CustomApiCaller> {
  const served = everyPath(spec);
  return {
    name: 'custom',
    vendor: 'custom',
    spec: served,
    handlers: Object.fromEntries(served.operations.map((op) => [op.operationId, dispatch])),
    authenticate: (request, op) => authenticateCustomApi(env, request, op),
    renderError: (err, request) => renderConnxioProblem(err, request, env.random),
    mediaTypeFor: aspNetMediaTypeFor,
    bindQuery: bindAspNetQuery,
    responseHeaders: { 'access-control-allow-origin': '*' },
    preflightHeaders: connxioPreflight,
    rateLimitKey: (caller) => caller.key.id,
    tenantOf: (caller) => caller.company.id,
  };
}
