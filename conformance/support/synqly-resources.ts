import { expectOperation } from './contract.ts';
import { uniqueName } from './resources.ts';
import type { SynqlySession } from './sessions.ts';

/**
 * Synqly resources scenarios need as scaffolding: each one is created through the API, checked
 * against the spec, and deleted after the test (newest first). Mock providers are used where a
 * provider is needed, so nothing reaches a real provider on a live tenant.
 */

export interface Account {
  id: string;
  name: string;
  environment: 'test' | 'prod';
  [key: string]: unknown;
}

export async function newAccount(s: SynqlySession, body: Record<string, unknown> = {}): Promise<Account> {
  const res = await s.post('/v1/accounts').send({ name: uniqueName('acct'), ...body });
  expectOperation(res, 'accounts_create', 200);
  const account = res.body.result.account as Account;
  s.defer(() => s.delete(`/v1/accounts/${account.id}`));
  return account;
}

export async function newIntegrationPoint(s: SynqlySession, body: Record<string, unknown>): Promise<Record<string, unknown> & { id: string; name: string }> {
  const res = await s.post('/v1/integration-points').send({ name: uniqueName('point'), ...body });
  expectOperation(res, 'integrationPoints_create', 200);
  const point = res.body.result;
  s.defer(() => s.delete(`/v1/integration-points/${point.id}`));
  return point;
}

export interface CreatedIntegration {
  integration: Record<string, unknown> & { id: string; name: string; account_id: string; refresh_token_id: string; provider_config: Record<string, unknown> };
  token: { access: { secret: string; expires: string }; refresh: { secret: string; expires: string } };
  credentials_created?: Array<{ id: string; config: { type: string }; [key: string]: unknown }>;
}

export async function newIntegration(s: SynqlySession, accountId: string, body: Record<string, unknown> = {}): Promise<CreatedIntegration> {
  const res = await s.post(`/v1/integrations/${accountId}`).send({ name: uniqueName('integ'), provider_config: { type: 'ticketing_mock_ticketing' }, ...body });
  expectOperation(res, 'integrations_create', 200);
  const created = res.body.result as CreatedIntegration;
  s.defer(() => s.delete(`/v1/integrations/${accountId}/${created.integration.id}`));
  return created;
}

export async function newCredential(s: SynqlySession, ownerId: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown> & { id: string; name: string }> {
  const res = await s.post(`/v1/credentials/${ownerId}`).send({ name: uniqueName('cred'), config: { type: 'token', secret: uniqueName('secret') }, ...body });
  expectOperation(res, 'credentials_create', 200);
  const credential = res.body.result;
  s.defer(() => s.delete(`/v1/credentials/${ownerId}/${credential.id}`));
  return credential;
}

/** a Jira provider config with an inline basic secret (the twin stores it as a Managed credential) */
export function jiraConfig(secret: string, credential?: Record<string, unknown>): Record<string, unknown> {
  return { type: 'ticketing_jira', url: 'https://apitwin-example.atlassian.net', credential: credential ?? { type: 'basic', username: 'svc@example.com', secret } };
}
