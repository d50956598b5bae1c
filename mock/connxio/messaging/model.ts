import { errors } from '../../core/errors.ts';
import type { DeliveredMessage, MessageChannel } from '../../core/message-journal.ts';
import type { Tx } from '../../core/store/store.ts';
import { iso, type ModelEnv } from '../company/model.ts';
import { apiTriggerSettings, findIntegration, inboundAdapterType, isInboundAdapter, type IntegrationRecord } from '../integrations/model.ts';
import { companyState } from '../state.ts';

/**
 * The Connxio Messaging API (contract §5, DECISIONS "messaging"), as pure functions: find the
 * target integration, check that it takes messages on this channel, turn the request into the
 * messages it delivers (journal entries) and, for a synchronous integration, build the
 * per-sub-integration answer deterministically from its configuration. Custom APIs deliver
 * through the same functions (channel `custom-api`).
 */

export type DeliveryChannel = MessageChannel;

/** The inbound adapter a channel needs: `/eventgrid` takes EventGrid integrations, the rest Api ones. */
export function requiredAdapter(channel: DeliveryChannel): 'Api' | 'EventGrid' {
  return channel === 'eventgrid' ? 'EventGrid' : 'Api';
}

/**
 * Finds an integration without knowing the company (a message sent without an API key, for the
 * `useApiKey: false` rule). Integration ids are GUIDs, so at most one company holds it.
 */
export function locateIntegration(tx: Tx, integrationId: string): { companyId: string; integration: IntegrationRecord } | undefined {
  for (const name of tx.collections('connxio/company/')) {
    const m = /^connxio\/company\/([^/]+)\/integrations$/.exec(name);
    if (!m) continue;
    const company = companyState(tx, m[1]!);
    const integration = company.integrations.get(integrationId) ?? company.integrations.get(integrationId.toLowerCase());
    if (integration) return { companyId: m[1]!, integration };
  }
  return undefined;
}

/** 404 unless the integration exists in the caller's subscription (another subscription's is invisible). */
export function findTargetIntegration(tx: Tx, companyId: string, subscriptionId: string, integrationId: string): IntegrationRecord {
  const integration = findIntegration(companyState(tx, companyId), subscriptionId, integrationId);
  if (!integration) throw errors.notFound(`Integration ${integrationId} was not found.`);
  return integration;
}

export function isSynchronous(integration: IntegrationRecord): boolean {
  return apiTriggerSettings(integration).synchronous;
}

function parseJsonObject(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function lookupCaseless(obj: Record<string, unknown> | undefined, names: string[]): unknown {
  if (!obj) return undefined;
  const wanted = names.map((n) => n.toLowerCase());
  for (const [k, v] of Object.entries(obj)) if (wanted.includes(k.toLowerCase())) return v;
  return undefined;
}

/** 400 when the integration cannot take a message on this channel (DECISIONS). */
export function assertAcceptsMessages(integration: IntegrationRecord, channel: DeliveryChannel): void {
  const id = integration.configCorrelationId;
  if (integration.enabled !== true) throw errors.badRequest(`Integration ${id} is disabled.`);
  const needed = requiredAdapter(channel);
  if (!isInboundAdapter(integration, needed)) {
    const actual = inboundAdapterType(integration);
    throw errors.badRequest(`The inbound adapter of integration ${id} is ${actual || '(none)'}, not ${needed}; ${needed === 'Api' ? 'only API-triggered integrations accept messages here' : 'use /messages/{integrationId} for API-triggered integrations'}.`);
  }
  if (channel === 'batch' && isSynchronous(integration)) throw errors.badRequest('Batches are not supported for synchronous integrations.');
}

/** `cx-*` request headers, prefix kept (as Node lower-cases header names), values as strings. */
export function userPropertiesFrom(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.toLowerCase().startsWith('cx-') || value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

const NODE_ENCODINGS: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  ascii: 'ascii',
  'us-ascii': 'ascii',
  'iso-8859-1': 'latin1',
  latin1: 'latin1',
  'windows-1252': 'latin1',
  'utf-16': 'utf16le',
  'utf-16le': 'utf16le',
  unicode: 'utf16le',
};

/** "invalid or missing falls back to utf-8" (contract §2.4.2) */
export function decodeMessage(bytes: Buffer, encoding: string | null | undefined): string {
  const name = (encoding ?? '').trim().toLowerCase();
  // own keys only: "constructor" or "__proto__" is just an unknown encoding
  return bytes.toString(Object.hasOwn(NODE_ENCODINGS, name) ? NODE_ENCODINGS[name] : 'utf8');
}

/** One message as the entry point received it, before delivery. */
export interface InboundMessage {
  bytes: Buffer;
  contentType: string | null;
  messageEncoding?: string | null;
  interchangeId?: string | null;
  fileName?: string | null;
}

/** A batch item: `messageBody` is base64 (validated by the spec's `format: byte`). */
export interface BatchItem {
  messageEncoding?: string | null;
  interchangeId?: string | null;
  messageBody: string;
  fileName?: string | null;
}

export function batchMessages(items: BatchItem[]): InboundMessage[] {
  if (items.length === 0) throw errors.badRequest('The batch holds no messages.', { parameter: { id: '/', location: 'body' } });
  return items.map((item) => ({
    bytes: Buffer.from(item.messageBody, 'base64'),
    contentType: null,
    messageEncoding: item.messageEncoding,
    interchangeId: item.interchangeId,
    fileName: item.fileName,
  }));
}

/** Event Grid delivers an array of events; each event is one message (its JSON). */
export function eventGridMessages(events: unknown[], query: { MessageEncoding?: string; InterchangeId?: string; FileName?: string }): InboundMessage[] {
  if (events.length === 0) throw errors.badRequest('The request holds no Event Grid events.', { parameter: { id: '/', location: 'body' } });
  return events.map((event) => ({
    bytes: Buffer.from(JSON.stringify(event), 'utf8'),
    contentType: 'application/json',
    messageEncoding: query.MessageEncoding,
    interchangeId: query.InterchangeId,
    fileName: query.FileName,
  }));
}

/** Who delivered, and how they authenticated. */
export interface DeliveryContext {
  companyId: string;
  subscriptionId: string;
  channel: DeliveryChannel;
  apiVersion: string | null;
  auth: DeliveredMessage['auth'];
  keyId: string | null;
  userProperties: Record<string, string>;
  customApi?: DeliveredMessage['customApi'];
}

export interface DeliveryResult {
  entries: Array<Omit<DeliveredMessage, 'id'>>;
  interchangeIds: string[];
  /** the SynchronousResponse array, for a synchronous integration (single messages only) */
  synchronousResponse?: SynchronousSubIntegrationResponse[];
}

/** Turns accepted messages into journal entries (and the synchronous answer). Call after assertAcceptsMessages. */
export function deliverMessages(integration: IntegrationRecord, messages: InboundMessage[], ctx: DeliveryContext, env: ModelEnv): DeliveryResult {
  const synchronous = ctx.channel !== 'batch' && ctx.channel !== 'eventgrid' && isSynchronous(integration);
  const at = iso(env.nowMs);
  const entries = messages.map((m) => {
    const interchangeId = m.interchangeId && m.interchangeId.trim() !== '' ? m.interchangeId : env.random.uuid();
    const messageEncoding = m.messageEncoding && m.messageEncoding.trim() !== '' ? m.messageEncoding : 'utf-8';
    const entry: Omit<DeliveredMessage, 'id'> = {
      at,
      companyId: ctx.companyId,
      subscriptionId: ctx.subscriptionId,
      integrationId: integration.configCorrelationId,
      interchangeId,
      channel: ctx.channel,
      apiVersion: ctx.apiVersion,
      auth: ctx.auth,
      keyId: ctx.keyId,
      contentType: m.contentType,
      messageEncoding,
      fileName: m.fileName ?? null,
      body: decodeMessage(m.bytes, messageEncoding),
      bodyBase64: m.bytes.toString('base64'),
      preDefinedUserProperties: { ...ctx.userProperties },
      synchronous,
      ...(ctx.customApi ? { customApi: ctx.customApi } : {}),
    };
    return entry;
  });
  const result: DeliveryResult = { entries, interchangeIds: entries.map((e) => e.interchangeId) };
  if (synchronous && entries.length === 1) result.synchronousResponse = synchronousResponse(integration, entries[0]!);
  return result;
}

export interface SynchronousSubIntegrationResponse {
  subIntegrationName: string | null;
  totalResponses: number;
  synchronousMessageResponses: Array<{
    metaData: Record<string, unknown>;
    errorMessage: null;
    messageErrorCode: null;
    stackTrace: null;
    transientError: null;
    origin: null;
  }>;
}

/**
 * The synchronous answer (contract §5.2): one element per enabled sub-integration, one response
 * per outbound adapter. The twin runs no transformations and calls no endpoint, so
 * `outboundRestResponse` is null; everything else follows from the configuration and the message.
 */
export function synchronousResponse(integration: IntegrationRecord, message: Omit<DeliveredMessage, 'id'>): SynchronousSubIntegrationResponse[] {
  const subs = (integration.subIntegrations ?? []).filter((s) => s.enabled !== false);
  return subs.map((sub) => {
    const outbounds = sub.outboundConnections ?? [];
    const format = (sub.messageOutboundFormat ?? 'json').toLowerCase();
    return {
      subIntegrationName: sub.subintegrationName ?? null,
      totalResponses: outbounds.length,
      synchronousMessageResponses: outbounds.map((out, index) => ({
        metaData: {
          interchangeId: message.interchangeId,
          inboundFileName: message.fileName,
          inboundFilePath: null,
          outboundFileName: message.fileName,
          started: message.at,
          dataCollection: {},
          userDefinedProperties: { ...(sub.preDefinedUserProperties ?? {}), ...message.preDefinedUserProperties },
          inboundMessageMetaData: null,
          configCorrelatioId: message.integrationId,
          transformationBlobName: null,
          outboundBlobName: `${message.interchangeId}_${sub.subIntegrationId ?? index}_${out.adapterId ?? index}.${format}`,
          inboundAdapter: 'Api',
          inboundEndpoint: null,
          outboundAdapter: out.adapterType ?? null,
          outboundEndpoint: endpointOf(out.connectionProperties),
          transactionType: integration.transactionType ?? null,
          manualResendCount: 0,
          outboundRestResponse: null,
          isTestRun: false,
          useSynchronousCommunication: true,
          testRunId: null,
        },
        errorMessage: null,
        messageErrorCode: null,
        stackTrace: null,
        transientError: null,
        origin: null,
      })),
    };
  });
}

function endpointOf(connectionProperties: string | null | undefined): string | null {
  const value = lookupCaseless(parseJsonObject(connectionProperties), ['endpointURL', 'endpointUrl', 'url']);
  return typeof value === 'string' && value !== '' ? value : null;
}
