import { errors } from '../../core/errors.ts';
import type { DeliveredMessage } from '../../core/message-journal.ts';
import type { Tx } from '../../core/store/store.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { locateIntegration } from '../messaging/model.ts';

/**
 * The legacy resend endpoints (`POST /v1/resend/archeo[/restart]`, contract §5.1): the engine
 * resends (stateful) or restarts (stateless) a message that Archeo logged. The twin resends
 * nothing. It checks the request and turns it into a message-journal entry (channel `resend`),
 * so a test can see that the resend was asked for.
 */

export type ResendKind = 'archeo' | 'restart';

/** the vendor's ArcheoResendEventRequest, as the spec has validated it */
export interface ArcheoResendEventRequest {
  transactionId?: string | null;
  contentSasUri?: string | null;
  resendDateTime?: string | null;
  logStepMetaData?: {
    transactionId?: string | null;
    fileName?: string | null;
    metadata?: Record<string, unknown> | null;
    [field: string]: unknown;
  } | null;
  [field: string]: unknown;
}

/** who asked for the resend */
export interface ResendCaller {
  companyId: string;
  subscriptionId: string;
  keyId: string;
  userProperties: Record<string, string>;
}

const present = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** `metadata["ConfigCorrelatioId"]` (the vendor's spelling), or the correct spelling; any letter case */
export function metadataIntegrationId(request: ArcheoResendEventRequest): string | undefined {
  const metadata = request.logStepMetaData?.metadata;
  if (!metadata) return undefined;
  for (const [key, value] of Object.entries(metadata)) {
    if (/^configcorrelation?id$/i.test(key) && present(value)) return value;
  }
  return undefined;
}

/**
 * A SAS URI grants access by its `sig` parameter: the journal keeps the URI with the signature
 * replaced, like any credential. A value that is not a URL is kept as sent.
 */
export function redactSasUri(uri: string | null | undefined): string | null {
  if (uri === undefined || uri === null) return null;
  return uri.replace(/([?&]sig=)[^&#]*/gi, '$1REDACTED');
}

/**
 * `restart` needs the integration to restart (metadata `ConfigCorrelatioId`): missing, or an id
 * no integration has → 400 (the vendor lists no 404 here); another subscription's → 404 (DECISIONS).
 * Returns the integration id as stored.
 */
export function restartTarget(tx: Tx, caller: ResendCaller, request: ArcheoResendEventRequest): string {
  const id = metadataIntegrationId(request);
  if (!id) {
    throw errors.badRequest('A restart needs the integration to restart: logStepMetaData.metadata["ConfigCorrelatioId"].', {
      issues: [{ location: 'body', pointer: '/logStepMetaData/metadata/ConfigCorrelatioId', message: 'is required' }],
    });
  }
  const located = locateIntegration(tx, id);
  if (!located) throw errors.badRequest(`Integration ${id} was not found.`, { parameter: { id: '/logStepMetaData/metadata/ConfigCorrelatioId', location: 'body', value: id } });
  if (located.companyId !== caller.companyId || located.integration.subscriptionId !== caller.subscriptionId) throw errors.notFound(`Integration ${id} was not found.`);
  return located.integration.configCorrelationId;
}

const REQUEST_MEMBERS = ['transactionId', 'contentSasUri', 'resendDateTime', 'logStepMetaData'] as const;
const LOG_STEP_MEMBERS = ['transactionId', 'description', 'transactionTypeName', 'messageTypeName', 'senderName', 'recieverName', 'statusName', 'fileName', 'processed', 'metadata'] as const;

function pick(from: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (from[name] !== undefined) out[name] = from[name];
  return out;
}

/** the members the vendor's type declares (unknown ones are accepted and ignored, never kept) */
function declaredMembers(request: ArcheoResendEventRequest): Record<string, unknown> {
  const kept = pick(request, REQUEST_MEMBERS);
  if (request.logStepMetaData) kept.logStepMetaData = pick(request.logStepMetaData, LOG_STEP_MEMBERS);
  return kept;
}

/** the request as the journal keeps it; a free-form `metadata` nested too deeply to write out is the client's mistake */
function serialise(request: Record<string, unknown>): string {
  try {
    return JSON.stringify(request);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw errors.badRequest('logStepMetaData.metadata is nested too deeply.', {
      issues: [{ location: 'body', pointer: '/logStepMetaData/metadata', message: 'is nested too deeply' }],
    });
  }
}

/** the journal entry of an accepted resend request (the request itself is its body, SAS signature redacted) */
export function resendEntry(kind: ResendKind, request: ArcheoResendEventRequest, caller: ResendCaller, integrationId: string, env: ModelEnv): Omit<DeliveredMessage, 'id'> {
  const contentSasUri = redactSasUri(request.contentSasUri);
  const text = serialise({ ...declaredMembers(request), ...(request.contentSasUri === undefined ? {} : { contentSasUri }) });
  const interchangeId = present(request.transactionId) ? request.transactionId : present(request.logStepMetaData?.transactionId) ? request.logStepMetaData.transactionId : env.random.uuid();
  return {
    at: iso(env.nowMs),
    companyId: caller.companyId,
    subscriptionId: caller.subscriptionId,
    integrationId,
    interchangeId,
    channel: 'resend',
    apiVersion: 'v1',
    auth: 'bearer',
    keyId: caller.keyId,
    contentType: 'application/json',
    messageEncoding: 'utf-8',
    fileName: request.logStepMetaData?.fileName ?? null,
    body: text,
    bodyBase64: Buffer.from(text, 'utf8').toString('base64'),
    preDefinedUserProperties: { ...caller.userProperties },
    synchronous: false,
    resend: { kind, contentSasUri, resendDateTime: request.resendDateTime ?? null },
  };
}
