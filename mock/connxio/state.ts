import type { JsonRecord } from '../core/store/document.ts';
import type { Tx } from '../core/store/store.ts';
import { collection } from '../core/store/collection.ts';

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
  };
}

export type CompanyState = ReturnType<typeof companyState>;
