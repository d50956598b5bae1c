import type { JsonRecord } from '../core/store/document.ts';
import type { Tx } from '../core/store/store.ts';
import { collection } from '../core/store/collection.ts';
import type { IntegrationRecord } from './integrations/types.ts';

/**
 * Connxio state: one partition per company (`connxio/company/<companyId>/<family>`), plus global
 * indexes from a key's or token's SHA-256 hash (and from an OAuth client id) to its company.
 */

export interface CompanyRecord extends JsonRecord {
  id: string;
  name: string;
  created_at: string;
}

export interface SubscriptionRecord extends JsonRecord {
  id: string;
  name: string;
  active: boolean;
  companyId: string;
  companyName: string;
}

export type ApiKeyScope = 'Management' | 'Messaging' | 'Webhook' | 'Messaging.Dynamic';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['Management', 'Messaging', 'Webhook', 'Messaging.Dynamic'];

export interface ApiKeyRecord extends JsonRecord {
  id: string;
  name: string;
  key_hash: string;
  /** the last four characters, so a person can tell keys apart */
  key_hint: string;
  scopes: ApiKeyScope[];
  subscriptionId: string;
  active: boolean;
  created: string;
  updated: string;
  /** set on the key generated for a custom API */
  customApiId?: string;
}

/** A Custom API (contract §4): routes on the Custom API listener, selected by its own key. */
export interface CustomApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** as configured, e.g. `/orders/{orderId}` */
  path: string;
  /** the target integration's configCorrelationId */
  integrationId: string;
}

export interface CustomApiRecord extends JsonRecord {
  id: string;
  title: string;
  summary: string;
  subscriptionId: string;
  routes: CustomApiRoute[];
  /** the generated key (scope Messaging.Dynamic); its `active` flag is the API's "key enabled" */
  keyId: string;
  /** the key also works as a webhook key (`Connxio-Api-Webhook: true`, no bearer) */
  webhookMode: boolean;
  created: string;
  updated: string;
}

export interface OAuthClientRecord extends JsonRecord {
  id: string;
  name: string;
  secret_hash: string;
  created: string;
}

export interface OAuthTokenRecord extends JsonRecord {
  id: string;
  company_id: string;
  client_id: string;
  expires_at: string;
}

export interface KeyIndexRecord extends JsonRecord {
  id: string;
  company_id: string;
  key_id: string;
}

export interface ClientIndexRecord extends JsonRecord {
  id: string;
  company_id: string;
}

export interface EnvironmentVariable {
  id: string;
  name: string;
  defaultValue: string | null;
  subscriptionValues: Record<string, string> | null;
  companyId: string;
  createdAtUtc: string;
  updatedAtUtc: string;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface EnvironmentVariableRecord extends EnvironmentVariable, JsonRecord {}

export interface SecurityConfiguration {
  id: string;
  name: string;
  isGlobal: boolean;
  securityType: number;
  globalSecurityProperties: Record<string, unknown> | null;
  securityProperties: Record<string, Record<string, unknown>> | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAtUtc: string;
  updatedAtUtc: string;
  deletedAtUtc: string | null;
  deletedBy: string | null;
  correlationId: string;
  apimSubscription: string | null;
  eTag: string;
  cosmosEntityName: string;
  companyId: string;
  auditCorrelationId: string;
}

export interface SecurityConfigRecord extends SecurityConfiguration, JsonRecord {
  /** secret name → SHA-256 of its value and its version; never returned */
  secrets: Record<string, { hash: string; version: string }>;
}

export interface CodeComponentVersion {
  uniqueId: string;
  description: string | null;
  version: string;
  sasUri: string;
  deprecated: boolean;
  type: string;
  componentOriginalFilename: string | null;
  uploadedBy: string | null;
  lastUpdated: string;
  versionConverted: number;
  contentSha256: string;
  contentBytes: number;
}

export interface CodeComponentRecord extends JsonRecord {
  id: string;
  companyId: string;
  /** one name for every version (the vendor renames all versions at once) */
  name: string;
  versions: CodeComponentVersion[];
}

export const COMPANIES = 'connxio/companies';
export const KEY_INDEX = 'connxio/keys';
export const CLIENT_INDEX = 'connxio/oauth-clients';
export const OAUTH_TOKENS = 'connxio/oauth-tokens';

export function companyCollection(companyId: string, family: string): string {
  return `connxio/company/${companyId}/${family}`;
}

/** The state slice of one company, as handlers and models see it. */
export function companyState(tx: Tx, companyId: string) {
  return {
    tx,
    companyId,
    companies: collection<CompanyRecord>(tx, COMPANIES),
    keyIndex: collection<KeyIndexRecord>(tx, KEY_INDEX),
    clientIndex: collection<ClientIndexRecord>(tx, CLIENT_INDEX),
    oauthTokens: collection<OAuthTokenRecord>(tx, OAUTH_TOKENS),
    subscriptions: collection<SubscriptionRecord>(tx, companyCollection(companyId, 'subscriptions')),
    apiKeys: collection<ApiKeyRecord>(tx, companyCollection(companyId, 'api_keys')),
    oauthClients: collection<OAuthClientRecord>(tx, companyCollection(companyId, 'oauth_clients')),
    customApis: collection<CustomApiRecord>(tx, companyCollection(companyId, 'custom_apis')),
    integrations: collection<IntegrationRecord>(tx, companyCollection(companyId, 'integrations')),
    codeComponents: collection<CodeComponentRecord>(tx, companyCollection(companyId, 'code_components')),
    environmentVariables: collection<EnvironmentVariableRecord>(tx, companyCollection(companyId, 'environment_variables')),
    securityConfigs: collection<SecurityConfigRecord>(tx, companyCollection(companyId, 'security_configs')),
  };
}

export type CompanyState = ReturnType<typeof companyState>;
