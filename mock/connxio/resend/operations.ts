import { operationTable, type TypedHandler } from '../../core/pipeline.ts';
import type { operations } from '../../generated/connxio.ts';
import type { ConnxioCaller } from '../auth.ts';
import { decodedBody, modelEnv, principalOf } from '../context.ts';
import { userPropertiesFrom } from '../messaging/model.ts';
import { metadataIntegrationId, resendEntry, restartTarget, type ArcheoResendEventRequest, type ResendCaller, type ResendKind } from './model.ts';

/** POST /v1/resend/archeo and /v1/resend/archeo/restart: 200 with no body, the request kept in the message journal. */
/** both operations take the same ArcheoResendEventRequest body */
function resend(kind: ResendKind): TypedHandler<ConnxioCaller, operations['resend_archeo_v1' | 'resend_archeo_restart_v1']> {
  return (ctx) => {
    const principal = principalOf(ctx);
    const request: ArcheoResendEventRequest = decodedBody(ctx.body);
    const caller: ResendCaller = { companyId: principal.company.id, subscriptionId: principal.subscription.id, keyId: principal.key.id, userProperties: userPropertiesFrom(ctx.request) };
    const integrationId = kind === 'restart' ? restartTarget(ctx.env.store.reader, caller, request) : (metadataIntegrationId(request) ?? '');
    ctx.env.messages.record(resendEntry(kind, request, caller, integrationId, modelEnv(ctx)));
    return { status: 200 };
  };
}

export const resendOperations = operationTable<ConnxioCaller, operations>({
  resend_archeo_v1: resend('archeo'),
  resend_archeo_restart_v1: resend('restart'),
});
