import { refuseDuplicateHeaders } from '../core/credential-headers.ts';
import { errors } from '../core/errors.ts';
import type { RequestInfo, TwinEnv } from '../core/pipeline.ts';
import type { OperationSpec } from '../core/spec.ts';
import type { Tx } from '../core/store/store.ts';
import { accessOf, authorize, type Access, type AccountRef, type Target } from './access.ts';
import { findByIdOrName } from './names.ts';
import { paymentRequiredReason } from './organization/model.ts';
import { orgState, ORGANIZATIONS, type OrganizationRecord, type RefreshTokenRecord } from './state.ts';
import { resolveBearer } from './tokens/model.ts';

/**
 * Who is calling the Management API, and whether they may (DECISIONS "status mapping"):
 * missing, malformed, unknown, expired or revoked token, a token of the wrong kind, or a member
 * who is disabled or locked → 401; disabled organization → 402; the token's permission set
 * lacks the operation's `x-synqly-permission`, or the resource in the path is outside the
 * token's resource restriction → 403. Resources that arrive in a body, and list results, are the
 * handlers' to check (see access.ts). One exception to the token kind: `tokens_refresh` of a
 * RefreshToken takes that RefreshToken's own refresh secret, integration RefreshTokens included.
 */
export interface SynqlyPrincipal {
  organization: OrganizationRecord;
  token: RefreshTokenRecord;
  slot: 'primary' | 'secondary';
  part: 'access' | 'refresh';
  /** the token's rights, resolved against the organization's roles at call time */
  access: Access;
}

/**
 * Operations whose spec says `security: []` (auth_logon) run without a principal; their handlers
 * must not read `ctx.principal`.
 */
export const NO_PRINCIPAL = null as unknown as SynqlyPrincipal;

/** Operations that accept a RefreshToken's own `refresh` secret as the bearer. */
const REFRESH_SECRET_OPERATIONS = new Set(['tokens_refresh']);

export function authenticateSynqly(env: TwinEnv, request: RequestInfo, op: OperationSpec): SynqlyPrincipal {
  if (op.security.length === 0) return NO_PRINCIPAL;
  refuseDuplicateHeaders(request, ['Authorization']);
  const header = request.headers.authorization;
  if (!header) throw errors.unauthorized('missing Authorization header; send Authorization: Bearer <organization access token>');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw errors.unauthorized('malformed Authorization header; expected: Bearer <token>');
  const tx = env.store.reader;
  const now = env.clock.now();
  const resolved = resolveBearer(tx, m[1]!, now);
  if (!resolved.ok) {
    throw errors.unauthorized(
      resolved.reason === 'expired' ? 'the token has expired' : resolved.reason === 'revoked' ? 'the token has been revoked' : 'the token is not valid',
    );
  }
  const { token, organization: org } = resolved;
  // a RefreshToken's own refresh secret refreshes that RefreshToken, whatever surface its access
  // secret is for (organization and integration tokens alike: DECISIONS "tokens", contract §4.3)
  const ownRefresh = resolved.part === 'refresh' && REFRESH_SECRET_OPERATIONS.has(op.operationId) && addresses(request.params?.refreshTokenId, token);
  if (token.kind !== 'organization' && !ownRefresh) {
    throw errors.unauthorized(`${token.kind === 'integration' ? 'an' : 'a'} ${token.kind} token cannot call the Management API; use an organization token`);
  }
  if (resolved.part === 'refresh' && !REFRESH_SECRET_OPERATIONS.has(op.operationId)) {
    throw errors.unauthorized('a refresh secret only authorizes tokens_refresh; send the access secret');
  }
  if (token.member_id) {
    const member = orgState(tx, org.id).members.get(token.member_id);
    if (!member) throw errors.unauthorized('the token has been revoked: its member no longer exists');
    if (member.state === 'disabled' || member.state === 'locked') throw errors.unauthorized(`member ${member.name} is ${member.state}`);
  }
  const blocked = paymentRequiredReason(org, now);
  if (blocked) throw errors.paymentRequired(blocked);
  const principal: SynqlyPrincipal = { organization: org, token, slot: resolved.slot, part: resolved.part, access: accessOf(tx, org.id, token) };
  if (resolved.part === 'refresh') {
    // possession of a RefreshToken's refresh secret authorizes refreshing that RefreshToken, nothing else
    if (!ownRefresh) throw errors.forbidden('a refresh secret only refreshes its own RefreshToken');
    return principal;
  }
  const action = op.extensions['x-synqly-permission'];
  if (typeof action === 'string') authorize(principal.access, action, targetOf(tx, org, op, request.params ?? {}));
  return principal;
}

/** whether a `{refreshTokenId}` path parameter (id or name) names this RefreshToken */
function addresses(idOrName: string | undefined, token: RefreshTokenRecord): boolean {
  return idOrName !== undefined && (idOrName === token.id || idOrName.toLowerCase() === token.name.toLowerCase());
}

/**
 * The resources a call touches, read from its path parameters (ids or names). A resource that
 * does not exist is left out: the handler answers 404 for it.
 */
export function targetOf(tx: Tx, org: OrganizationRecord, op: OperationSpec, params: Record<string, string>): Target {
  const state = orgState(tx, org.id);
  const target: Target = { organizationId: org.id };
  const integrationTarget = (integration: { account_id: string; category: string } | undefined) => {
    if (!integration) return;
    target.category = integration.category;
    target.account ??= accountRef(state.accounts.get(integration.account_id)) ?? { id: integration.account_id };
  };
  const findIntegration = (idOrName: string, accountId?: string) => {
    const lower = idOrName.toLowerCase();
    return (
      state.integrations.get(idOrName) ??
      state.integrations.all().find((i) => (accountId === undefined || i.account_id === accountId) && i.name.toLowerCase() === lower)
    );
  };

  // a sub-organization (or, for billing_get, possibly the caller's own) named by id or name
  if ((op.operationId.startsWith('subOrgs_') || op.operationId === 'billing_get') && params.organizationId !== undefined) {
    const lower = params.organizationId.toLowerCase();
    if (params.organizationId === org.id || lower === org.name.toLowerCase()) return target;
    const sub = tx
      .values<OrganizationRecord>(ORGANIZATIONS)
      .find((o) => o.parent_id === org.id && (o.id === params.organizationId || o.name.toLowerCase() === lower));
    target.organizationId = sub?.id ?? params.organizationId;
    return target;
  }
  if (params.accountId !== undefined) target.account = accountRef(findByIdOrName(state.accounts, params.accountId));
  if (params.integrationId !== undefined) integrationTarget(findIntegration(params.integrationId, target.account?.id));
  if (params.ownerId !== undefined && params.ownerId !== org.id && params.ownerId.toLowerCase() !== org.name.toLowerCase()) {
    const account = op.operationId.startsWith('credentials_') ? findByIdOrName(state.accounts, params.ownerId) : undefined;
    if (account) target.account = accountRef(account);
    else integrationTarget(findIntegration(params.ownerId));
  }
  if (params.credentialId !== undefined && op.operationId === 'credentials_lookup') {
    const credential = findByIdOrName(state.credentials, params.credentialId);
    if (credential?.account_id) target.account = accountRef(state.accounts.get(credential.account_id)) ?? { id: credential.account_id };
    if (credential?.integration_id) integrationTarget(state.integrations.get(credential.integration_id));
  }
  if (params.refreshTokenId !== undefined) {
    const token = findByIdOrName(state.refreshTokens, params.refreshTokenId);
    if (token?.owner_type === 'integration') integrationTarget(state.integrations.get(token.owner_id));
  }
  if (params.memberId !== undefined) {
    const member = findByIdOrName(state.members, params.memberId);
    if (member) target.memberId = member.id;
  }
  return target;
}

function accountRef(account: AccountRef | undefined): AccountRef | undefined {
  return account ? { id: account.id, name: account.name, environment: account.environment, ...(account.labels ? { labels: account.labels } : {}) } : undefined;
}
