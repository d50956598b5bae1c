import { ApiError, errors } from '../../core/errors.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { fieldProblem, newEtag, sameEtag } from '../management.ts';
import { companyCollection, type CompanyState, type SubscriptionRecord } from '../state.ts';
import { findIntegration, requireIntegration } from './lookups.ts';
import { buildRecord } from './normalise.ts';
import type { IntegrationInput, IntegrationRecord } from './types.ts';
import { validateIntegration } from './validate.ts';
import { replaceVariables } from './variables.ts';

/**
 * Connxio integrations (contract §2.4, DECISIONS "integrations"): get, delete and save. The rest
 * of the family by concern: types.ts (the document), lookups.ts, normalise.ts (request → stored
 * document), validate.ts (business rules), variables.ts (`{env:Name}`), inbound.ts (trigger settings).
 *
 * The request (`IntegrationPostRequest`) is a subset of the stored `IntegrationConfig`; the twin
 * also accepts the stored-only fields (adapter `useProcessLock`, transformation `id`, …) so that
 * GET → edit → PUT round trips keep them, as the vendor's CLI and plugins do. Server-managed
 * fields (`id`, `_etag`, company/subscription names, created/updated stamps, `useApiKey`) are set
 * here. `id` = `configCorrelationId`; the owner is the subscription of the API key that wrote it.
 *
 * For other families (messaging, custom APIs), the fields that matter in a stored integration:
 * - `subscriptionId`: the owning subscription; use `findIntegration(company, subscriptionId, id)` (lookups.ts).
 * - `enabled`: false = messages are refused.
 * - `inboundConnection.adapterType`: `"Api"` (messaging, custom APIs), `"EventGrid"`, `"TimeTrigger"`, …
 *   as stored; compare case-insensitively with `isInboundAdapter(i, 'Api')` (inbound.ts).
 * - synchronous mode: `apiTriggerSettings(i)` → `{ synchronous, timeoutSeconds }`, read from the Api
 *   adapter's `connectionProperties` JSON (`{"useSynchronousCommunication": true, "timeoutInSeconds": 40}`).
 * - `subIntegrations[]`: `subIntegrationId`, `subintegrationName`, `enabled`, `outboundConnections[]`
 *   (`adapterId`, `adapterType`, `adapterName`, `connectionProperties`), `messageOutboundFormat`,
 *   `transformations[]` (`transformationType`, e.g. `Batching`), `preDefinedUserProperties`.
 * - `useApiKey`: true for everything saved through the API; false only for seeded legacy integrations.
 * - `transactionType`, `configCorrelationId`, `messageInboundFormat`, `messageInboundEncoding`.
 */

/** Who is writing: the API key's company and subscription, and a name for created/updatedBy. */
export interface Writer {
  subscription: SubscriptionRecord;
  actor: string;
}

export type SaveMode =
  /** POST /v2/integrations: validate; invalid → 400 */
  | 'validate'
  /** POST /v2/integrations/novalidation: invalid → stored with enabled: false */
  | 'store-disabled-if-invalid';

export interface SaveOptions {
  mode: SaveMode;
  /** PUT /v2/integrations/{id}: the integration must exist (404 otherwise) and the body may not name another id */
  pathId?: string;
  /** seeding only: legacy integrations saved before API keys existed */
  useApiKey?: boolean;
}

export interface SaveResult {
  integration: IntegrationRecord;
  created: boolean;
  /** business-rule violations that /novalidation let through (the integration was disabled) */
  violations: Record<string, string[]>;
}

export function getIntegration(company: CompanyState, subscriptionId: string, id: string, options: { replaceVariables?: boolean } = {}): IntegrationRecord {
  const integration = requireIntegration(company, subscriptionId, id);
  return options.replaceVariables ? replaceVariables(integration, company.environmentVariables.all(), subscriptionId) : integration;
}

/**
 * The vendor lists no 404 for this DELETE: an id no one holds is a 400, as for code components and
 * security configurations. An id held by another subscription or company stays a 404 (DECISIONS: auth).
 */
export function deleteIntegration(company: CompanyState, subscriptionId: string, id: string): IntegrationRecord {
  const heldElsewhere = company.integrations.get(id) !== undefined || company.integrations.get(id.toLowerCase()) !== undefined || heldByAnotherCompany(company, id.toLowerCase());
  if (!findIntegration(company, subscriptionId, id) && !heldElsewhere) {
    throw new ApiError('bad_request', `Integration ${id} was not found.`, { parameter: { id: 'id', location: 'path', value: id } });
  }
  const integration = requireIntegration(company, subscriptionId, id);
  company.integrations.delete(integration.id);
  return integration;
}

// ---------------------------------------------------------------------------------------------
/** whether another company's partition holds an integration with this id (a lookup per company, no index to keep) */
function heldByAnotherCompany(company: CompanyState, id: string): boolean {
  return company.companies.all().some((c) => c.id !== company.companyId && company.tx.get(companyCollection(c.id, 'integrations'), id) !== undefined);
}

// save (create, upsert, replace)

/**
 * POST (upsert by `configCorrelationId`), POST /novalidation and PUT /{id}.
 * Order of checks: owning subscription (400) → the id belongs to another subscription (404) →
 * PUT of an unknown id (404) → stale `_etag` (412) → business rules (400, or disabled for /novalidation).
 */
export function saveIntegration(company: CompanyState, writer: Writer, input: IntegrationInput, env: ModelEnv, options: SaveOptions): SaveResult {
  const subscriptionId = writer.subscription.id;
  if (input.subscriptionId && input.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase()) {
    throw fieldProblem('SubscriptionId', `The subscription ${input.subscriptionId} is not the subscription of the API key (${subscriptionId}); an API key can only manage the integrations of its own subscription.`);
  }
  const bodyId = input.configCorrelationId ? input.configCorrelationId.toLowerCase() : undefined;
  let id: string;
  if (options.pathId !== undefined) {
    const pathId = options.pathId.toLowerCase();
    if (bodyId && bodyId !== pathId) {
      throw fieldProblem('ConfigCorrelationId', `The configCorrelationId ${input.configCorrelationId} does not match the id ${options.pathId} in the path.`);
    }
    id = requireIntegration(company, subscriptionId, pathId).id;
  } else {
    id = bodyId ?? env.random.uuid();
  }
  const stored = company.integrations.get(id);
  // ids are unique across the twin: one another subscription (of this company or another) holds is not this caller's to create
  if ((stored && stored.subscriptionId !== subscriptionId) || (!stored && heldByAnotherCompany(company, id))) {
    throw errors.notFound(`Integration ${id} was not found.`, { parameter: { id: '/configCorrelationId', location: 'body', value: id } });
  }
  if (stored && typeof input._etag === 'string' && input._etag !== '' && !sameEtag(input._etag, stored._etag)) {
    throw errors.preconditionFailed(
      `The supplied _etag ${input._etag} does not match the stored integration (${stored._etag}): it was changed since you read it. Read it again and reapply your change.`,
    );
  }

  const companyRecord = company.companies.get(company.companyId);
  const now = iso(env.nowMs);
  const integration = buildRecord(input, {
    id,
    etag: newEtag(env.random, env.nowMs),
    subscription: writer.subscription,
    companyId: company.companyId,
    companyName: companyRecord?.name ?? writer.subscription.companyName ?? null,
    createdBy: stored?.createdBy ?? writer.actor,
    // a server-set field (contract §2.4.3): the writing key's name, whatever the body carries
    updatedBy: writer.actor,
    createdAtUtc: stored?.createdAtUtc ?? now,
    updatedAtUtc: now,
    moved: stored?.moved ?? false,
    useApiKey: options.useApiKey ?? true,
    newId: () => env.random.uuid(),
  });

  const violations = validateIntegration(company, integration);
  if (violations.count > 0) {
    if (options.mode === 'validate') violations.throwIfAny('The integration did not pass validation.');
    integration.enabled = false;
  }
  company.integrations.put(integration);
  return { integration, created: !stored, violations: violations.byField };
}
