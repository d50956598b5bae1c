import { operationTable, type CallRecord } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { Tx } from '../../core/store/store.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok } from '../context.ts';
import type { SynqlyFacts } from '../operation-facts.ts';
import { orgState, ORGANIZATIONS, type OrganizationRecord } from '../state.ts';
import { changePassword, logoff, logon } from './model.ts';
import { isPlainObject } from '../../core/store/document.ts';

/** security: [] — no principal; the organization comes from the path */
export const authAnonymousOperations = operationTable<undefined, operations>({
  auth_logon: async (ctx) => {
    const env = { nowMs: ctx.env.clock.now(), random: ctx.env.random };
    const body = ctx.body;
    const outcome = await ctx.env.store.transact((tx) => logon(tx, ctx.params.organizationId, body, env));
    if (!outcome.ok) throw outcome.error;
    return ok(outcome.result);
  },
});

export const authOperations = operationTable<SynqlyPrincipal, operations>({
  auth_change_password: async (ctx) =>
    ok(await mutateOrg(ctx, (org) => changePassword(org, ctx.principal.token, ctx.body, modelEnv(ctx)))),

  auth_logoff: async (ctx) => {
    await mutateOrg(ctx, (org) => logoff(org, ctx.principal.token.id));
    return noContent();
  },
});


/** the organization a logon addresses (`organizationId`: id or name), when it exists */
function logonOrganization(tx: Tx, call: CallRecord<unknown>): OrganizationRecord | undefined {
  const idOrName = call.request.params?.organizationId;
  if (!idOrName) return undefined;
  const lower = idOrName.toLowerCase();
  return tx.get<OrganizationRecord>(ORGANIZATIONS, idOrName) ?? tx.values<OrganizationRecord>(ORGANIZATIONS).find((o) => o.name.toLowerCase() === lower);
}

/** the member a logon named: the one it logged on (success), else the member of that name, if any */
function logonMember(tx: Tx, organizationId: string, call: CallRecord<unknown>): string | undefined {
  const result = isPlainObject(call.responseBody) && isPlainObject(call.responseBody.result) ? call.responseBody.result : undefined;
  const member = result && isPlainObject(result.member) && typeof result.member.id === 'string' ? result.member.id : undefined;
  if (member) return member;
  const name = isPlainObject(call.requestBody) && typeof call.requestBody.name === 'string' ? call.requestBody.name.toLowerCase() : undefined;
  return name === undefined ? undefined : orgState(tx, organizationId).members.all().find((m) => m.name.toLowerCase() === name)?.id;
}

export const authFacts: SynqlyFacts = {
  // every logon (success, wrong secret, locked or disabled member, 402) is audited in the
  // organization its path names, with the member it named when one exists
  auth_logon: {
    auditUnauthenticated: (tx, call) => {
      const organization = logonOrganization(tx, call);
      if (!organization) return undefined;
      const memberId = logonMember(tx, organization.id, call);
      return { organization, ...(memberId ? { memberId } : {}) };
    },
  },
};
