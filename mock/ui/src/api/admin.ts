import { http, type RequestOptions } from './http.ts';
import type {
  ApiKey,
  ApiKeyWithValue,
  Clock,
  CustomApi,
  CustomApiRoute,
  CustomApiWithKey,
  DeliveredMessage,
  FaultRequest,
  FaultRule,
  JournalEntry,
  Listeners,
  Stub,
  StubInput,
  Tenant,
  TenantWithCredentials,
  WebhookDelivery,
} from './types.ts';

/**
 * The control API (specs/admin.yaml) on this page's own listener. Off loopback it needs the admin
 * token, which the user types once per listener (kept in this tab's sessionStorage).
 */

const TOKEN_KEY = 'apitwin.adminToken';

export function adminToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setAdminToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export async function admin<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const token = adminToken();
  // X-Apitwin-Client: the control API takes writes only with it or a JSON body (a page of another site can send neither)
  const res = await http<T>(`/__admin${path}`, { ...options, headers: { 'x-apitwin-client': 'dashboard', ...(token ? { 'x-apitwin-admin-token': token } : {}), ...options.headers } });
  return res.body;
}

const enc = encodeURIComponent;
const company = (companyId: string) => `/connxio/companies/${enc(companyId)}`;

export const adminApi = {
  listeners: () => admin<Listeners>('/listeners'),
  health: () => admin<{ status: string; version: string; uptime_seconds: number; store: { kind: string; file?: string; seq: number } }>('/health'),

  tenants: (vendor?: 'synqly' | 'connxio') => admin<{ tenants: Tenant[] }>('/tenants', { query: { vendor } }).then((r) => r.tenants),
  createTenant: (body: { vendor: 'synqly' | 'connxio'; name?: string; profile?: 'empty' | 'demo' }) =>
    admin<TenantWithCredentials>('/tenants', { method: 'POST', body }),
  deleteTenant: (id: string) => admin<void>(`/tenants/${enc(id)}`, { method: 'DELETE' }),
  resetTenant: (id: string) => admin<TenantWithCredentials>(`/tenants/${enc(id)}/reset`, { method: 'POST' }),
  credentials: (id: string) => admin<TenantWithCredentials>(`/tenants/${enc(id)}/credentials`),
  seed: (body: { profile: 'demo' | 'empty'; seed?: number }) => admin<{ tenants: TenantWithCredentials[] }>('/seed', { method: 'POST', body }),

  operations: (vendor?: 'synqly' | 'connxio' | 'custom') =>
    admin<{ operations: Array<{ vendor: string; operationId: string; method: string; path: string }> }>('/operations', { query: { vendor } }).then((r) => r.operations),
  faults: () => admin<{ faults: FaultRule[] }>('/faults').then((r) => r.faults),
  addFault: (body: FaultRequest) => admin<FaultRule>('/faults', { method: 'POST', body }),
  removeFault: (id: string) => admin<void>(`/faults/${enc(id)}`, { method: 'DELETE' }),
  clearFaults: () => admin<void>('/faults', { method: 'DELETE' }),

  stubs: () => admin<{ stubs: Stub[] }>('/stubs').then((r) => r.stubs),
  addStub: (body: StubInput) => admin<Stub>('/stubs', { method: 'POST', body }),
  removeStub: (id: string) => admin<void>(`/stubs/${enc(id)}`, { method: 'DELETE' }),
  clearStubs: () => admin<void>('/stubs', { method: 'DELETE' }),

  clock: () => admin<Clock>('/clock'),
  setClock: (now: string) => admin<Clock>('/clock', { method: 'PUT', body: { now } }),
  advanceClock: (duration: string) => admin<Clock>('/clock/advance', { method: 'POST', body: { duration } }),

  requests: (query: Record<string, string | number | undefined>, signal?: AbortSignal) =>
    admin<{ requests: JournalEntry[] }>('/requests', { query, signal }).then((r) => r.requests),
  clearRequests: () => admin<void>('/requests', { method: 'DELETE' }),

  messages: (query: Record<string, string | number | undefined>, signal?: AbortSignal) =>
    admin<{ messages: DeliveredMessage[] }>('/connxio/messages', { query, signal }).then((r) => r.messages),
  clearMessages: (query: { companyId?: string; integrationId?: string }) => admin<void>('/connxio/messages', { method: 'DELETE', query }),

  webhookDeliveries: (query: Record<string, string | number | undefined>, signal?: AbortSignal) =>
    admin<{ deliveries: WebhookDelivery[] }>('/synqly/webhook-deliveries', { query, signal }).then((r) => r.deliveries),

  apiKeys: (companyId: string) => admin<{ keys: ApiKey[] }>(`${company(companyId)}/api-keys`).then((r) => r.keys),
  createApiKey: (companyId: string, body: { name: string; scopes: string[]; subscriptionId: string }) =>
    admin<ApiKeyWithValue>(`${company(companyId)}/api-keys`, { method: 'POST', body }),
  setApiKeyActive: (companyId: string, keyId: string, active: boolean) =>
    admin<ApiKey>(`${company(companyId)}/api-keys/${enc(keyId)}/${active ? 'activate' : 'deactivate'}`, { method: 'POST' }),
  regenerateApiKey: (companyId: string, keyId: string) => admin<ApiKeyWithValue>(`${company(companyId)}/api-keys/${enc(keyId)}/regenerate`, { method: 'POST' }),
  deleteApiKey: (companyId: string, keyId: string) => admin<void>(`${company(companyId)}/api-keys/${enc(keyId)}`, { method: 'DELETE' }),

  customApis: (companyId: string) => admin<{ customApis: CustomApi[] }>(`${company(companyId)}/custom-apis`).then((r) => r.customApis),
  customApi: (companyId: string, id: string) => admin<CustomApi>(`${company(companyId)}/custom-apis/${enc(id)}`),
  createCustomApi: (companyId: string, body: { title: string; summary: string; subscriptionId: string; routes: CustomApiRoute[]; webhookMode?: boolean }) =>
    admin<CustomApiWithKey>(`${company(companyId)}/custom-apis`, { method: 'POST', body }),
  updateCustomApi: (companyId: string, id: string, body: { title?: string; summary?: string; routes?: CustomApiRoute[] }) =>
    admin<CustomApi>(`${company(companyId)}/custom-apis/${enc(id)}`, { method: 'PATCH', body }),
  deleteCustomApi: (companyId: string, id: string) => admin<void>(`${company(companyId)}/custom-apis/${enc(id)}`, { method: 'DELETE' }),
  setCustomApiKeyEnabled: (companyId: string, id: string, enabled: boolean) =>
    admin<CustomApi>(`${company(companyId)}/custom-apis/${enc(id)}/key/${enabled ? 'enable' : 'disable'}`, { method: 'POST' }),
  setCustomApiWebhookMode: (companyId: string, id: string, on: boolean) =>
    admin<CustomApi>(`${company(companyId)}/custom-apis/${enc(id)}/webhook-mode/${on ? 'enable' : 'disable'}`, { method: 'POST' }),
  regenerateCustomApiKey: (companyId: string, id: string) => admin<CustomApiWithKey>(`${company(companyId)}/custom-apis/${enc(id)}/key/regenerate`, { method: 'POST' }),
  customApiOpenApi: (companyId: string, id: string) => admin<Record<string, unknown>>(`${company(companyId)}/custom-apis/${enc(id)}/openapi`),

  setUseApiKey: (companyId: string, integrationId: string, useApiKey: boolean) =>
    admin<{ useApiKey: boolean }>(`${company(companyId)}/integrations/${enc(integrationId)}/use-api-key`, { method: 'PUT', body: { useApiKey } }),
};
