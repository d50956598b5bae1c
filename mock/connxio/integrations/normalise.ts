import type { SubscriptionRecord } from '../state.ts';
import {
  COSMOS_ENTITY_NAME,
  type AckOptions,
  type Adapter,
  type Condition,
  type InboundRetryOptions,
  type IntegrationInput,
  type IntegrationRecord,
  type InternalProperties,
  type LoggingWebhookOverrides,
  type Loose,
  type RetryOptions,
  type Transformation,
  type Webhook,
} from './types.ts';
import { isOneOf } from '../../core/narrow.ts';

/**
 * A request body (`IntegrationInput`) made into the stored document: every field present, the
 * vendor's C# defaults for what is missing, ids for adapters and transformations that lack one.
 */

/** the fields the server sets, whatever the body carries */
export interface ServerFields {
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
  };
}

const TRANSFORMATION_FIELDS = ['id', 'transformationType', 'transformationName', 'properties'] as const;
const INTERNAL_PROPERTIES = ['redirectInboundToRetry', 'redirectBatchingToRetry', 'redirectSplittingToRetry'] as const;

/**
 * A stored integration as the vendor's IntegrationConfig has it. Documents written by older
 * versions of the twin may still hold members the vendor's types do not declare (`tags`; a
 * transformation's `enabled`, `condition`, `continuousBatchOptions`; a sub-integration's
 * `internalProperties` beyond the three flags): they are left out on every
 * read, so no response carries them, and the next write stores the document without them. A
 * document that holds none is returned as it is.
 */
export function integrationView(record: IntegrationRecord): IntegrationRecord {
  const legacyTags = Object.hasOwn(record, 'tags');
  const legacySteps = record.subIntegrations?.some(
    (sub) =>
      sub.transformations?.some((t) => Object.keys(t).some((k) => !isOneOf(TRANSFORMATION_FIELDS, k))) ||
      (sub.internalProperties && Object.entries(sub.internalProperties).some(([k, v]) => !isOneOf(INTERNAL_PROPERTIES, k) || typeof v !== 'boolean')),
  );
  if (!legacyTags && !legacySteps) return record;
  // a record stored by an older twin may still carry tags
  const { tags: _tags, ...rest } = record as IntegrationRecord & { tags?: unknown };
  return {
    ...rest,
    subIntegrations: rest.subIntegrations.map((sub) => ({
      ...sub,
      transformations: (sub.transformations ?? []).map((t) => ({ id: t.id ?? null, transformationType: t.transformationType ?? null, transformationName: t.transformationName ?? null, properties: t.properties ?? null })),
      // an older record's internal properties may hold members the twin no longer keeps: read loosely
      internalProperties: sub.internalProperties ? internalProperties(sub.internalProperties as Loose<InternalProperties>) : null,
    })),
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
    const given = (w ?? {}) as Record<string, unknown>; // each member is read through or() below
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

/** the vendor's InternalProperties: the three flags (false when missing), nothing else */
function internalProperties(p: Loose<InternalProperties> | null | undefined): InternalProperties {
  return {
    redirectInboundToRetry: or(p?.redirectInboundToRetry, false),
    redirectBatchingToRetry: or(p?.redirectBatchingToRetry, false),
    redirectSplittingToRetry: or(p?.redirectSplittingToRetry, false),
  };
}

/** The stored document: request fields (C# defaults for what is missing) plus the server's own. */
export function buildRecord(input: IntegrationInput, s: ServerFields): IntegrationRecord {
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
      internalProperties: sub.internalProperties ? internalProperties(sub.internalProperties) : null,
      condition: condition(sub.condition) ?? { enabled: false, expression: null },
    })),
    retryOptions: retryOptions(input.retryOptions),
    // webhooks() reads each given webhook member by member
    loggingWebhooks: webhooks(input.loggingWebhooks as unknown[] | null | undefined, LOGGING_WEBHOOK_DEFAULTS),
    resendWebhooks: webhooks(input.resendWebhooks as unknown[] | null | undefined, RESEND_WEBHOOK_DEFAULTS), // (the same)
    internalLoggingOptions: {
      logLevel: or(ilo?.logLevel, 2),
      logMessageContent: or(ilo?.logMessageContent, false),
      logMetaData: or(ilo?.logMetaData, true),
    },
    internalProperties: internalProperties(ip),
  };
}
