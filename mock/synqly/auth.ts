import { errors } from '../core/errors.ts';
import type { RequestInfo, TwinEnv } from '../core/pipeline.ts';
import type { OperationSpec } from '../core/spec.ts';
import type { OrganizationRecord, RefreshTokenRecord } from './state.ts';
import { resolveBearer } from './tokens/model.ts';

/** Who is calling the Management API: an organization token, as resolved from the bearer. */
export interface SynqlyPrincipal {
  organization: OrganizationRecord;
  token: RefreshTokenRecord;
  slot: 'primary' | 'secondary';
  part: 'access' | 'refresh';
}

/** Operations that accept a RefreshToken's own `refresh` secret as the bearer. */
const REFRESH_SECRET_OPERATIONS = new Set(['tokens_refresh']);

export function authenticateSynqly(env: TwinEnv, request: RequestInfo, op: OperationSpec): SynqlyPrincipal {
  const header = request.headers.authorization;
  if (!header) throw errors.unauthorized('missing Authorization header; send Authorization: Bearer <organization access token>');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw errors.unauthorized('malformed Authorization header; expected: Bearer <token>');
  const resolved = resolveBearer(env.store.reader, m[1]!, env.clock.now());
  if (!resolved.ok) {
    throw errors.unauthorized(
      resolved.reason === 'expired' ? 'the token has expired' : resolved.reason === 'revoked' ? 'the token has been revoked' : 'the token is not valid',
    );
  }
  if (resolved.token.kind !== 'organization') {
    throw errors.unauthorized(`a ${resolved.token.kind} token cannot call the Management API; use an organization token`);
  }
  if (resolved.part === 'refresh' && !REFRESH_SECRET_OPERATIONS.has(op.operationId)) {
    throw errors.unauthorized('a refresh secret only authorizes tokens_refresh; send the access secret');
  }
  const org = resolved.organization;
  if (org.state === 'disabled' || (org.state === 'plg' && org.end_date && Date.parse(org.end_date) <= env.clock.now())) {
    throw errors.paymentRequired(`organization ${org.name} is disabled`);
  }
  return { organization: org, token: resolved.token, slot: resolved.slot, part: resolved.part };
}
