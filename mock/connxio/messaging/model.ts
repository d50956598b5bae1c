import type { XMLParser } from 'fast-xml-parser';
import { DATACONTRACT_XML_OPTIONS, checkWellFormedXml, fastXmlParser, unreadableXml } from '../xml-document.ts';
import { errors } from '../../core/errors.ts';
import { messageOf } from '../../core/error-message.ts';
import type { DeliveredMessage, MessageChannel } from '../../core/message-journal.ts';
import type { Tx } from '../../core/store/store.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import type { EnvironmentVariableRecord } from '../state.ts';
import { apiTriggerSettings, inboundAdapterType, isInboundAdapter } from '../integrations/inbound.ts';
import { findIntegration } from '../integrations/lookups.ts';
import { replaceVariables } from '../integrations/variables.ts';
import type { IntegrationRecord } from '../integrations/types.ts';
import { companyState } from '../state.ts';
import { isPlainObject } from '../../core/store/document.ts';

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
    return isPlainObject(parsed) ? parsed : undefined;
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

/**
 * `cx-*` request headers (contract §1.3: "copied verbatim", prefix kept, value as a string): the
 * names as the client wrote them, from the raw header lines (Node lower-cases `headers`). A name
 * sent more than once (in any case) keeps its first spelling, its values joined with ", ". Without
 * raw lines, the lower-cased names of `headers` are all there is.
 */
export function userPropertiesFrom(request: { rawHeaders?: readonly string[]; headers: Record<string, string | string[] | undefined> }): Record<string, string> {
  const lines: Array<[string, string]> = [];
  if (request.rawHeaders) {
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) lines.push([request.rawHeaders[i]!, request.rawHeaders[i + 1]!]);
  } else {
    for (const [name, value] of Object.entries(request.headers)) for (const v of value === undefined ? [] : Array.isArray(value) ? value : [value]) lines.push([name, String(v)]);
  }
  const byName = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of lines) {
    if (!name.toLowerCase().startsWith('cx-')) continue;
    const key = name.toLowerCase();
    const seen = byName.get(key);
    if (seen) seen.values.push(value);
    else byName.set(key, { name, values: [value] });
  }
  const out: Record<string, string> = {};
  for (const { name, values } of byName.values()) out[name] = values.join(', ');
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

function batchMessage(item: BatchItem): InboundMessage {
  return {
    bytes: Buffer.from(item.messageBody, 'base64'),
    contentType: null,
    messageEncoding: item.messageEncoding,
    interchangeId: item.interchangeId,
    fileName: item.fileName,
  };
}

function assertNotEmpty(items: unknown[]): void {
  if (items.length === 0) throw errors.badRequest('The batch holds no messages.', { parameter: { id: '', location: 'body' } });
}

export function batchMessages(items: BatchItem[]): InboundMessage[] {
  assertNotEmpty(items);
  return items.map(batchMessage);
}

/**
 * A legacy (v1) MessageBodyRequest (`/v1/message`, `/v1/message/new[/batch]`): a batch item that
 * may name its own target integration (`configCorrelationId`, optional in the vendor's type).
 * `messageFormat`, `senderId`, `receiverId`/`recieverId` and `documentType` are obsolete:
 * validated as strings by the spec, then dropped.
 */
export interface LegacyMessageBodyRequest extends BatchItem {
  configCorrelationId?: string | null;
  messageFormat?: string | null;
  senderId?: string | null;
  receiverId?: string | null;
  recieverId?: string | null;
  documentType?: string | null;
}

/** A message together with the integration it is addressed to. */
export interface AddressedMessage {
  integrationId: string;
  message: InboundMessage;
}

const present = (value: string | null | undefined): value is string => typeof value === 'string' && value !== '';

/**
 * The target of a v1 message: the query parameter `ConfigCorrelationId` when sent (and not
 * empty), else the body's `configCorrelationId` (`/v1/message`; `/v1/eventgrid` has no body
 * field). Neither → 400 at `ConfigCorrelationId`, as ASP.NET's [Required] words it.
 */
export function legacyTarget(fromQuery: string | null | undefined, fromBody?: string | null): string {
  if (present(fromQuery)) return fromQuery;
  if (present(fromBody)) return fromBody;
  throw errors.badRequest('The target integration is named neither by the query parameter ConfigCorrelationId nor by the body\'s configCorrelationId.', {
    issues: [{ location: 'query', pointer: 'ConfigCorrelationId', message: 'is required' }],
  });
}

/**
 * v1 `/message`: one MessageBodyRequest. The query parameters `MessageEncoding`, `InterchangeId`
 * and `FileName`, when sent, win over the body's fields, as `ConfigCorrelationId` does.
 */
export function legacyQueryMessage(item: LegacyMessageBodyRequest, query: { MessageEncoding?: string; InterchangeId?: string; FileName?: string }): InboundMessage {
  const message = batchMessage(item);
  return {
    ...message,
    messageEncoding: present(query.MessageEncoding) ? query.MessageEncoding : message.messageEncoding,
    interchangeId: present(query.InterchangeId) ? query.InterchangeId : message.interchangeId,
    fileName: present(query.FileName) ? query.FileName : message.fileName,
  };
}

/** The vendor's `ArrayOfMessageBodyRequest` (v1 `/message/new/batch`): the items, nullable in its type. */
export interface LegacyMessageBatchRequest {
  messageBodyRequests?: LegacyMessageBodyRequest[] | null;
}

/**
 * One message per item, addressed to the item's `configCorrelationId`. The vendor's type leaves
 * it optional, but these requests have no other place to name the target: an item without one
 * → 400 at the item's `configCorrelationId` (`pointerOf(i)`).
 */
function addressedMessages(items: LegacyMessageBodyRequest[], pointerOf: (index: number) => string): AddressedMessage[] {
  const missing = items.flatMap((item, i) => (present(item.configCorrelationId) ? [] : [i]));
  if (missing.length > 0) {
    throw errors.badRequest('A message names no target integration (configCorrelationId).', {
      issues: missing.map((i) => ({ location: 'body' as const, pointer: pointerOf(i), message: 'is required' })),
    });
  }
  return items.map((item) => ({ integrationId: item.configCorrelationId!, message: batchMessage(item) }));
}

/** v1 `/message/new`: one MessageBodyRequest; no target → 400 at `ConfigCorrelationId` */
export function legacyMessage(item: LegacyMessageBodyRequest): AddressedMessage[] {
  return addressedMessages([item], () => '/configCorrelationId');
}

/**
 * v1 `/message/new/batch`: the items of `messageBodyRequests`, each addressed to its own target
 * (no target → 400 at `MessageBodyRequests[i].ConfigCorrelationId`). The vendor's type lets the
 * list be null; a null, missing or empty list is a batch without messages, refused as every
 * empty batch is (400, nothing delivered).
 */
export function legacyBatchMessages(batch: LegacyMessageBatchRequest): AddressedMessage[] {
  const items = batch.messageBodyRequests ?? [];
  if (items.length === 0) {
    throw errors.badRequest('The batch holds no messages (messageBodyRequests is null, missing or empty).', { parameter: { id: '/messageBodyRequests', location: 'body' } });
  }
  return addressedMessages(items, (i) => `/messageBodyRequests/${i}/configCorrelationId`);
}

/**
 * Every target of a request addressed per message (v1 `/message/new/batch`), found in its
 * subscription (404) and checked for the channel (400) before anything is delivered: the batch
 * is delivered whole or not at all. Returns the integrations in request order.
 */
export function resolveTargets(tx: Tx, targets: Array<{ integrationId: string; context: DeliveryContext }>): IntegrationRecord[] {
  return targets.map(({ integrationId, context }) => {
    const integration = findTargetIntegration(tx, context.companyId, context.subscriptionId, integrationId);
    assertAcceptsMessages(integration, context.channel);
    return integration;
  });
}

// ------------------------------------------------------------------------------------ XML bodies

/**
 * The XML form of MessageBodyRequests, as ASP.NET's DataContract serializer reads it:
 * `<ArrayOfMessageBodyRequest><MessageBodyRequest><MessageBody>…</MessageBody>…` (batches) or a
 * lone `<MessageBodyRequest>` (v1 `/message/new`). Element names are matched without regard to
 * case (PascalCase as DataContract writes them, camelCase as the JSON fields), namespaces are
 * ignored, `i:nil="true"` is null, unknown elements are skipped, and a DTD is refused (as .NET's
 * default DtdProcessing.Prohibit does). The result has the JSON body's shape; the caller validates
 * it against the same schema as a JSON body. Anything that is not such a document → 400, worded as
 * ASP.NET's XML formatter words a body it cannot deserialize (`unreadableXml`, as the management bodies).
 */

const MESSAGE_BODY_REQUEST_FIELDS = ['messageFormat', 'messageEncoding', 'configCorrelationId', 'interchangeId', 'senderId', 'receiverId', 'recieverId', 'documentType', 'messageBody', 'fileName'];
const FIELD_BY_LOWER_NAME = new Map(MESSAGE_BODY_REQUEST_FIELDS.map((f) => [f.toLowerCase(), f]));
const ITEM_ELEMENT = 'MessageBodyRequest';
const BATCH_ELEMENT = 'ArrayOfMessageBodyRequest';
/** the v1 batch's one member (`ArrayOfMessageBodyRequest.messageBodyRequests`), a list of items */
const LEGACY_ITEMS_ELEMENT = 'MessageBodyRequests';

let parser: XMLParser | undefined;

/** one parser for every XML body, made when the first arrives */
const xmlParser = (): XMLParser => (parser ??= new (fastXmlParser().XMLParser)({
  // string values are kept as sent (DataContract does not trim); whitespace between elements is skipped below
  ...DATACONTRACT_XML_OPTIONS,
  // the children of a batch root, and the items of the v1 batch's MessageBodyRequests, are always a list, even when there is one
  isArray: (_name, jpath, _leaf, isAttribute) => !isAttribute && typeof jpath === 'string' && isListPath(jpath.toLowerCase().split('.')),
}));

function isListPath(path: string[]): boolean {
  if (path[0] !== BATCH_ELEMENT.toLowerCase()) return false;
  return path.length === 2 || (path.length === 3 && path[1] === LEGACY_ITEMS_ELEMENT.toLowerCase());
}

type XmlNode = string | { [name: string]: unknown };

function parseXmlDocument(text: string, root: string): XmlNode {
  let doc: Record<string, unknown>;
  try {
    checkWellFormedXml(text);
    doc = xmlParser().parse(text) as Record<string, unknown>; // the parser returns any: an object of root elements
  } catch (err) {
    throw unreadableXml(messageOf(err));
  }
  const roots = Object.keys(doc);
  if (roots.length === 1 && Array.isArray(doc[roots[0]!])) roots.push(roots[0]!); // the same root element twice
  if (roots.length !== 1) throw unreadableXml(`expected one root element <${root}>, found ${roots.length === 0 ? 'none' : roots.map((r) => `<${r}>`).join(', ')}`);
  if (roots[0]!.toLowerCase() !== root.toLowerCase()) throw unreadableXml(`the root element is <${roots[0]}>, expected <${root}>`);
  return doc[roots[0]!] as XmlNode; // an element parses to its text or an object of children
}

/** `i:nil="true"` (any prefix): the element stands for null */
function isNil(node: unknown): boolean {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return false;
  const nil: unknown = Reflect.get(node, '@_nil');
  return nil === 'true' || nil === '1';
}

/** the element children of a node, in document order per name (attributes and whitespace skipped) */
function childrenOf(node: XmlNode, where: string): Array<[string, unknown]> {
  if (typeof node === 'string') {
    if (node.trim() !== '') throw unreadableXml(`<${where}> holds text where elements are expected`);
    return [];
  }
  const out: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(node)) {
    if (name.startsWith('@_')) continue;
    if (name === '#text') {
      if (String(value).trim() !== '') throw unreadableXml(`<${where}> holds text where elements are expected`);
      continue;
    }
    out.push([name, value]);
  }
  return out;
}

/** a field element: its text, null for i:nil, or (elements inside) the node itself, which the schema then refuses */
function fieldValue(value: unknown): unknown {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (isNil(value)) return null;
    const node = value as Record<string, unknown>; // a plain object, checked just above
    const elements = Object.keys(node).filter((k) => !k.startsWith('@_') && k !== '#text');
    if (elements.length > 0) return Object.fromEntries(elements.map((k) => [k, node[k]]));
    return typeof node['#text'] === 'string' ? node['#text'] : '';
  }
  return value;
}

function itemFromXml(node: unknown, where: string): Record<string, unknown> | null {
  if (isNil(node)) return null;
  const item: Record<string, unknown> = {};
  for (const [name, value] of childrenOf(node as XmlNode, where)) { // an item element parses to its text or an object of children
    const field = FIELD_BY_LOWER_NAME.get(name.toLowerCase());
    if (!field) continue; // DataContract skips unknown elements
    if (Array.isArray(value) || field in item) throw unreadableXml(`<${name}> appears more than once in <${where}>`);
    item[field] = fieldValue(value);
  }
  return item;
}

/** the `<MessageBodyRequest>` items of a list element (`where`), in document order */
function itemsFromXml(list: XmlNode, where: string): Array<Record<string, unknown> | null> {
  const items: Array<Record<string, unknown> | null> = [];
  for (const [name, value] of childrenOf(list, where)) {
    if (name.toLowerCase() !== ITEM_ELEMENT.toLowerCase()) throw unreadableXml(`unexpected element <${name}> in <${where}>; expected <${ITEM_ELEMENT}>`);
    // the parser's isArray option makes every item element a list
    for (const node of value as unknown[]) items.push(itemFromXml(node, `${ITEM_ELEMENT} #${items.length + 1}`));
  }
  return items;
}

/** `<ArrayOfMessageBodyRequest>` → the batch as a JSON array (v2/v3 `/batch`) */
export function messageBatchFromXml(text: string): Array<Record<string, unknown> | null> | null {
  const root = parseXmlDocument(text, BATCH_ELEMENT);
  if (isNil(root)) return null;
  return itemsFromXml(root, BATCH_ELEMENT);
}

/**
 * The vendor's `ArrayOfMessageBodyRequest` type as DataContract writes it (v1 `/message/new/batch`):
 * `<ArrayOfMessageBodyRequest><MessageBodyRequests><MessageBodyRequest>…` → `{messageBodyRequests: [...]}`.
 * `i:nil` on the list is null; other elements of the root are skipped (unknown members), so a
 * root holding the items directly has no `messageBodyRequests`.
 */
export function legacyMessageBatchFromXml(text: string): { messageBodyRequests?: Array<Record<string, unknown> | null> | null } | null {
  const root = parseXmlDocument(text, BATCH_ELEMENT);
  if (isNil(root)) return null;
  const lists = childrenOf(root, BATCH_ELEMENT).filter(([name]) => name.toLowerCase() === LEGACY_ITEMS_ELEMENT.toLowerCase());
  if (lists.length === 0) return {};
  const nodes = lists.flatMap(([, value]) => value as unknown[]); // the parser's isArray option makes every list element a list
  if (nodes.length > 1) throw unreadableXml(`<${LEGACY_ITEMS_ELEMENT}> appears more than once in <${BATCH_ELEMENT}>`);
  const list = nodes[0];
  if (isNil(list)) return { messageBodyRequests: null };
  return { messageBodyRequests: itemsFromXml(list as XmlNode, LEGACY_ITEMS_ELEMENT) }; // an element parses to its text or an object of children
}

/** `<MessageBodyRequest>` → one request as a JSON object (v1 `/message/new`) */
export function messageBodyRequestFromXml(text: string): Record<string, unknown> | null {
  return itemFromXml(parseXmlDocument(text, ITEM_ELEMENT), ITEM_ELEMENT);
}

/** Event Grid delivers an array of events; each event is one message (its JSON). */
export function eventGridMessages(events: unknown[], query: { MessageEncoding?: string; InterchangeId?: string; FileName?: string }): InboundMessage[] {
  if (events.length === 0) throw errors.badRequest('The request holds no Event Grid events.', { parameter: { id: '', location: 'body' } });
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

/**
 * Turns accepted messages into journal entries (and the synchronous answer). Call after
 * assertAcceptsMessages. `variables` are the company's environment variables: the engine runs the
 * integration with its `{env:Name}` placeholders resolved for the delivering subscription (as
 * `GET /v2/integrations/{id}?replaceVariables=true` shows it), so the synchronous answer names the
 * resolved endpoints and properties.
 */
export function deliverMessages(integration: IntegrationRecord, messages: InboundMessage[], ctx: DeliveryContext, env: ModelEnv, variables: readonly EnvironmentVariableRecord[] = []): DeliveryResult {
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
  if (synchronous && entries.length === 1) result.synchronousResponse = synchronousResponse(replaceVariables(integration, [...variables], ctx.subscriptionId), entries[0]!);
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
