import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import { assertIntegrationAllowed, visibleIntegrations } from '../access.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { connectorOf } from '../capabilities/catalogue.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg, type SynqlyContext } from '../context.ts';
import { findByIdOrName } from '../names.ts';
import type { IntegrationRecord, OrgState } from '../state.ts';
import { updateBodyCheck } from '../patch-check.ts';
import type { Warning } from './config.ts';
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  integrationView,
  listIntegrations,
  patchIntegration,
  updateIntegration,
  verifyExistingIntegration,
  verifyIntegration,
} from './model.ts';
import type { SynqlyFacts } from '../operation-facts.ts';
import { orgState } from '../state.ts';
import { isPlainObject } from '../../core/store/document.ts';

/** the integration the path names */
const ids = (params: { accountId: string; integrationId: string }) => [params.accountId, params.integrationId] as const;

/** warnings as the `messages.problems` of a successful answer (status = the response's) */
function messages(ctx: SynqlyContext, warnings: Warning[]) {
  return {
    problems: warnings.map((w) => ({
      status: 200,
      message: w.message,
      occurred_at: ctx.env.clock.nowIso(),
      instance: ctx.request.path,
      ...(w.pointer ? { context: { parameter: { id: w.pointer, location: 'body' } } } : {}),
    })),
  };
}

const nonEmpty = <T>(list: T[]) => (list.length > 0 ? list : undefined);

/** the integrations of `all` the caller may see with `action` (resource restriction: accounts, categories) */
const visibleTo = (ctx: SynqlyContext, org: OrgState, action: string) => (all: IntegrationRecord[]) =>
  visibleIntegrations(ctx.principal, all, (id) => org.accounts.get(id), action);

/**
 * 403 unless the caller may `action` an integration of the body's provider category in the path's
 * account. An unknown account or provider is left to the model (404/400).
 */
function assertBodyAllowed(ctx: SynqlyContext, org: OrgState, accountId: string, providerType: string | undefined, action: string): void {
  const account = findByIdOrName(org.accounts, accountId);
  const category = typeof providerType === 'string' ? connectorOf(providerType) : undefined;
  if (account && category) assertIntegrationAllowed(ctx.principal, { account, category }, action);
}

/** 403 (and nothing stored: the transaction aborts) when an update moved the integration out of the caller's restriction */
function assertResultAllowed(ctx: SynqlyContext, org: OrgState, integration: IntegrationRecord, action: string): void {
  assertIntegrationAllowed(ctx.principal, { account: org.accounts.get(integration.account_id) ?? { id: integration.account_id }, category: integration.category }, action);
}

export const integrationsOperations = operationTable<SynqlyPrincipal, operations>({
  integrations_list: (ctx) => {
    const org = readOrg(ctx);
    const page = listIntegrations(org, ctx.query, undefined, visibleTo(ctx, org, 'integrations.list'));
    return ok(page.items, { total: page.total });
  },
  integrations_list_account: (ctx) => {
    const org = readOrg(ctx);
    const page = listIntegrations(org, ctx.query, ctx.params.accountId, visibleTo(ctx, org, 'integrations.list_account'));
    return ok(page.items, { total: page.total });
  },
  integrations_create: async (ctx) => {
    const issuer = { tokenId: ctx.principal.token.id, memberId: ctx.principal.token.member_id };
    const accountId = ctx.params.accountId;
    const input = ctx.body;
    const created = await mutateOrg(ctx, (org) => {
      assertBodyAllowed(ctx, org, accountId, input.provider_config?.type, 'integrations.create');
      return createIntegration(org, accountId, input, issuer, modelEnv(ctx));
    });
    const result = { integration: created.integration, token: created.token, ...(created.credentials_created.length > 0 ? { credentials_created: created.credentials_created } : {}) };
    return ok(result, { messages: created.warnings.length > 0 ? messages(ctx, created.warnings) : undefined });
  },
  integrations_get: (ctx) => ok(integrationView(getIntegration(readOrg(ctx), ...ids(ctx.params)))),
  integrations_update: async (ctx) => {
    const updated = await mutateOrg(ctx, (org) => {
      const body = ctx.body;
      assertBodyAllowed(ctx, org, ctx.params.accountId, body.provider_config?.type, 'integrations.update');
      const result = updateIntegration(org, ...ids(ctx.params), body, modelEnv(ctx));
      assertResultAllowed(ctx, org, result.integration, 'integrations.update');
      return result;
    });
    return ok(updated.integration, { credentials_created: nonEmpty(updated.credentials_created) });
  },
  integrations_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'integrations_update');
    const patched = await mutateOrg(ctx, (org) => {
      const result = patchIntegration(org, ...ids(ctx.params), ctx.body, check, modelEnv(ctx));
      assertResultAllowed(ctx, org, result.integration, 'integrations.patch');
      return result;
    });
    return ok(patched.integration, { credentials_created: nonEmpty(patched.credentials_created) });
  },
  integrations_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteIntegration(org, ...ids(ctx.params)));
    return noContent();
  },
  integrations_verify: (ctx) => {
    const body = ctx.body;
    const org = readOrg(ctx);
    assertBodyAllowed(ctx, org, ctx.params.accountId, body.integration?.provider_config?.type, 'integrations.verify');
    const warnings = verifyIntegration(org, ctx.params.accountId, body, ctx.env.clock.now());
    return { status: 200, body: { messages: messages(ctx, warnings) } };
  },
  integrations_verify_existing: (ctx) => {
    // the body is optional: none (or a JSON null) checks the integration as stored
    const body = ctx.body ?? undefined;
    const org = readOrg(ctx);
    if (body) assertBodyAllowed(ctx, org, ctx.params.accountId, body.provider_config?.type, 'integrations.verify');
    const warnings = verifyExistingIntegration(org, ...ids(ctx.params), body, ctx.env.clock.now());
    return { status: 200, body: warnings.length > 0 ? { messages: messages(ctx, warnings) } : {} };
  },
});

export const integrationsFacts: SynqlyFacts = {
  integrations_create: { creates: 'integration', event: { event: 'integration_create', pick: (b) => (isPlainObject(b.result) ? b.result.integration : undefined) } },
  integrations_update: { event: { event: 'integration_update', pick: (b) => b.result } },
  integrations_patch: { event: { event: 'integration_update', pick: (b) => b.result } },
  integrations_delete: {
    deleteEvent: {
      event: 'integration_delete',
      read: (tx, orgId, p) => {
        try {
          return integrationView(getIntegration(orgState(tx, orgId), String(p.accountId), String(p.integrationId)));
        } catch {
          return undefined; // unknown: the handler answers 404 and there is no event
        }
      },
    },
  },
};
