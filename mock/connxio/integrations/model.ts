import { errors } from '../../core/errors.ts';
import type { JsonRecord } from '../../core/store/document.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { FieldErrors, fieldProblem, newEtag, parseJsonString, sameEtag, walkEntries } from '../management.ts';
import type { CompanyState, SubscriptionRecord } from '../state.ts';
import type { EnvironmentVariableRecord } from '../environmentVariables/model.ts';

/**
 * Connxio integrations (contract §2.4, DECISIONS "integrations").
 *
 * The request (`IntegrationPostRequest`) is a subset of the stored `IntegrationConfig`; the twin
 * also accepts the stored-only fields (adapter `useProcessLock`, transformation `id`, …) so that
 * GET → edit → PUT round trips keep them, as the vendor's CLI and plugins do. Server-managed
 * fields (`id`, `_etag`, company/subscription names, created/updated stamps, `useApiKey`) are set
 * here. `id` = `configCorrelationId`; the owner is the subscription of the API key that wrote it.
 *
 * For other families (messaging, custom APIs), the fields that matter in a stored integration:
 * - `subscriptionId`: the owning subscription; use `findIntegration(company, subscriptionId, id)`.
 * - `enabled`: false = messages are refused.
 * - `inboundConnection.adapterType`: `"Api"` (messaging, custom APIs), `"EventGrid"`, `"TimeTrigger"`, …
 *   as stored; compare case-insensitively with `isInboundAdapter(i, 'Api')`.
 * - synchronous mode: `apiTriggerSettings(i)` → `{ synchronous, timeoutSeconds }`, read from the Api
 *   adapter's `connectionProperties` JSON (`{"useSynchronousCommunication": true, "timeoutInSeconds": 40}`).
 * - `subIntegrations[]`: `subIntegrationId`, `subintegrationName`, `enabled`, `outboundConnections[]`
 *   (`adapterId`, `adapterType`, `adapterName`, `connectionProperties`), `messageOutboundFormat`,
 *   `transformations[]` (`transformationType`, e.g. `Batching`), `preDefinedUserProperties`.
 * - `useApiKey`: true for everything saved through the API; false only for seeded legacy integrations.
 * - `transactionType`, `configCorrelationId`, `messageInboundFormat`, `messageInboundEncoding`.
 */

export const COSMOS_ENTITY_NAME = 'MessageHub.Models.Integration.IntegrationConfig';

export interface Condition {
  enabled: boolean;
  expression: string | null;
}

export interface InboundRetryOptions {
  failureRetryIntervalSeconds: number | null;
  turnOffFailureRetry: boolean;
  retryOnNonTransientFailures: boolean;
}

export interface IntervalOptions {
  useInterval: boolean;
  pollingIntervalInSeconds: number | null;
  intervalExpression: string | null;
  retryOptions: InboundRetryOptions | null;
}

export interface AckOptions {
  sendAck: boolean;
  adapterType: string | null;
  connectionProperties: string | null;
  transformationSasUri: string | null;
  transformationId: string | null;
  transformationVersion: string | null;
  ackOutboundFormat: string | null;
  sendNegativeAck: boolean;
  useZipMapping: boolean;
  dllFileNameWithExtension: string | null;
}

export interface Adapter {
  adapterType: string | null;
  adapterId: string | null;
  adapterName: string | null;
  connectionProperties: string | null;
  ackOptions: AckOptions | null;
  useProcessLock: boolean;
  wrapperType: number;
  mightBeWrapped: boolean;
  condition: Condition | null;
  intervalOptions: IntervalOptions | null;
}

export interface Transformation {
  id: string | null;
  transformationType: string | null;
  transformationName: string | null;
  properties: string | null;
  enabled: boolean | null;
  condition: Condition | null;
  continuousBatchOptions: { useContinuousBatch: boolean | null } | null;
}

export interface LoggingWebhookOverrides {
  logLevel: number;
  inboundMesssageType: string | null;
  outboundMessageType: string | null;
  logMessageContent: boolean | null;
  transactionTag: string | null;
  customInboundDescription: string | null;
  customOutboundDescription: string | null;
  logMetaData: boolean | null;
  enabled: boolean;
}

export interface SubIntegration {
  subIntegrationId: string | null;
  subintegrationName: string | null;
  sender: string | null;
  receiver: string | null;
  loggingWebhookOverrides: LoggingWebhookOverrides | null;
  transformations: Transformation[];
  passThrough: boolean;
  outboundConnections: Adapter[];
  messageOutboundFormat: string | null;
  messageOutboundEncoding: string | null;
  preDefinedUserProperties: Record<string, string>;
  enabled: boolean;
  internalProperties: Record<string, unknown> | null;
  condition: Condition | null;
}

export interface RetryOptions {
  failureCountIntervalMinutes: number | null;
  reQueueMaxDelaySeconds: number | null;
  reQueueMinDelaySeconds: number | null;
  maxErrorsPerInterval: number | null;
  numberOfRetries: number | null;
  maxDelayActions: number | null;
  enabled: boolean;
  turnOffErrorPersistance: boolean;
  inboundRetryOptions: InboundRetryOptions | null;
}

/** a logging or resend webhook: kept field by field (see LOGGING_WEBHOOK_DEFAULTS / RESEND_WEBHOOK_DEFAULTS) */
export type Webhook = Record<string, unknown>;

/** The stored document's fields (IntegrationConfig in the spec). */
export interface IntegrationConfig {
  id: string;
  _etag: string;
  cosmosEntityName: string;
  configCorrelationId: string;
  description: string | null;
  transactionType: string | null;
  sender: string | null;
  receiver: string | null;
  messageInboundFormat: string | null;
  messageInboundEncoding: string | null;
  subscriptionId: string;
  subscriptionName: string | null;
  companyId: string;
  companyName: string | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAtUtc: string;
  updatedAtUtc: string;
  enabled: boolean;
  removeBom: boolean;
  stopOnEncodingError: boolean;
  pollingIntervalInSeconds: number;
  intervalExpression: string | null;
  environment: number;
  useApiKey: boolean;
  archived: boolean;
  moved: boolean;
  handleAsBinaryFile: boolean;
  /** free labels (the vendor's plugins send them on update); null when none were sent */
  tags: string[] | null;
  inboundConnection: Adapter;
  subIntegrations: SubIntegration[];
  retryOptions: RetryOptions | null;
  loggingWebhooks: Webhook[] | null;
  resendWebhooks: Webhook[] | null;
  internalLoggingOptions: { logLevel: number; logMessageContent: boolean; logMetaData: boolean };
  internalProperties: { redirectInboundToRetry: boolean; redirectBatchingToRetry: boolean; redirectSplittingToRetry: boolean };
}

export interface IntegrationRecord extends IntegrationConfig, JsonRecord {}

/**
 * What a caller may send: the request schema plus the stored-only fields, all optional here
 * (the spec's `required` lists are enforced by ajv before the model runs).
 */
type Loose<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? Loose<U>[] | null : T[K] extends object | null ? Loose<NonNullable<T[K]>> | null : T[K] | null };
export type IntegrationInput = Loose<Omit<IntegrationConfig, 'inboundConnection' | 'subIntegrations'>> & {
  inboundConnection?: Loose<Adapter> | null;
  subIntegrations?: Array<Loose<Omit<SubIntegration, 'preDefinedUserProperties' | 'internalProperties'>> & {
    preDefinedUserProperties?: Record<string, string> | null;
    internalProperties?: Record<string, unknown> | null;
  }> | null;
};

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

// ---------------------------------------------------------------------------------------------
// lookups

/** The integration `id` of the given subscription, or undefined (other subscriptions' ids too). */
export function findIntegration(company: CompanyState, subscriptionId: string, id: string): IntegrationRecord | undefined {
  const found = company.integrations.get(id) ?? company.integrations.get(id.toLowerCase());
  return found && found.subscriptionId === subscriptionId ? found : undefined;
}

export function requireIntegration(company: CompanyState, subscriptionId: string, id: string): IntegrationRecord {
  const found = findIntegration(company, subscriptionId, id);
  if (!found) throw errors.notFound(`Integration ${id} was not found.`, { parameter: { id: 'id', location: 'path', value: id } });
  return found;
}

/** Every integration of the subscription, enabled or not, oldest first. */
export function listIntegrations(company: CompanyState, subscriptionId: string): IntegrationRecord[] {
  return company.integrations
    .all()
    .filter((i) => i.subscriptionId === subscriptionId)
    .sort((a, b) => a.createdAtUtc.localeCompare(b.createdAtUtc) || a.id.localeCompare(b.id));
}

export function getIntegration(company: CompanyState, subscriptionId: string, id: string, options: { replaceVariables?: boolean } = {}): IntegrationRecord {
  const integration = requireIntegration(company, subscriptionId, id);
  return options.replaceVariables ? replaceVariables(integration, company.environmentVariables.all(), subscriptionId) : integration;
}

export function deleteIntegration(company: CompanyState, subscriptionId: string, id: string): IntegrationRecord {
  const integration = requireIntegration(company, subscriptionId, id);
  company.integrations.delete(integration.id);
  return integration;
}

// ---------------------------------------------------------------------------------------------
// helpers for the messaging and custom-API families

export function inboundAdapterType(integration: IntegrationRecord): string | null {
  return integration.inboundConnection?.adapterType ?? null;
}

/** adapter type names compare case-insensitively (`Api`, `api`, `API`) */
export function isInboundAdapter(integration: IntegrationRecord, type: string): boolean {
  return (inboundAdapterType(integration) ?? '').toLowerCase() === type.toLowerCase();
}

/**
 * The API trigger's settings, from the Api adapter's `connectionProperties` JSON string
 * (keys matched case-insensitively): `useSynchronousCommunication` (bool or "true") and
 * `timeoutInSeconds` (the portal's synchronous timeout). Not an Api adapter → not synchronous.
 */
export function apiTriggerSettings(integration: IntegrationRecord): { synchronous: boolean; timeoutSeconds: number | null } {
  if (!isInboundAdapter(integration, 'Api')) return { synchronous: false, timeoutSeconds: null };
  const parsed = parseJsonString(integration.inboundConnection.connectionProperties);
  if (!parsed?.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    return { synchronous: false, timeoutSeconds: null };
  }
  let synchronous = false;
  let timeoutSeconds: number | null = null;
  for (const [k, v] of Object.entries(parsed.value)) {
    const key = k.toLowerCase();
    if (key === 'usesynchronouscommunication') synchronous = v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
    if (key === 'timeoutinseconds' || key === 'synchronoustimeoutinseconds') {
      const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
      if (Number.isFinite(n) && n > 0) timeoutSeconds = n;
    }
  }
  return { synchronous, timeoutSeconds };
}

// ---------------------------------------------------------------------------------------------
// environment variables: `{env:Name}`

const PLACEHOLDER = /\{env:([^{}]+)\}/gi;

/** The value of a variable for a subscription: its per-subscription value, else its default. */
export function variableValue(variable: EnvironmentVariableRecord, subscriptionId: string): string | null {
  const own = variable.subscriptionValues?.[subscriptionId];
  if (typeof own === 'string') return own;
  return variable.defaultValue ?? null;
}

/** Replaces `{env:Name}` (name case-insensitive) in one string; unknown names and variables without a value stay as they are. */
export function substitute(text: string, lookup: (name: string) => string | null, escapeForJson: boolean): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = lookup(name.trim());
    if (value === null) return whole;
    return escapeForJson ? JSON.stringify(value).slice(1, -1) : value;
  });
}

/**
 * A copy of the integration with every `{env:Name}` placeholder replaced. Inside strings that
 * hold JSON (`connectionProperties`, transformation `properties`) the value is JSON-escaped, so
 * the string stays valid JSON.
 */
export function replaceVariables(integration: IntegrationRecord, variables: EnvironmentVariableRecord[], subscriptionId: string): IntegrationRecord {
  const byName = new Map<string, EnvironmentVariableRecord>();
  for (const v of variables) if (v.name) byName.set(v.name.toLowerCase(), v);
  const lookup = (name: string) => {
    const v = byName.get(name.toLowerCase());
    return v ? variableValue(v, subscriptionId) : null;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('{env:') && !/\{env:/i.test(value)) return value;
      const holdsJson = parseJsonString(value)?.ok === true && /^\s*[[{]/.test(value);
      return substitute(value, lookup, holdsJson);
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return walk(integration) as IntegrationRecord;
}

// ---------------------------------------------------------------------------------------------
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
  if (stored && stored.subscriptionId !== subscriptionId) {
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

interface ServerFields {
  id: string;
  etag: string;
  subscription: SubscriptionRecord;
  companyId: string;
  companyName: string | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAtUtc: string;
  updatedAtUtc: string;
  moved: boolean;
  useApiKey: boolean;
  newId: () => string;
}

const or = <T>(value: T | null | undefined, fallback: T): T => (value === null || value === undefined ? fallback : value);

function condition(c: Loose<Condition> | null | undefined): Condition | null {
  return c ? { enabled: or(c.enabled, false), expression: or(c.expression, null) } : null;
}

function inboundRetry(r: Loose<InboundRetryOptions> | null | undefined): InboundRetryOptions | null {
  return r
    ? {
        failureRetryIntervalSeconds: or(r.failureRetryIntervalSeconds, null),
        turnOffFailureRetry: or(r.turnOffFailureRetry, false),
        retryOnNonTransientFailures: or(r.retryOnNonTransientFailures, false),
      }
    : null;
}

function ackOptions(a: Loose<AckOptions> | null | undefined): AckOptions | null {
  if (!a) return null;
  return {
    sendAck: or(a.sendAck, false),
    adapterType: or(a.adapterType, null),
    connectionProperties: or(a.connectionProperties, null),
    transformationSasUri: or(a.transformationSasUri, null),
    transformationId: or(a.transformationId, null),
    transformationVersion: or(a.transformationVersion, null),
    ackOutboundFormat: or(a.ackOutboundFormat, null),
    sendNegativeAck: or(a.sendNegativeAck, false),
    useZipMapping: or(a.useZipMapping, false),
    dllFileNameWithExtension: or(a.dllFileNameWithExtension, null),
  };
}

function adapter(a: Loose<Adapter> | null | undefined, newId: () => string): Adapter {
  const x = a ?? {};
  return {
    adapterType: or(x.adapterType, null),
    adapterId: x.adapterId ? x.adapterId : newId(),
    adapterName: or(x.adapterName, null),
    connectionProperties: or(x.connectionProperties, null),
    ackOptions: ackOptions(x.ackOptions),
    useProcessLock: or(x.useProcessLock, false),
    wrapperType: or(x.wrapperType, 0),
    mightBeWrapped: or(x.mightBeWrapped, false),
    condition: condition(x.condition),
    intervalOptions: x.intervalOptions
      ? {
          useInterval: or(x.intervalOptions.useInterval, false),
          pollingIntervalInSeconds: or(x.intervalOptions.pollingIntervalInSeconds, null),
          intervalExpression: or(x.intervalOptions.intervalExpression, null),
          retryOptions: inboundRetry(x.intervalOptions.retryOptions),
        }
      : null,
  };
}

function transformation(t: Loose<Transformation>, newId: () => string): Transformation {
  return {
    id: t.id ? t.id : newId(),
    transformationType: or(t.transformationType, null),
    transformationName: or(t.transformationName, null),
    properties: or(t.properties, null),
    enabled: or(t.enabled, true),
    condition: condition(t.condition),
    continuousBatchOptions: t.continuousBatchOptions ? { useContinuousBatch: or(t.continuousBatchOptions.useContinuousBatch, null) } : null,
  };
}

function overrides(o: Loose<LoggingWebhookOverrides> | null | undefined): LoggingWebhookOverrides | null {
  if (!o) return null;
  return {
    logLevel: or(o.logLevel, 0),
    inboundMesssageType: or(o.inboundMesssageType, null),
    outboundMessageType: or(o.outboundMessageType, null),
    logMessageContent: or(o.logMessageContent, null),
    transactionTag: or(o.transactionTag, null),
    customInboundDescription: or(o.customInboundDescription, null),
    customOutboundDescription: or(o.customOutboundDescription, null),
    logMetaData: or(o.logMetaData, null),
    enabled: or(o.enabled, false),
  };
}

const WEBHOOK_COMMON: Webhook = {
  contract: 0,
  endpointURL: null,
  httpVerb: null,
  webhookConnectionId: null,
  queryString: null,
  adapterType: 0,
  maxRetries: null,
  timeout: null,
  authorizationHeaderKey: null,
  type: 0,
  enabled: null,
  headers: null,
};

export const LOGGING_WEBHOOK_DEFAULTS: Webhook = {
  ...WEBHOOK_COMMON,
  logLevel: 0,
  inboundMesssageType: null,
  outboundMessageType: null,
  logMessageContent: null,
  transactionTag: null,
  customInboundDescription: null,
  customOutboundDescription: null,
  logMetaData: null,
  useExternalContentService: null,
  sendContentOnExternalServiceFailure: null,
  externalContentServiceWebhook: null,
};

export const RESEND_WEBHOOK_DEFAULTS: Webhook = { ...WEBHOOK_COMMON, usePureMessageSending: false };

function webhooks(list: unknown[] | null | undefined, defaults: Webhook): Webhook[] | null {
  if (!list) return null;
  return list.map((w) => {
    const given = (w ?? {}) as Record<string, unknown>;
    const out: Webhook = {};
    for (const [key, fallback] of Object.entries(defaults)) out[key] = or(given[key], fallback);
    return out;
  });
}

function retryOptions(r: Loose<RetryOptions> | null | undefined): RetryOptions | null {
  if (!r) return null;
  return {
    failureCountIntervalMinutes: or(r.failureCountIntervalMinutes, null),
    reQueueMaxDelaySeconds: or(r.reQueueMaxDelaySeconds, null),
    reQueueMinDelaySeconds: or(r.reQueueMinDelaySeconds, null),
    maxErrorsPerInterval: or(r.maxErrorsPerInterval, null),
    numberOfRetries: or(r.numberOfRetries, null),
    maxDelayActions: or(r.maxDelayActions, null),
    enabled: or(r.enabled, false),
    turnOffErrorPersistance: or(r.turnOffErrorPersistance, false),
    inboundRetryOptions: inboundRetry(r.inboundRetryOptions),
  };
}

/** The stored document: request fields (C# defaults for what is missing) plus the server's own. */
function buildRecord(input: IntegrationInput, s: ServerFields): IntegrationRecord {
  const sender = or(input.sender, null);
  const receiver = or(input.receiver, null);
  const ilo = input.internalLoggingOptions;
  const ip = input.internalProperties;
  return {
    id: s.id,
    _etag: s.etag,
    cosmosEntityName: COSMOS_ENTITY_NAME,
    configCorrelationId: s.id,
    description: or(input.description, null),
    transactionType: or(input.transactionType, null),
    sender,
    receiver,
    messageInboundFormat: or(input.messageInboundFormat, null),
    messageInboundEncoding: or(input.messageInboundEncoding, null),
    subscriptionId: s.subscription.id,
    subscriptionName: s.subscription.name,
    companyId: s.companyId,
    companyName: s.companyName,
    createdBy: s.createdBy,
    updatedBy: s.updatedBy,
    createdAtUtc: s.createdAtUtc,
    updatedAtUtc: s.updatedAtUtc,
    enabled: or(input.enabled, false),
    removeBom: or(input.removeBom, false),
    stopOnEncodingError: or(input.stopOnEncodingError, false),
    pollingIntervalInSeconds: or(input.pollingIntervalInSeconds, 60),
    intervalExpression: or(input.intervalExpression, null),
    environment: or(input.environment, 0),
    useApiKey: s.useApiKey,
    archived: or(input.archived, false),
    moved: s.moved,
    handleAsBinaryFile: or(input.handleAsBinaryFile, false),
    tags: input.tags ? input.tags.filter((t): t is string => typeof t === 'string') : null,
    inboundConnection: adapter(input.inboundConnection, s.newId),
    subIntegrations: (input.subIntegrations ?? []).map((sub) => ({
      subIntegrationId: sub.subIntegrationId ? sub.subIntegrationId.toLowerCase() : null,
      subintegrationName: or(sub.subintegrationName, null),
      sender: or(sub.sender, sender),
      receiver: or(sub.receiver, receiver),
      loggingWebhookOverrides: overrides(sub.loggingWebhookOverrides),
      transformations: (sub.transformations ?? []).map((t) => transformation(t ?? {}, s.newId)),
      passThrough: or(sub.passThrough, false),
      outboundConnections: (sub.outboundConnections ?? []).map((a) => adapter(a, s.newId)),
      messageOutboundFormat: or(sub.messageOutboundFormat, null),
      messageOutboundEncoding: or(sub.messageOutboundEncoding, null),
      preDefinedUserProperties: { ...(sub.preDefinedUserProperties ?? {}) },
      enabled: or(sub.enabled, false),
      internalProperties: sub.internalProperties ? { ...sub.internalProperties } : null,
      condition: condition(sub.condition) ?? { enabled: false, expression: null },
    })),
    retryOptions: retryOptions(input.retryOptions),
    loggingWebhooks: webhooks(input.loggingWebhooks as unknown[] | null | undefined, LOGGING_WEBHOOK_DEFAULTS),
    resendWebhooks: webhooks(input.resendWebhooks as unknown[] | null | undefined, RESEND_WEBHOOK_DEFAULTS),
    internalLoggingOptions: {
      logLevel: or(ilo?.logLevel, 2),
      logMessageContent: or(ilo?.logMessageContent, false),
      logMetaData: or(ilo?.logMetaData, true),
    },
    internalProperties: {
      redirectInboundToRetry: or(ip?.redirectInboundToRetry, false),
      redirectBatchingToRetry: or(ip?.redirectBatchingToRetry, false),
      redirectSplittingToRetry: or(ip?.redirectSplittingToRetry, false),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// business validation (what POST /v2/integrations checks and /novalidation lets through)

const SECURITY_REF_KEYS = new Set(['webhookconnectionid', 'securityconfigid', 'securityconfigurationid']);

/**
 * Rules beyond the schema (the twin's own, see the report): JSON-in-a-string fields must be
 * JSON; sub-integration ids unique; every sub-integration has an outbound connection; a Redirect
 * names an existing other integration of the subscription; referenced security configurations
 * exist; a TimeTrigger has an interval expression; re-queue delays are ordered; a synchronous
 * API trigger has no Batching step.
 */
export function validateIntegration(company: CompanyState, integration: IntegrationRecord): FieldErrors {
  const problems = new FieldErrors();
  const securityIds = new Set(company.securityConfigs.all().map((c) => c.id.toLowerCase()));
  const checkSecurityRef = (field: string, id: unknown) => {
    if (typeof id !== 'string' || id.trim() === '' || id.includes('{')) return;
    if (!securityIds.has(id.toLowerCase())) problems.add(field, `The security configuration ${id} does not exist.`);
  };
  const checkJson = (field: string, text: string | null) => {
    const parsed = parseJsonString(text);
    if (parsed && !parsed.ok) {
      problems.add(field, `The value must be JSON serialised into a string: ${parsed.error}`);
      return undefined;
    }
    return parsed?.value;
  };
  const checkAdapter = (field: string, a: Adapter) => {
    if (!a.adapterType) problems.add(`${field}.AdapterType`, 'The AdapterType field is required.');
    const props = checkJson(`${field}.ConnectionProperties`, a.connectionProperties);
    for (const [k, v] of walkEntries(props)) if (SECURITY_REF_KEYS.has(k.toLowerCase())) checkSecurityRef(`${field}.ConnectionProperties`, v);
    if (a.ackOptions) checkJson(`${field}.AckOptions.ConnectionProperties`, a.ackOptions.connectionProperties);
    return props;
  };

  checkAdapter('InboundConnection', integration.inboundConnection);
  const inbound = (integration.inboundConnection.adapterType ?? '').toLowerCase();
  if (inbound === 'timetrigger' && !integration.intervalExpression && !integration.inboundConnection.intervalOptions?.intervalExpression) {
    problems.add('IntervalExpression', 'A TimeTrigger integration needs an interval expression.');
  }
  const synchronous = apiTriggerSettings(integration).synchronous;

  const seen = new Map<string, number>();
  integration.subIntegrations.forEach((sub, i) => {
    const field = `SubIntegrations[${i}]`;
    if (sub.subIntegrationId) {
      const first = seen.get(sub.subIntegrationId);
      if (first !== undefined) problems.add(`${field}.SubIntegrationId`, `The sub-integration id ${sub.subIntegrationId} is already used by SubIntegrations[${first}].`);
      else seen.set(sub.subIntegrationId, i);
    }
    if (sub.outboundConnections.length === 0) problems.add(`${field}.OutboundConnections`, 'A sub-integration needs at least one outbound connection.');
    sub.outboundConnections.forEach((a, j) => {
      const adapterField = `${field}.OutboundConnections[${j}]`;
      const props = checkAdapter(adapterField, a);
      if ((a.adapterType ?? '').toLowerCase() === 'redirect') {
        const target = redirectTarget(props);
        if (!target) problems.add(`${adapterField}.ConnectionProperties`, 'A Redirect adapter needs the IntegrationId of the integration to redirect to.');
        else if (target.toLowerCase() === integration.id) problems.add(`${adapterField}.ConnectionProperties`, 'A Redirect adapter cannot redirect an integration to itself.');
        else if (!target.includes('{') && !findIntegration(company, integration.subscriptionId, target.toLowerCase())) {
          problems.add(`${adapterField}.ConnectionProperties`, `The Redirect target integration ${target} does not exist in this subscription.`);
        }
      }
    });
    sub.transformations.forEach((t, j) => {
      const tField = `${field}.Transformations[${j}]`;
      if (!t.transformationType) problems.add(`${tField}.TransformationType`, 'The TransformationType field is required.');
      const props = checkJson(`${tField}.Properties`, t.properties);
      for (const [k, v] of walkEntries(props)) if (SECURITY_REF_KEYS.has(k.toLowerCase())) checkSecurityRef(`${tField}.Properties`, v);
      if (synchronous && (t.transformationType ?? '').toLowerCase() === 'batching') {
        problems.add(`${tField}.TransformationType`, 'Batching transformations are not supported for synchronous integrations.');
      }
    });
  });
  (integration.loggingWebhooks ?? []).forEach((w, i) => checkSecurityRef(`LoggingWebhooks[${i}].WebhookConnectionId`, w.webhookConnectionId));
  (integration.resendWebhooks ?? []).forEach((w, i) => checkSecurityRef(`ResendWebhooks[${i}].WebhookConnectionId`, w.webhookConnectionId));

  const r = integration.retryOptions;
  if (r) {
    for (const key of ['failureCountIntervalMinutes', 'reQueueMaxDelaySeconds', 'reQueueMinDelaySeconds', 'maxErrorsPerInterval', 'numberOfRetries', 'maxDelayActions'] as const) {
      const v = r[key];
      if (typeof v === 'number' && v < 0) problems.add(`RetryOptions.${key.charAt(0).toUpperCase()}${key.slice(1)}`, 'The value may not be negative.');
    }
    if (typeof r.reQueueMinDelaySeconds === 'number' && typeof r.reQueueMaxDelaySeconds === 'number' && r.reQueueMinDelaySeconds > r.reQueueMaxDelaySeconds) {
      problems.add('RetryOptions.ReQueueMinDelaySeconds', 'ReQueueMinDelaySeconds may not exceed ReQueueMaxDelaySeconds.');
    }
  }
  return problems;
}

function redirectTarget(props: unknown): string | undefined {
  if (props === null || typeof props !== 'object' || Array.isArray(props)) return undefined;
  for (const [k, v] of Object.entries(props)) {
    if (k.toLowerCase() === 'integrationid' && typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/** Does any integration of the company (any subscription) reference this code component id? */
export function integrationsUsingComponent(company: CompanyState, componentId: string): IntegrationRecord[] {
  const escaped = componentId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const token = new RegExp(`(^|[^A-Za-z0-9-])${escaped}($|[^A-Za-z0-9-])`, 'i');
  return company.integrations.all().filter((integration) => {
    const adapters = [integration.inboundConnection, ...integration.subIntegrations.flatMap((s) => s.outboundConnections)];
    if (adapters.some((a) => a.ackOptions?.transformationId && a.ackOptions.transformationId.toLowerCase() === componentId.toLowerCase())) return true;
    return integration.subIntegrations.some((s) => s.transformations.some((t) => token.test(t.properties ?? '')));
  });
}
