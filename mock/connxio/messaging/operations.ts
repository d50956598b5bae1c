import { operationTable, type Handler } from '../../core/pipeline.ts';
import type { operations } from '../../generated/connxio.ts';
import { isKeyless, isPendingKeyless, isPrincipal, keylessTargetSubscription, type ConnxioCaller } from '../auth.ts';
import type { ConnxioContext } from '../context.ts';
import { errors } from '../../core/errors.ts';
import { acceptAddressedMessages, acceptMessages } from './deliver.ts';
import {
  batchMessages,
  eventGridMessages,
  legacyBatchMessages,
  legacyMessage,
  legacyMessageBatchFromXml,
  legacyQueryMessage,
  legacyTarget,
  messageBatchFromXml,
  messageBodyRequestFromXml,
  userPropertiesFrom,
  type BatchItem,
  type DeliveryChannel,
  type DeliveryContext,
  type InboundMessage,
  type LegacyMessageBatchRequest,
  type LegacyMessageBodyRequest,
} from './model.ts';

/**
 * POST /v{2,3}/messages/{integrationId}[/batch|/eventgrid] and the legacy v1 /message,
 * /message/new[/batch] and /eventgrid (contract §5, DECISIONS "messaging"; the v1 bodies and
 * the optional ConfigCorrelationId as the vendor's published types have them).
 */

interface MessageQuery {
  MessageEncoding?: string;
  InterchangeId?: string;
  FileName?: string;
  /** v1 /message and /eventgrid: the target integration */
  ConfigCorrelationId?: string;
}

type ApiVersion = 'v1' | 'v2' | 'v3';

/**
 * The body in its JSON shape. The XML form of a batch or MessageBodyRequest reaches the handler
 * as a string (its spec schema; a JSON body of the right shape is never one): it is parsed, then
 * validated against the operation's JSON schema exactly as the pipeline validates a JSON body.
 */
function jsonShapedBody<T>(ctx: ConnxioContext, fromXml: (text: string) => unknown): T {
  // T is the operation's JSON body type: the pipeline validated a JSON body against it, the validator here the XML one
  if (typeof ctx.body !== 'string') return ctx.body as T;
  const input = { params: ctx.request.params ?? {}, query: ctx.request.query, headers: ctx.request.headers, body: fromXml(ctx.body), hasBody: true };
  return ctx.env.validator.validateRequest(ctx.operation, input, 'application/json').body as T; // validated against T's schema
}

function messagesOf(ctx: ConnxioContext, channel: DeliveryChannel, batch: BatchItem[] | undefined): InboundMessage[] {
  // shared by the message operations: their validated queries all fit MessageQuery, an eventgrid body is an array (its schema)
  const query = ctx.query as MessageQuery;
  if (channel === 'batch') return batchMessages(batch ?? []);
  if (channel === 'eventgrid') return eventGridMessages(ctx.body as unknown[], query); // an eventgrid body is an array by its schema
  return [
    {
      bytes: ctx.request.rawBody ?? Buffer.alloc(0),
      contentType: typeof ctx.request.headers['content-type'] === 'string' ? ctx.request.headers['content-type'] : null,
      messageEncoding: query.MessageEncoding,
      interchangeId: query.InterchangeId,
      fileName: query.FileName,
    },
  ];
}

/** Who delivers to `integrationId` and how they authenticated (401 when a keyless caller may not). */
function deliveryContext(ctx: ConnxioContext, integrationId: string, channel: DeliveryChannel, apiVersion: ApiVersion): DeliveryContext {
  const caller = ctx.principal;
  const base = { channel, apiVersion, userProperties: userPropertiesFrom(ctx.request) };
  if (isPrincipal(caller)) {
    return { ...base, companyId: caller.company.id, subscriptionId: caller.subscription.id, auth: caller.webhookMode ? 'webhook' : 'bearer', keyId: caller.key.id };
  }
  if (isKeyless(caller)) return { ...base, companyId: caller.company.id, subscriptionId: caller.subscription.id, auth: 'keyless', keyId: null };
  if (isPendingKeyless(caller)) {
    const subscriptionId = keylessTargetSubscription(ctx.env.store.reader, caller.company.id, integrationId);
    return { ...base, companyId: caller.company.id, subscriptionId, auth: 'keyless', keyId: null };
  }
  throw errors.unauthorized('missing API key', { headers: { 'WWW-Authenticate': 'ApiKey' } });
}

/** one integration, named by the path (v2/v3) or by the query parameter ConfigCorrelationId (v1 /eventgrid) */
function send(channel: DeliveryChannel, apiVersion: ApiVersion): Handler<ConnxioCaller> {
  return (ctx) => {
    // one handler for several operations (plain context): their validated queries all fit MessageQuery
    const integrationId = apiVersion === 'v1' ? legacyTarget((ctx.query as MessageQuery).ConfigCorrelationId) : String(ctx.params.integrationId);
    // an XML batch is checked now, as a JSON one was before the handler ran
    const batch = channel === 'batch' ? jsonShapedBody<BatchItem[]>(ctx, messageBatchFromXml) : undefined;
    const context = deliveryContext(ctx, integrationId, channel, apiVersion);
    return acceptMessages(ctx.env, { ...context, integrationId, messages: () => messagesOf(ctx, channel, batch) });
  };
}

/**
 * v1 /message: one MessageBodyRequest (base64 `messageBody`, JSON or its XML form) for the
 * integration the query parameter ConfigCorrelationId names, else the body's configCorrelationId.
 */
function sendLegacyMessage(): Handler<ConnxioCaller> {
  return (ctx) => {
    const query = ctx.query as MessageQuery; // send_message_v1's validated query
    const item = jsonShapedBody<LegacyMessageBodyRequest>(ctx, messageBodyRequestFromXml);
    const integrationId = legacyTarget(query.ConfigCorrelationId, item.configCorrelationId);
    const context = deliveryContext(ctx, integrationId, 'message', 'v1');
    return acceptMessages(ctx.env, { ...context, integrationId, messages: () => [legacyQueryMessage(item, query)] });
  };
}

/** v1 /message/new (one MessageBodyRequest) and /message/new/batch (an ArrayOfMessageBodyRequest): each item names its integration */
function sendAddressed(channel: 'message' | 'batch'): Handler<ConnxioCaller> {
  return (ctx) => {
    const addressed =
      channel === 'batch'
        ? legacyBatchMessages(jsonShapedBody<LegacyMessageBatchRequest>(ctx, legacyMessageBatchFromXml))
        : legacyMessage(jsonShapedBody<LegacyMessageBodyRequest>(ctx, messageBodyRequestFromXml));
    const contexts = addressed.map((a) => deliveryContext(ctx, a.integrationId, channel, 'v1'));
    return acceptAddressedMessages(
      ctx.env,
      addressed.map((a, i) => ({ ...a, context: contexts[i]! })),
    );
  };
}

export const messagingOperations = operationTable<ConnxioCaller, operations>({
  send_message: send('message', 'v2'),
  send_message_batch: send('batch', 'v2'),
  send_eventgrid_message: send('eventgrid', 'v2'),
  send_message_v3: send('message', 'v3'),
  send_message_batch_v3: send('batch', 'v3'),
  send_eventgrid_message_v3: send('eventgrid', 'v3'),
  send_message_v1: sendLegacyMessage(),
  send_eventgrid_message_v1: send('eventgrid', 'v1'),
  send_message_new_v1: sendAddressed('message'),
  send_message_new_batch_v1: sendAddressed('batch'),
});
