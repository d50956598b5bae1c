import type { HandlerResult, TwinEnv } from '../../core/pipeline.ts';
import { assertAcceptsMessages, deliverMessages, findTargetIntegration, type DeliveryContext, type InboundMessage } from './model.ts';

/**
 * The one delivery path of the twin: the Messaging API handlers and the Custom API listener both
 * end here. Finds the target in the caller's subscription (404), checks it takes messages on this
 * channel (400), records every message in the message journal and answers 200 with
 * `X-Interchange-Id` — empty for asynchronous integrations, the synchronous array otherwise.
 */
export interface DeliveryRequest extends DeliveryContext {
  integrationId: string;
  /** builds the messages once the target is known (so an unknown integration is 404 before any body check) */
  messages: () => InboundMessage[];
}

export function acceptMessages(env: TwinEnv, request: DeliveryRequest): HandlerResult {
  const integration = findTargetIntegration(env.store.reader, request.companyId, request.subscriptionId, request.integrationId);
  assertAcceptsMessages(integration, request.channel);
  const result = deliverMessages(integration, request.messages(), request, { nowMs: env.clock.now(), random: env.random });
  for (const entry of result.entries) env.messages.record(entry);
  const headers = { 'X-Interchange-Id': result.interchangeIds.join(', ') };
  if (result.synchronousResponse) return { status: 200, headers, body: result.synchronousResponse };
  return { status: 200, headers };
}
