import { refuseDuplicateHeaders } from '../core/credential-headers.ts';
import { errors } from '../core/errors.ts';
import type { Handler, OperationTable, RequestInfo, TwinEnv } from '../core/pipeline.ts';
import type { ApiSpec, OperationSpec } from '../core/spec.ts';
import { accessOf, authorize, type Access } from './access.ts';
import type { SynqlyOperationFacts } from './operation-facts.ts';
import { paymentRequiredReason } from './organization/model.ts';
import { orgState, type OrganizationRecord, type RefreshTokenRecord } from './state.ts';
import { targetOf } from './targets.ts';
import { resolveBearer } from './tokens/model.ts';

/**
 * Who is calling the Management API, and whether they may (DECISIONS "status mapping"):
 * missing, malformed, unknown, expired or revoked token, a token of the wrong kind, or a member
 * who is disabled or locked → 401; disabled organization → 402; the token's permission set
 * lacks the operation's `x-synqly-permission`, or the resource in the path is outside the
 * token's resource restriction → 403. Resources that arrive in a body, and list results, are the
 * handlers' to check (see access.ts). One exception to the token kind: an operation that
 * `acceptsOwnRefreshSecret` (operation-facts.ts) takes the addressed RefreshToken's own refresh
 * secret, integration RefreshTokens included.
 */
export interface SynqlyPrincipal {
  organization: OrganizationRecord;
  token: RefreshTokenRecord;
  slot: 'primary' | 'secondary';
  part: 'access' | 'refresh';
  /** the token's rights, resolved against the organization's roles at call time */
  access: Access;
}

/** Who called: a principal, or nobody for the operations whose spec says `security: []` (see `callerHandlers`). */
export type SynqlyCaller = SynqlyPrincipal | undefined;

export function authenticateSynqly(env: TwinEnv, request: RequestInfo, op: OperationSpec, facts: SynqlyOperationFacts = {}): SynqlyCaller {
  if (op.security.length === 0) return undefined;
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
  const ownRefresh = resolved.part === 'refresh' && facts.acceptsOwnRefreshSecret === true && addresses(request.params?.refreshTokenId, token);
  if (token.kind !== 'organization' && !ownRefresh) {
    throw errors.unauthorized(`${token.kind === 'integration' ? 'an' : 'a'} ${token.kind} token cannot call the Management API; use an organization token`);
  }
  if (resolved.part === 'refresh' && !facts.acceptsOwnRefreshSecret) {
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
  if (typeof action === 'string') authorize(principal.access, action, targetOf(tx, org, request.params ?? {}, facts.target));
  return principal;
}

/** whether a `{refreshTokenId}` path parameter (id or name) names this RefreshToken */
function addresses(idOrName: string | undefined, token: RefreshTokenRecord): boolean {
  return idOrName !== undefined && (idOrName === token.id || idOrName.toLowerCase() === token.name.toLowerCase());
}

/**
 * The API's handlers for the pipeline, which passes them whatever `authenticateSynqly` returned:
 * the `authenticated` ones get their principal (the spec secures each of them: checked here, so a
 * handler can never meet a missing principal), the `anonymous` ones (`security: []`) get none.
 */
export function callerHandlers(
  spec: ApiSpec,
  authenticated: OperationTable<SynqlyPrincipal>,
  anonymous: OperationTable<undefined>,
): OperationTable<SynqlyCaller> {
  const out: OperationTable<SynqlyCaller> = {};
  for (const [operationId, handler] of Object.entries(authenticated)) {
    if (spec.byId.get(operationId)?.security.length === 0) throw new Error(`${operationId} is unauthenticated in the spec (security: []) but its handler needs a principal`);
    out[operationId] = withPrincipal(operationId, handler);
  }
  for (const [operationId, handler] of Object.entries(anonymous)) {
    const op = spec.byId.get(operationId);
    if (op && op.security.length > 0) throw new Error(`${operationId} is secured in the spec but its handler is registered as unauthenticated`);
    out[operationId] = (ctx) => handler({ ...ctx, principal: undefined });
  }
  return out;
}

function withPrincipal(operationId: string, handler: Handler<SynqlyPrincipal>): Handler<SynqlyCaller> {
  return (ctx) => {
    const principal = ctx.principal;
    // unreachable: authenticateSynqly returns a principal or throws for every secured operation
    if (!principal) throw new Error(`${operationId} ran without a principal`);
    return handler({ ...ctx, principal });
  };
}
