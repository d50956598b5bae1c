/** Shapes of what the dashboard reads (specs/admin.yaml, the vendor specs); only the fields it uses. */

export type Vendor = 'synqly' | 'connxio';
export type ListenerName = 'synqly' | 'connxio' | 'custom';

export interface Listeners {
  current: ListenerName;
  listeners: Array<{ name: ListenerName; url: string }>;
}

export interface Tenant {
  id: string;
  vendor: Vendor;
  name: string;
  profile: string;
  seed?: number;
  created_at: string;
}

export interface SynqlyCredentials {
  organization_id: string;
  organization_name: string;
  token: string;
  refresh_token_id?: string;
}

export interface ConnxioCredentials {
  company_id: string;
  company_name: string;
  subscriptions: Array<{ id: string; name: string }>;
  api_key: string;
  api_key_subscription_id?: string;
  api_key_scopes: string[];
  oauth: { client_id: string; client_secret: string; token_path: string; scope?: string };
}

export type TenantWithCredentials = Tenant & { credentials: SynqlyCredentials | ConnxioCredentials };

export interface Clock {
  now: string;
  frozen: boolean;
}

export interface FaultAction {
  type: 'status' | 'throttle' | 'delay' | 'uniform-delay' | 'connection-reset' | 'empty-response';
  status?: number;
  message?: string;
  retryAfterSeconds?: number;
  ms?: number;
  minMs?: number;
  maxMs?: number;
}

export interface FaultRequest {
  vendor: 'synqly' | 'connxio' | 'custom';
  operationId?: string;
  action: FaultAction;
  times?: number;
}

export interface FaultRule extends FaultRequest {
  id: string;
  matched: number;
}

export interface JournalEntry {
  id: number;
  at: string;
  listener: string;
  vendor: string;
  method: string;
  path: string;
  query?: Record<string, unknown>;
  operationId?: string;
  status: number;
  durationMs: number;
  requestHeaders?: Record<string, string>;
  requestBody?: unknown;
  responseHeaders?: Record<string, string>;
  responseBody?: unknown;
  stub?: { id: string; name?: string };
}

export interface StubPredicate {
  equals?: unknown;
  partial?: unknown;
  matches?: string;
  present?: boolean;
}

/** a stub as POST /__admin/stubs takes it (specs/admin.yaml StubInput) */
export interface StubInput {
  name?: string;
  vendor: 'synqly' | 'connxio' | 'custom';
  operationId?: string;
  method?: string;
  path?: string;
  tenant?: string;
  beforeAuth?: boolean;
  request?: { params?: Record<string, StubPredicate>; query?: Record<string, StubPredicate>; headers?: Record<string, StubPredicate>; body?: Array<StubPredicate & { path?: string }> };
  response: { status: number; headers?: Record<string, string>; body?: unknown; bodyText?: string; envelope?: boolean; delayMs?: number };
  unchecked?: boolean;
  times?: number;
  priority?: number;
}

export interface Stub extends StubInput {
  id: string;
  operationId: string;
  created_at: string;
  seq: number;
  matched: number;
}

export interface DeliveredMessage {
  id: number;
  at: string;
  companyId: string;
  subscriptionId: string;
  integrationId: string;
  interchangeId: string;
  channel: string;
  apiVersion: string | null;
  auth: string;
  keyId: string | null;
  contentType: string | null;
  messageEncoding: string;
  fileName: string | null;
  body: string;
  preDefinedUserProperties: Record<string, string>;
  synchronous: boolean;
  customApi?: { id: string; title: string; method: string; route: string; path: string; params: Record<string, string>; query: Record<string, unknown> };
  resend?: { kind: string; contentSasUri: string | null; resendDateTime: string | null };
}

export interface WebhookDelivery {
  id: string;
  organization_id: string;
  webhook_id: string;
  event: string;
  nonce: string;
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  payload: Record<string, unknown>;
  next_attempt_at?: string;
  error?: string;
  created_at: string;
  updated_at: string;
  attempts: Array<{ attempt: number; at: string; status: number; duration_ms: number; error?: string }>;
}

export interface ApiKey {
  id: string;
  name: string;
  key_hint: string;
  scopes: string[];
  subscriptionId: string;
  active: boolean;
  created: string;
  updated: string;
  customApiId?: string;
}

export type ApiKeyWithValue = ApiKey & { key: string };

export interface CustomApiRoute {
  method: string;
  path: string;
  integrationId: string;
}

export interface CustomApi {
  id: string;
  title: string;
  summary: string;
  subscriptionId: string;
  routes: CustomApiRoute[];
  webhookMode: boolean;
  keyId: string;
  keyEnabled: boolean;
  keyHint: string;
  keyScopes: string[];
  created: string;
  updated: string;
}

export type CustomApiWithKey = CustomApi & { key: string };

// ---- Synqly (specs/synqly-management.yaml)

export interface SynqlyOrganization {
  id: string;
  name: string;
  fullname: string;
  organization_type: string;
  refresh_token_id: string;
  created_at: string;
  updated_at: string;
}

export interface SynqlyAccount {
  id: string;
  name: string;
  fullname: string;
  environment: string;
  labels?: string[];
  created_at: string;
  updated_at: string;
}

export interface SynqlyIntegration {
  id: string;
  name: string;
  fullname: string;
  account_id: string;
  category: string;
  provider_type: string;
  provider_fullname: string;
  created_at: string;
}

export interface SynqlyTokenSecret {
  secret: string;
  expires: string;
}

export interface SynqlyRefreshToken {
  id: string;
  name: string;
  fullname: string;
  owner_id: string;
  owner_type: string;
  member_id?: string;
  expires: string;
  token_ttl: string;
  token_type: string;
  created_at: string;
  updated_at: string;
  primary: { access: SynqlyTokenSecret; refresh: SynqlyTokenSecret };
  secondary?: { access: SynqlyTokenSecret; refresh: SynqlyTokenSecret };
}

export interface SynqlyMember {
  id: string;
  name: string;
  fullname: string;
  state: string;
  type: string;
  role_binding: string[];
  last_logon: string;
  created_at: string;
}

export interface SynqlyRole {
  id: string;
  name: string;
  fullname: string;
  description?: string;
  permission_set: string;
  created_at?: string;
}

export interface SynqlyPermissionSet {
  name: string;
  description?: string;
}

// ---- Connxio (specs/connxio.yaml)

export interface ConnxioSubscription {
  id: string;
  name: string;
  [k: string]: unknown;
}

export interface ConnxioIntegration {
  id: string;
  configCorrelationId?: string;
  description?: string | null;
  transactionType?: string | null;
  sender?: string | null;
  receiver?: string | null;
  enabled?: boolean;
  useApiKey?: boolean;
  subscriptionId?: string;
  inboundConnection?: { adapterType?: string | null; adapterName?: string | null; connectionProperties?: string | null } | null;
  subIntegrations?: unknown[];
  updatedAtUtc?: string;
  createdAtUtc?: string;
}
