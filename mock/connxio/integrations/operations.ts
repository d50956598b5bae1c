import { errors } from '../../core/errors.ts';
import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/connxio.ts';
import type { ConnxioCaller } from '../auth.ts';
import { decodedBody, modelEnv, mutateCompany, principalOf, readCompany, type ConnxioContext } from '../context.ts';
import { deleteIntegration, getIntegration, saveIntegration, type SaveOptions, type Writer } from './model.ts';
import { listIntegrations } from './lookups.ts';
import type { IntegrationInput } from './types.ts';
import { ownSubscription } from '../subscriptions/model.ts';
import { v1Management } from '../subscriptions/operations.ts';

function writer(ctx: ConnxioContext): Writer {
  const principal = principalOf(ctx);
  return { subscription: principal.subscription, actor: principal.key.name };
}

/**
 * The body was validated against IntegrationPostRequest; the stored-only fields a GET → PUT round
 * trip carries (adapter `wrapperType`, transformation `condition`, `environment`, …) are checked
 * against the stored IntegrationConfig schema of the same operation, so a wrong type is a 400 too.
 */
async function assertStoredShape(ctx: ConnxioContext): Promise<void> {
  const loading = ctx.env.validator.prepareResponses?.();
  if (loading) await loading;
  const issues = ctx.env.validator.validateResponse(ctx.operation, 200, 'application/json', ctx.body);
  if (issues.length > 0) throw errors.badRequest(`invalid request body: ${issues[0]!.pointer} ${issues[0]!.message}`, { issues });
}

async function save(ctx: ConnxioContext, body: IntegrationInput, options: SaveOptions) {
  await assertStoredShape(ctx);
  const { integration, created } = await mutateCompany(ctx, (company) => saveIntegration(company, writer(ctx), body, modelEnv(ctx), options));
  return { status: created ? 201 : 200, body: integration };
}

export const integrationsOperations = operationTable<ConnxioCaller, operations>({
  list_integrations: (ctx) => ({ body: listIntegrations(readCompany(ctx), principalOf(ctx).subscription.id) }),
  get_integration: (ctx) => ({
    body: getIntegration(readCompany(ctx), principalOf(ctx).subscription.id, ctx.params.id, { replaceVariables: ctx.query.replaceVariables === true }),
  }),
  create_integration: (ctx) => save(ctx, decodedBody(ctx.body), { mode: 'validate' }),
  create_integration_no_validation: (ctx) => save(ctx, decodedBody(ctx.body), { mode: 'store-disabled-if-invalid' }),
  update_integration: async (ctx) => {
    const result = await save(ctx, decodedBody(ctx.body), { mode: 'validate', pathId: ctx.params.id });
    return { ...result, status: 200 };
  },
  delete_integration: async (ctx) => {
    await mutateCompany(ctx, (company) => deleteIntegration(company, principalOf(ctx).subscription.id, ctx.params.id));
    return { status: 204 };
  },
  // legacy v1 management (contract §2.2): the same documents and rules; `companyId` header checked by v1Management
  list_integrations_v1: v1Management((ctx) => ({
    body: listIntegrations(readCompany(ctx), ownSubscription(principalOf(ctx).subscription, ctx.query.subscriptionId, 'query').id),
  })),
  get_integration_v1: v1Management((ctx) => ({ body: getIntegration(readCompany(ctx), principalOf(ctx).subscription.id, ctx.params.id) })),
  upsert_integration_v1: v1Management((ctx) => save(ctx, decodedBody(ctx.body), { mode: 'validate' })),
  delete_integration_v1: v1Management(async (ctx) => {
    const subscription = ownSubscription(principalOf(ctx).subscription, ctx.params.subscriptionId, 'path');
    await mutateCompany(ctx, (company) => deleteIntegration(company, subscription.id, ctx.params.id));
    return { status: 204 };
  }),
});
