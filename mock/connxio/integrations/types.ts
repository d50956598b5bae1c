import type { JsonRecord } from '../../core/store/document.ts';

/** The integration document as stored and returned (IntegrationConfig in the spec), and what a caller may send. */

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

/** the vendor's InternalProperties (of an integration and of a sub-integration) */
export interface InternalProperties {
  redirectInboundToRetry: boolean;
  redirectBatchingToRetry: boolean;
  redirectSplittingToRetry: boolean;
}

/** the vendor's TransformationAction: exactly these four (no enabled, condition or continuousBatchOptions) */
export interface Transformation {
  id: string | null;
  transformationType: string | null;
  transformationName: string | null;
  properties: string | null;
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
  internalProperties: InternalProperties | null;
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
  inboundConnection: Adapter;
  subIntegrations: SubIntegration[];
  retryOptions: RetryOptions | null;
  loggingWebhooks: Webhook[] | null;
  resendWebhooks: Webhook[] | null;
  internalLoggingOptions: { logLevel: number; logMessageContent: boolean; logMetaData: boolean };
  internalProperties: InternalProperties;
}

export interface IntegrationRecord extends IntegrationConfig, JsonRecord {}

/**
 * What a caller may send: the request schema plus the stored-only fields, all optional here
 * (the spec's `required` lists are enforced by ajv before the model runs).
 */
export type Loose<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? Loose<U>[] | null : T[K] extends object | null ? Loose<NonNullable<T[K]>> | null : T[K] | null };
export type IntegrationInput = Loose<Omit<IntegrationConfig, 'inboundConnection' | 'subIntegrations'>> & {
  inboundConnection?: Loose<Adapter> | null;
  subIntegrations?: Array<Loose<Omit<SubIntegration, 'preDefinedUserProperties' | 'internalProperties'>> & {
    preDefinedUserProperties?: Record<string, string> | null;
    internalProperties?: Loose<InternalProperties> | null;
  }> | null;
};
