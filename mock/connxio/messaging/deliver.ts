import type { HandlerResult, TwinEnv } from '../../core/pipeline.ts';
import type { DeliveredMessage } from '../../core/message-journal.ts';
import type { Tx } from '../../core/store/store.ts';
import { companyState } from '../state.ts';
import {
  assertAcceptsMessages,
  deliverMessages,
  findTargetIntegration,
  resolveTargets,
  type DeliveryContext,
  type InboundMessage,
  type SynchronousSubIntegrationResponse,
} from './model.ts';

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
  const result = deliverMessages(integration, request.messages(), request, { nowMs: env.clock.now(), random: env.random }, variablesOf(env.store.reader, request.companyId));
  return answer(env, result.entries, result.synchronousResponse);
}

/** One message of a request that names a target per message (v1 `/message/new[/batch]`). */
export interface AddressedDelivery {
  integrationId: string;
  /** who delivers, as seen for this target (a keyless caller's subscription is the target's) */
  context: DeliveryContext;
  message: InboundMessage;
}

/**
 * Delivers messages addressed one by one, all or nothing: every target is found and checked
 * before the first message is journaled. A single message to a synchronous integration gets the
 * synchronous answer, as on `/messages/{integrationId}`.
 */
export function acceptAddressedMessages(env: TwinEnv, deliveries: AddressedDelivery[]): HandlerResult {
  const targets = resolveTargets(env.store.reader, deliveries);
  const model = { nowMs: env.clock.now(), random: env.random };
  const results = deliveries.map((d, i) => deliverMessages(targets[i]!, [d.message], d.context, model, variablesOf(env.store.reader, d.context.companyId)));
  return answer(env, results.flatMap((r) => r.entries), results.length === 1 ? results[0]!.synchronousResponse : undefined);
}

/** the company's environment variables, for `{env:Name}` placeholders the engine resolves */
function variablesOf(tx: Tx, companyId: string) {
  return companyState(tx, companyId).environmentVariables.all();
}

function answer(env: TwinEnv, entries: Array<Omit<DeliveredMessage, 'id'>>, synchronousResponse: SynchronousSubIntegrationResponse[] | undefined): HandlerResult {
  for (const entry of entries) env.messages.record(entry);
  const headers = { 'X-Interchange-Id': entries.map((e) => e.interchangeId).join(', ') };
  if (synchronousResponse) return { status: 200, headers, body: synchronousResponse };
  return { status: 200, headers };
}
