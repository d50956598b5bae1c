import { errors } from '../../core/errors.ts';
import type { Tx } from '../../core/store/store.ts';
import { createApiKey, deleteApiKey, findKeyByValue, regenerateApiKey, requireApiKey, setApiKeyActive } from '../apiKeys/model.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { apiTriggerSettings, isInboundAdapter } from '../integrations/inbound.ts';
import { findIntegration } from '../integrations/lookups.ts';
import { companyState, type ApiKeyRecord, type CompanyState, type CustomApiRecord, type CustomApiRoute } from '../state.ts';
import { isOneOf } from '../../core/narrow.ts';

/**
 * Connxio Custom APIs (contract §4, DECISIONS "custom APIs"): a title, a summary, a subscription
 * and routes of {method, path, integration}; one generated key (scope Messaging.Dynamic) that
 * selects the API on the Custom API listener. Managed through the control API (portal-only at
 * the vendor). Routes match case-insensitively, ignore a trailing slash and allow `{param}`
 * segments; an unknown path is 404, a known path with another method 405 + Allow.
 */

export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

export interface RouteInput {
  method: string;
  path: string;
  integrationId: string;
}

export interface NewCustomApi {
  title: string;
  summary?: string;
  subscriptionId: string;
  routes: RouteInput[];
  webhookMode?: boolean;
}

export interface CustomApiEdit {
  title?: string;
  summary?: string;
  routes?: RouteInput[];
}

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_.-]*)\}$/;

function routeProblem(index: number, field: string, message: string, value?: unknown) {
  return errors.badRequest(`routes[${index}].${field}: ${message}`, { parameter: { id: `/routes/${index}/${field}`, location: 'body', value } });
}

/** `/Orders/` → `/Orders` (configured casing kept; a trailing slash is dropped; `/` stays `/`) */
function normalizePath(path: string): string {
  const trimmed = path.trim();
  return trimmed.length > 1 && trimmed.endsWith('/') ? trimmed.slice(0, -1) : trimmed;
}

function segmentsOf(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

/** the identity of a route for duplicate detection: method + path with literals lower-cased and params anonymous */
function routeShape(method: string, path: string): string {
  return `${method} /${segmentsOf(path)
    .map((s) => (PARAM.test(s) ? '{}' : s.toLowerCase()))
    .join('/')}`;
}

/** Validates routes against the subscription's integrations: only Api-triggered integrations are targets (contract §4.1). */
export function validateRoutes(state: CompanyState, subscriptionId: string, routes: RouteInput[]): CustomApiRoute[] {
  const seen = new Map<string, number>();
  return routes.map((r, i) => {
    const method = r.method.trim().toUpperCase();
    if (!isOneOf(ROUTE_METHODS, method)) throw routeProblem(i, 'method', `must be one of ${ROUTE_METHODS.join(', ')}`, r.method);
    const path = normalizePath(r.path);
    if (!path.startsWith('/')) throw routeProblem(i, 'path', 'must start with /', r.path);
    if (/[?#\s]/.test(path)) throw routeProblem(i, 'path', 'may not contain a query, a fragment or white space', r.path);
    const segments = segmentsOf(path);
    const names = new Set<string>();
    for (const segment of segments) {
      if (segment === '') throw routeProblem(i, 'path', 'may not contain empty segments (//)', r.path);
      const m = PARAM.exec(segment);
      if (m) {
        if (names.has(m[1]!.toLowerCase())) throw routeProblem(i, 'path', `names the parameter {${m[1]}} twice`, r.path);
        names.add(m[1]!.toLowerCase());
      } else if (/[{}]/.test(segment)) {
        throw routeProblem(i, 'path', `segment "${segment}" must be a literal or a whole {parameter}`, r.path);
      }
    }
    const top = segments[0]?.toLowerCase();
    if (top === '__admin' || top === '__ui') throw routeProblem(i, 'path', `/${top} is reserved for the twin's control API and dashboard`, r.path);
    const shape = routeShape(method, path);
    const first = seen.get(shape);
    if (first !== undefined) throw routeProblem(i, 'path', `${method} ${path} duplicates routes[${first}]`, r.path);
    seen.set(shape, i);
    const integration = findIntegration(state, subscriptionId, r.integrationId);
    if (!integration) throw routeProblem(i, 'integrationId', `integration ${r.integrationId} does not exist in subscription ${subscriptionId}`, r.integrationId);
    if (!isInboundAdapter(integration, 'Api')) {
      throw routeProblem(i, 'integrationId', `integration ${r.integrationId} has the ${integration.inboundConnection?.adapterType ?? '(none)'} inbound adapter; only Api-triggered integrations can be targets`, r.integrationId);
    }
    return { method, path, integrationId: integration.configCorrelationId };
  });
}

function assertSubscription(state: CompanyState, subscriptionId: string): void {
  if (!state.subscriptions.get(subscriptionId)) {
    throw errors.badRequest(`subscription ${subscriptionId} does not belong to company ${state.companyId}`, {
      parameter: { id: '/subscriptionId', location: 'body', value: subscriptionId },
    });
  }
}

/** Creates the API and its key (scope Messaging.Dynamic, enabled); the key value is returned only here. */
export function createCustomApi(state: CompanyState, input: NewCustomApi, env: ModelEnv): { record: CustomApiRecord; key: string } {
  assertSubscription(state, input.subscriptionId);
  const routes = validateRoutes(state, input.subscriptionId, input.routes);
  const id = env.random.uuid();
  const { record: keyRecord, key } = createApiKey(
    state,
    { name: `Custom API: ${input.title}`, scopes: ['Messaging.Dynamic'], subscriptionId: input.subscriptionId, customApiId: id },
    env,
  );
  const now = iso(env.nowMs);
  const record: CustomApiRecord = {
    id,
    title: input.title,
    summary: input.summary ?? '',
    subscriptionId: input.subscriptionId,
    routes,
    keyId: keyRecord.id,
    webhookMode: input.webhookMode ?? false,
    created: now,
    updated: now,
  };
  state.customApis.put(record);
  return { record, key };
}

export function requireCustomApi(state: CompanyState, id: string): CustomApiRecord {
  const api = state.customApis.get(id);
  if (!api) throw errors.notFound(`custom API ${id} not found in company ${state.companyId}`);
  return api;
}

export function listCustomApis(state: CompanyState, filter: { subscriptionId?: string } = {}): CustomApiRecord[] {
  return state.customApis
    .all()
    .filter((a) => filter.subscriptionId === undefined || a.subscriptionId === filter.subscriptionId)
    .sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
}

export function updateCustomApi(state: CompanyState, id: string, edit: CustomApiEdit, env: ModelEnv): CustomApiRecord {
  const api = requireCustomApi(state, id);
  const updated: CustomApiRecord = {
    ...api,
    ...(edit.title !== undefined ? { title: edit.title } : {}),
    ...(edit.summary !== undefined ? { summary: edit.summary } : {}),
    ...(edit.routes !== undefined ? { routes: validateRoutes(state, api.subscriptionId, edit.routes) } : {}),
    updated: iso(env.nowMs),
  };
  state.customApis.put(updated);
  return updated;
}

export function setCustomApiKeyEnabled(state: CompanyState, id: string, enabled: boolean, env: ModelEnv): CustomApiRecord {
  const api = requireCustomApi(state, id);
  setApiKeyActive(state, api.keyId, enabled, env, { viaCustomApi: true });
  return touch(state, api, env);
}

export function setCustomApiWebhookMode(state: CompanyState, id: string, webhookMode: boolean, env: ModelEnv): CustomApiRecord {
  const api = requireCustomApi(state, id);
  const updated: CustomApiRecord = { ...api, webhookMode, updated: iso(env.nowMs) };
  state.customApis.put(updated);
  return updated;
}

/** A new key value; the old one is refused (401) at once. */
export function regenerateCustomApiKey(state: CompanyState, id: string, env: ModelEnv): { record: CustomApiRecord; key: string } {
  const api = requireCustomApi(state, id);
  const { key } = regenerateApiKey(state, api.keyId, env, { viaCustomApi: true });
  return { record: touch(state, api, env), key };
}

/** Deletes the API and its key. */
export function deleteCustomApi(state: CompanyState, id: string): CustomApiRecord {
  const api = requireCustomApi(state, id);
  const key = state.apiKeys.get(api.keyId);
  if (key) deleteApiKey(state, key);
  state.customApis.delete(api.id);
  return api;
}

function touch(state: CompanyState, api: CustomApiRecord, env: ModelEnv): CustomApiRecord {
  const updated: CustomApiRecord = { ...api, updated: iso(env.nowMs) };
  state.customApis.put(updated);
  return updated;
}

/** The control API's view: the API with its key's state (never the key value). */
export function customApiView(state: CompanyState, api: CustomApiRecord) {
  const key = requireApiKey(state, api.keyId);
  return {
    id: api.id,
    title: api.title,
    summary: api.summary,
    subscriptionId: api.subscriptionId,
    routes: api.routes,
    webhookMode: api.webhookMode,
    keyId: key.id,
    keyEnabled: key.active,
    keyHint: key.key_hint,
    keyScopes: key.scopes,
    created: api.created,
    updated: api.updated,
  };
}

// ---------------------------------------------------------------------------------------------
// the listener: key → API, request → route

/** Resolves a presented key to its custom API; undefined when no custom API has it. */
export function findCustomApiByKey(tx: Tx, value: string): { companyId: string; key: ApiKeyRecord; api: CustomApiRecord } | undefined {
  const found = findKeyByValue(tx, value);
  if (!found?.key.customApiId) return undefined;
  const api = companyState(tx, found.companyId).customApis.get(found.key.customApiId);
  return api ? { companyId: found.companyId, key: found.key, api } : undefined;
}

export type RouteMatch =
  | { kind: 'found'; route: CustomApiRoute; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: RouteMethod[] }
  | { kind: 'not-found' };

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Matches `path` against a route template; the captured {param} values, or undefined. */
function matchTemplate(template: string, requestSegments: string[]): Record<string, string> | undefined {
  const parts = segmentsOf(template);
  if (parts.length !== requestSegments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const actual = decodeSegment(requestSegments[i]!);
    const m = PARAM.exec(part);
    if (m) {
      if (actual === '') return undefined;
      params[m[1]!] = actual;
    } else if (part.toLowerCase() !== actual.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

/** literal segments beat parameters, from left to right */
function specificity(template: string): string {
  return segmentsOf(template)
    .map((s) => (PARAM.test(s) ? '0' : '1'))
    .join('');
}

export function matchRoute(routes: readonly CustomApiRoute[], method: string, requestPath: string): RouteMatch {
  const path = requestPath.length > 1 && requestPath.endsWith('/') ? requestPath.slice(0, -1) : requestPath;
  if (path.includes('//')) return { kind: 'not-found' };
  const segments = segmentsOf(path);
  const candidates = routes
    .map((route) => ({ route, params: matchTemplate(route.path, segments) }))
    .filter((c): c is { route: CustomApiRoute; params: Record<string, string> } => c.params !== undefined);
  if (candidates.length === 0) return { kind: 'not-found' };
  const upper = method.toUpperCase();
  const forMethod = candidates.filter((c) => c.route.method === upper).sort((a, b) => specificity(b.route.path).localeCompare(specificity(a.route.path)));
  if (forMethod.length > 0) return { kind: 'found', route: forMethod[0]!.route, params: forMethod[0]!.params };
  const allow = ROUTE_METHODS.filter((m) => candidates.some((c) => c.route.method === m));
  return { kind: 'method-not-allowed', allow };
}

// ---------------------------------------------------------------------------------------------
// the OpenAPI download (contract §4.3, DECISIONS)

export const CUSTOM_API_SERVER = 'https://custom.connxio.com';

/** as the main API: the key as header or query parameter, with a bearer or (webhook mode) `Connxio-Api-Webhook: true` as header or query parameter */
const SECURITY_SCHEMES = {
  'Connxio-Api-Key': { type: 'apiKey', in: 'header', name: 'Connxio-Api-Key', description: "This API's key (scope Messaging.Dynamic)." },
  'Connxio-Api-Key-Query': { type: 'apiKey', in: 'query', name: 'Connxio-Api-Key', description: "This API's key as a query parameter, for callers that cannot set headers (e.g. Event Grid)." },
  Bearer: { type: 'http', scheme: 'bearer', description: 'OAuth 2.0 client-credentials token from https://api.connxio.com/oauth/token.' },
  'Connxio-Api-Webhook': { type: 'apiKey', in: 'header', name: 'Connxio-Api-Webhook', description: 'Webhook mode: send `true` instead of a bearer token (only when webhook mode is on for this key).' },
  'Connxio-Api-Webhook-Query': { type: 'apiKey', in: 'query', name: 'Connxio-Api-Webhook', description: 'Webhook mode as a query parameter (`?Connxio-Api-Key=…&Connxio-Api-Webhook=true`).' },
};
const KEY_SCHEMES = ['Connxio-Api-Key', 'Connxio-Api-Key-Query'] as const;

const PROBLEM = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    traceId: { type: 'string' },
    errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  },
};

function operationIdFor(method: string, path: string): string {
  const words = segmentsOf(path).map((s) => {
    const m = PARAM.exec(s);
    return (m ? `by_${m[1]}` : s).replace(/[^A-Za-z0-9]+/g, '_');
  });
  return [method.toLowerCase(), ...words].join('_').replace(/_+/g, '_').replace(/_$/, '') || method.toLowerCase();
}

/**
 * The OpenAPI 3.0 document of a custom API, as the portal's download: info from title and
 * summary, the custom server, one path per route with its methods, security as the main API.
 */
export function customApiOpenApi(state: CompanyState, api: CustomApiRecord): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } } });
  for (const route of api.routes) {
    const integration = findIntegration(state, api.subscriptionId, route.integrationId);
    const synchronous = integration ? apiTriggerSettings(integration).synchronous : false;
    const pathParams = segmentsOf(route.path)
      .map((s) => PARAM.exec(s)?.[1])
      .filter((n): n is string => n !== undefined)
      .map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    const item = (paths[route.path] ??= {});
    item[route.method.toLowerCase()] = {
      operationId: operationIdFor(route.method, route.path),
      summary: `${route.method} ${route.path}`,
      description: `Sends the request to the integration ${route.integrationId}${integration?.transactionType ? ` (${integration.transactionType})` : ''} as a message. The HTTP method only selects the route.`,
      parameters: [
        ...pathParams,
        { name: 'MessageEncoding', in: 'query', required: false, schema: { type: 'string' }, description: 'Encoding of the message (default utf-8).' },
        { name: 'InterchangeId', in: 'query', required: false, schema: { type: 'string' }, description: 'Caller-supplied interchange id; a UUID is generated when absent.' },
        { name: 'FileName', in: 'query', required: false, schema: { type: 'string' } },
      ],
      ...(route.method === 'GET' || route.method === 'DELETE'
        ? {}
        : {
            requestBody: {
              required: false,
              description: 'The message, passed on as an opaque payload.',
              content: { 'application/json': { schema: {} }, 'application/xml': { schema: { type: 'string' } } },
            },
          }),
      responses: {
        '200': {
          description: synchronous ? 'The synchronous result: one element per sub-integration.' : 'The message was accepted (empty body).',
          headers: { 'X-Interchange-Id': { description: 'The interchange id of the message.', schema: { type: 'string' } } },
          ...(synchronous ? { content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } } } : {}),
        },
        '400': problem('The message did not pass validation, or the integration is disabled.'),
        '401': problem('The key is unknown or disabled, or the bearer token is missing or invalid.'),
        '404': problem('No such route, or the integration no longer exists.'),
        '405': problem('The path exists, but not for this method.'),
      },
    };
  }
  const security: Array<Record<string, string[]>> = KEY_SCHEMES.map((key) => ({ [key]: [], Bearer: [] }));
  if (api.webhookMode) {
    for (const key of KEY_SCHEMES) for (const webhook of ['Connxio-Api-Webhook', 'Connxio-Api-Webhook-Query']) security.push({ [key]: [], [webhook]: [] });
  }
  return {
    openapi: '3.0.3',
    info: { title: api.title, description: api.summary, version: '1.0.0' },
    servers: [{ url: CUSTOM_API_SERVER }],
    security,
    paths,
    components: { securitySchemes: SECURITY_SCHEMES, schemas: { ProblemDetails: PROBLEM } },
  };
}
