import type { Handler, OperationTable } from '../../core/pipeline.ts';
import { isKeyless, isPrincipal, type ConnxioCaller } from '../auth.ts';
import type { ConnxioContext } from '../context.ts';
import { errors } from '../../core/errors.ts';
import { acceptMessages } from './deliver.ts';
import { batchMessages, eventGridMessages, userPropertiesFrom, type BatchItem, type DeliveryChannel, type InboundMessage } from './model.ts';

/** POST /v{2,3}/messages/{integrationId}[/batch|/eventgrid] (contract §5, DECISIONS "messaging"). */

interface MessageQuery {
  MessageEncoding?: string;
  InterchangeId?: string;
  FileName?: string;
}

function messagesOf(ctx: ConnxioContext, channel: DeliveryChannel): InboundMessage[] {
  const query = ctx.query as MessageQuery;
  if (channel === 'batch') return batchMessages(ctx.body as BatchItem[]);
  if (channel === 'eventgrid') return eventGridMessages(ctx.body as unknown[], query);
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

function send(channel: DeliveryChannel, apiVersion: 'v2' | 'v3'): Handler<ConnxioCaller> {
  return (ctx) => {
    const caller = ctx.principal;
    if (!isPrincipal(caller) && !isKeyless(caller)) throw errors.unauthorized('missing API key', { headers: { 'WWW-Authenticate': 'ApiKey' } });
    return acceptMessages(ctx.env, {
      companyId: caller.company.id,
      subscriptionId: caller.subscription.id,
      integrationId: String(ctx.params.integrationId),
      channel,
      apiVersion,
      auth: isKeyless(caller) ? 'keyless' : caller.webhookMode ? 'webhook' : 'bearer',
      keyId: isPrincipal(caller) ? caller.key.id : null,
      userProperties: userPropertiesFrom(ctx.request.headers),
      messages: () => messagesOf(ctx, channel),
    });
  };
}

export const messagingOperations: OperationTable<ConnxioCaller> = {
  send_message: send('message', 'v2'),
  send_message_batch: send('batch', 'v2'),
  send_eventgrid_message: send('eventgrid', 'v2'),
  send_message_v3: send('message', 'v3'),
  send_message_batch_v3: send('batch', 'v3'),
  send_eventgrid_message_v3: send('eventgrid', 'v3'),
};
