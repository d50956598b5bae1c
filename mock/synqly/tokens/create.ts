import { errors } from '../../core/errors.ts';
import { formatDuration, parseDuration } from '../../core/durations.ts';
import type { JsonRecord } from '../../core/store/document.ts';
import { assertCanGrant, type Access, type AccountRef } from '../access.ts';
import type { Resources } from '../state.ts';
import { createAccount } from '../accounts/model.ts';
import { resolveResources } from '../roles/model.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, assertValidName, findByIdOrName } from '../names.ts';
import type { AccountRecord, IntegrationRecord, OrgState, RefreshTokenRecord } from '../state.ts';
import { issueRefreshToken, type IssuedPair } from './model.ts';
import type { ModelEnv } from '../../core/model-env.ts';

/**
 * The token-creating operations (contract §3.19, §4.4; DECISIONS "ad-hoc tokens"): rights can
 * only shrink, and no new token outlives the secret that created it.
 */

/** the token a call was made with, and what it may do */
export interface TokenCaller {
  token: RefreshTokenRecord;
  access: Access;
  /** expiry of the secret presented (epoch ms) */
  secretExpiresMs: number;
}

const HOUR = 3_600_000;

/** a `token_ttl` in ms: default when absent, 400 when unparsable or out of range */
export function parseTtl(text: string | undefined, pointer: string, fallbackMs: number, range: { minMs?: number; maxMs?: number } = {}): number {
  if (text === undefined) return fallbackMs;
  const value = parseDuration(text);
  const min = range.minMs ?? 1000;
  const fail = (why: string) => errors.badRequest(`token_ttl ${JSON.stringify(text)} ${why}`, { parameter: { id: pointer, location: 'body', value: text } });
  if (value === undefined) throw fail('is not a duration (use e.g. 30m, 24h, 7d)');
  if (value < min) throw fail(`is shorter than the minimum ${formatDuration(min)}`);
  if (range.maxMs !== undefined && value > range.maxMs) throw fail(`is longer than the maximum ${formatDuration(range.maxMs)}`);
  return value;
}

/**
 * The lifetime a new token may have: what was asked, capped by the caller's own secret and
 * RefreshToken. A cap is cut down to whole seconds (never rounded up past the parent's expiry), so
 * `token_ttl` reads as an exact duration ("59m59s") whatever the milliseconds of the clock.
 */
function capped(caller: TokenCaller, ttlMs: number, env: ModelEnv): number {
  const remaining = Math.min(caller.secretExpiresMs - env.nowMs, Date.parse(caller.token.expires) - env.nowMs);
  if (ttlMs <= remaining) return ttlMs;
  return Math.max(1000, Math.floor(remaining / 1000) * 1000);
}

/** ad-hoc roles of the caller's token chain, carried by every token it creates */
function limitsOf(token: RefreshTokenRecord): RefreshTokenRecord['adhoc_limits'] {
  const adhoc = token.primary.access.permissions.adhoc_role;
  return [...(token.adhoc_limits ?? []), ...(adhoc ? [adhoc] : [])];
}

function tokenName(org: OrgState, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  assertValidName(name);
  assertNameFree(org.refreshTokens.all(), name, 'refresh token');
  return name;
}

export function accountLookup(org: OrgState): (id: string) => AccountRef | undefined {
  return (id) => findByIdOrName(org.accounts, id);
}

export function findAccount(org: OrgState, idOrName: string, pointer = 'accountId', location: 'path' | 'body' = 'path'): AccountRecord {
  const account = findByIdOrName(org.accounts, idOrName);
  if (!account) throw errors.notFound(`account ${idOrName} not found`, { parameter: { id: pointer, location, value: idOrName } });
  return account;
}

export function findIntegration(org: OrgState, account: AccountRecord, idOrName: string): IntegrationRecord {
  const lower = idOrName.toLowerCase();
  const integration = org.integrations.all().find((i) => i.account_id === account.id && (i.id === idOrName || i.name.toLowerCase() === lower));
  if (!integration) {
    throw errors.notFound(`integration ${idOrName} not found in account ${account.name}`, { parameter: { id: 'integrationId', location: 'path', value: idOrName } });
  }
  return integration;
}

// ---- tokens_create_token

export interface CreateTokenRequest {
  name?: string;
  fullname?: string;
  resources: Resources;
  permission_set: string;
  token_ttl?: string;
}

export function createAdhocToken(org: OrgState, caller: TokenCaller, input: CreateTokenRequest, env: ModelEnv): { record: RefreshTokenRecord; pair: IssuedPair } {
  const name = tokenName(org, input.name);
  const ttl = parseTtl(input.token_ttl, '/token_ttl', 24 * HOUR);
  // names → ids, unknown accounts or organizations → 404, as for roles (contract §2.11)
  const resources = resolveResources(org, input.resources, input.permission_set);
  assertCanGrant(caller.access, { set: input.permission_set, resources }, accountLookup(org));
  const life = capped(caller, ttl, env);
  const perm = caller.token.primary.access.permissions;
  return issueRefreshToken(
    org,
    {
      ownerId: org.orgId,
      ownerType: 'organization',
      kind: 'organization',
      tokenType: 'adhoc',
      ttlMs: life,
      name,
      fullname: input.fullname,
      memberId: caller.token.member_id,
      parentId: caller.token.id,
      roleBinding: [...(perm.role_binding ?? [])],
      adhocRole: { resources, permission_set: input.permission_set },
      adhocLimits: limitsOf(caller.token),
      ...(perm.root_organization_id ? { rootOrganizationId: perm.root_organization_id } : {}),
    },
    env,
  );
}

// ---- tokens_create_mcp_token

export type McpScope =
  | { type: 'management'; environment?: 'test' | 'prod'; account_id?: string }
  | { type: 'integration-usage'; account_id: string; restrict_to_connector_operations?: string[] }
  | { type: 'developer'; account_id: string };

/** the rights an MCP scope stands for, expressed as an ad-hoc role */
function mcpRole(org: OrgState, scope: McpScope): { set: string; resources?: Resources } {
  const account = scope.account_id !== undefined ? findAccount(org, scope.account_id, '/scope/account_id', 'body') : undefined;
  const accounts: Resources | undefined = account
    ? { accounts: { ids: [account.id] } }
    : scope.type === 'management' && scope.environment
      ? { accounts: { ids: ['*'], environments: [scope.environment] } }
      : undefined;
  if (scope.type === 'integration-usage') return { set: 'mcp-integrations-use-only', resources: accounts };
  return { set: 'mcp-management', ...(accounts ? { resources: accounts } : {}) };
}

export function createMcpToken(org: OrgState, caller: TokenCaller, input: { scope: McpScope; token_ttl?: string }, env: ModelEnv): IssuedPair {
  const ttl = parseTtl(input.token_ttl, '/token_ttl', HOUR, { maxMs: 24 * HOUR });
  const role = mcpRole(org, input.scope);
  assertCanGrant(caller.access, role, accountLookup(org));
  const perm = caller.token.primary.access.permissions;
  const { pair } = issueRefreshToken(
    org,
    {
      ownerId: org.orgId,
      ownerType: 'organization',
      kind: 'mcp',
      tokenType: 'adhoc',
      ttlMs: capped(caller, ttl, env),
      fullname: `MCP ${input.scope.type}`,
      memberId: caller.token.member_id,
      parentId: caller.token.id,
      roleBinding: [...(perm.role_binding ?? [])],
      adhocRole: { resources: role.resources ?? {}, permission_set: role.set },
      adhocLimits: limitsOf(caller.token),
      mcpScope: input.scope as unknown as JsonRecord, // the schema's scope object is stored as JSON
    },
    env,
  );
  return pair;
}

// ---- tokens_create_integration_token

export function createIntegrationToken(
  org: OrgState,
  caller: TokenCaller,
  path: { accountId: string; integrationId: string },
  input: { name?: string; token_ttl?: string },
  env: ModelEnv,
): IssuedPair {
  const account = findAccount(org, path.accountId);
  const integration = findIntegration(org, account, path.integrationId);
  const name = tokenName(org, input.name);
  const ttl = parseTtl(input.token_ttl, '/token_ttl', 10 * 60_000);
  const perm = caller.token.primary.access.permissions;
  const { pair } = issueRefreshToken(
    org,
    {
      ownerId: integration.id,
      ownerType: 'integration',
      kind: 'integration',
      tokenType: 'adhoc',
      ttlMs: capped(caller, ttl, env),
      name,
      memberId: caller.token.member_id,
      parentId: caller.token.id,
      roleBinding: [...(perm.role_binding ?? [])],
    },
    env,
  );
  return pair;
}

// ---- tokens_create_synqly_integrations_token

/** the account that holds Synqly's own integrations (created on first use) */
export const SYNQLY_INTEGRATIONS_ACCOUNT = 'synqly-integrations';

export function createSynqlyIntegrationsToken(
  org: OrgState,
  caller: TokenCaller,
  input: { token_ttl?: string },
  env: ModelEnv,
): { account: AccountRecord; record: RefreshTokenRecord; pair: IssuedPair } {
  const ttl = parseTtl(input.token_ttl, '/token_ttl', 24 * HOUR);
  const account =
    findByIdOrName(org.accounts, SYNQLY_INTEGRATIONS_ACCOUNT) ??
    createAccount(org, { name: SYNQLY_INTEGRATIONS_ACCOUNT, fullname: 'Synqly Integrations', environment: 'prod' }, env);
  const perm = caller.token.primary.access.permissions;
  const { record, pair } = issueRefreshToken(
    org,
    {
      ownerId: org.orgId,
      ownerType: 'organization',
      kind: 'synqly-integrations',
      tokenType: 'adhoc',
      ttlMs: capped(caller, ttl, env),
      fullname: 'Synqly integrations',
      memberId: caller.token.member_id,
      parentId: caller.token.id,
      roleBinding: [...(perm.role_binding ?? [])],
      // the caller's ad-hoc restrictions travel with it: never more than the caller has
      adhocLimits: limitsOf(caller.token),
    },
    env,
  );
  return { account, record, pair };
}

// ---- lookups and lists

export const TOKEN_FIELDS = ['id', 'name', 'fullname', 'member_id', 'owner_id', 'owner_type', 'expires', 'token_ttl', 'token_type', 'created_at', 'updated_at'] as const;

/** tokens_list: the organization's own RefreshTokens (integration-owned ones are not listed) */
export function listTokens(org: OrgState, query: ListQuery): ListPage<RefreshTokenRecord> {
  return listRecords(
    org.refreshTokens.all().filter((t) => t.owner_type === 'organization'),
    query,
    { fields: TOKEN_FIELDS },
  );
}

export function findRefreshToken(org: OrgState, idOrName: string): RefreshTokenRecord {
  const record = findByIdOrName(org.refreshTokens, idOrName);
  if (!record) throw errors.notFound(`refresh token ${idOrName} not found`, { parameter: { id: 'refreshTokenId', location: 'path', value: idOrName } });
  return record;
}

/** tokens_reset/rotate address a RefreshToken through its owner (the organization or an integration) */
export function findOwnedRefreshToken(org: OrgState, ownerIdOrName: string, idOrName: string): RefreshTokenRecord {
  const record = findRefreshToken(org, idOrName);
  const lower = ownerIdOrName.toLowerCase();
  const owner =
    record.owner_type === 'organization'
      ? org.organizations.get(record.owner_id)
      : org.integrations.get(record.owner_id);
  if (record.owner_id !== ownerIdOrName && owner?.name.toLowerCase() !== lower) {
    throw errors.notFound(`refresh token ${idOrName} does not belong to ${ownerIdOrName}`, { parameter: { id: 'ownerId', location: 'path', value: ownerIdOrName } });
  }
  return record;
}
