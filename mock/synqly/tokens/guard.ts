import { errors } from '../../core/errors.ts';
import { accessOf, evaluate, exceedingAction } from '../access.ts';
import type { OrgState, RefreshTokenRecord } from '../state.ts';
import { accountLookup, type TokenCaller } from './create.ts';

/**
 * No escalation through another RefreshToken (contract §4.4 "tokens can only be reduced in scope,
 * never expanded"; DECISIONS "ad-hoc tokens"). An operation that hands out the secrets of a
 * RefreshToken (tokens_refresh, tokens_rotate, tokens_reset) or revokes some of them
 * (tokens_remove_secondary, tokens_delete) may act on the caller's own RefreshToken, or on one
 * whose rights are within the caller's; otherwise 403:
 * - organization, MCP and Synqly-integrations tokens: their rights (role binding, ad-hoc roles,
 *   `only` actions, resolved against the current roles) must be within the caller's. When secrets
 *   are handed out, a logon session also counts its self-service (its member's password, its
 *   logoff), which only a session of the same member has: another member's session is not handed
 *   out, though an administrator may still revoke it.
 * - integration tokens: their right is the Connector APIs of one integration; the caller must be
 *   allowed to issue tokens for that integration (`tokens.create_integration` on its account and
 *   category).
 */
export type TokenUse = 'secrets' | 'revoke';

const VERB: Record<TokenUse, string> = { secrets: 'hand out the secrets of', revoke: 'revoke secrets of' };

export function assertTokenWithin(org: OrgState, caller: TokenCaller, record: RefreshTokenRecord, use: TokenUse): void {
  if (record.id === caller.token.id) return;
  const refuse = (why: string) =>
    errors.forbidden(`cannot ${VERB[use]} refresh token ${record.name}: ${why}; a token may only act on RefreshTokens whose rights are within its own (tokens can only be reduced in scope, never expanded)`);
  if (record.kind === 'integration') {
    const integration = org.integrations.get(record.owner_id);
    if (!integration) return;
    const account = org.accounts.get(integration.account_id);
    const denial = evaluate(caller.access, 'tokens.create_integration', {
      organizationId: org.orgId,
      account: account ? { id: account.id, name: account.name, environment: account.environment, ...(account.labels ? { labels: account.labels } : {}) } : { id: integration.account_id },
      category: integration.category,
    });
    if (denial) throw refuse(`it is the token of integration ${integration.name}, for which the calling token may not issue tokens (${denial.message})`);
    return;
  }
  const inner = accessOf(org.tx, org.orgId, record);
  const action = exceedingAction(inner, caller.access, accountLookup(org), { sessionSelfService: use === 'secrets' });
  if (action) {
    const session = inner.session && (action === 'auth.change_password' || action === 'auth.logoff');
    throw refuse(session ? `it is a logon session of another member (it allows ${action} for that member)` : `it allows ${action}, which the calling token may not do (or not on every resource it may)`);
  }
}
