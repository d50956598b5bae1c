import type { CallRecord, TwinEnv, VendorApi } from '../core/pipeline.ts';
import type { ApiSpec } from '../core/spec.ts';
import { accountsFacts, accountsOperations } from './accounts/operations.ts';
import { authenticateSynqly, callerHandlers, type SynqlyCaller, type SynqlyPrincipal } from './auth.ts';
import { authAnonymousOperations, authFacts, authOperations } from './auth/operations.ts';
import { billingFacts, billingOperations } from './billing/operations.ts';
import { customsOperations } from './customs/operations.ts';
import { ssoOperations } from './sso/operations.ts';
import { membersOperations } from './members/operations.ts';
import { tokensFacts, tokensOperations } from './tokens/operations.ts';
import { renderSynqlyProblem } from './errors.ts';
import { mappingsOperations } from './mappings/operations.ts';
import { metaOperations } from './meta/operations.ts';
import { organizationOperations } from './organization/operations.ts';
import { createWebhookDispatcher } from './organizationWebhooks/delivery.ts';
import { createLease } from '../core/lease.ts';
import { eventFromCall, withDeletionEvents } from './organizationWebhooks/events.ts';
import { createOperationWatcher } from './organizationWebhooks/operation-events.ts';
import { organizationWebhooksOperations } from './organizationWebhooks/operations.ts';
import { permissionsetOperations } from './permissionset/operations.ts';
import { rolesOperations } from './roles/operations.ts';
import { subOrgsFacts, subOrgsOperations } from './subOrgs/operations.ts';
import { auditOperations } from './audit/operations.ts';
import { createCallRecorder, noteCallSubject } from './audit/observe.ts';
import { bridgesFacts, bridgesOperations } from './bridges/operations.ts';
import { capabilitiesOperations } from './capabilities/operations.ts';
import { credentialsFacts, credentialsOperations } from './credentials/operations.ts';
import { integrationPointsOperations } from './integrationPoints/operations.ts';
import { integrationsFacts, integrationsOperations } from './integrations/operations.ts';
import { operationsOperations } from './operations/operations.ts';
import { statusFacts, statusOperations } from './status/operations.ts';
import type { SynqlyFacts } from './operation-facts.ts';

/** The Synqly Management API: one line per resource family (operations that need a principal). */
const authenticatedOperations = {
  ...accountsOperations,
  ...mappingsOperations,
  ...metaOperations,
  ...organizationOperations,
  ...organizationWebhooksOperations,
  ...permissionsetOperations,
  ...rolesOperations,
  ...subOrgsOperations,
  ...authOperations,
  ...ssoOperations,
  ...billingOperations,
  ...customsOperations,
  ...membersOperations,
  ...tokensOperations,
  ...auditOperations,
  ...bridgesOperations,
  ...capabilitiesOperations,
  ...credentialsOperations,
  ...integrationPointsOperations,
  ...integrationsOperations,
  ...operationsOperations,
  ...statusOperations,
};

/** operations the spec leaves unauthenticated (`security: []`): no principal */
const anonymousOperations = { ...authAnonymousOperations };

/** every handler, by operationId */
export const synqlyOperations = { ...authenticatedOperations, ...anonymousOperations };

/** what the machinery needs to know about an operation besides its handler, declared by its family (operation-facts.ts) */
export const synqlyFacts: SynqlyFacts = {
  ...accountsFacts,
  ...authFacts,
  ...billingFacts,
  ...bridgesFacts,
  ...credentialsFacts,
  ...integrationsFacts,
  ...statusFacts,
  ...subOrgsFacts,
  ...tokensFacts,
};

/** what learns of every answered call (after the response is sent); each must be cheap and not throw */
type Observer = (call: CallRecord<SynqlyCaller>) => void;

/** the Synqly API plus the background services it runs (webhook delivery), which `close` stops */
export interface SynqlyApi extends VendorApi<SynqlyCaller> {
  /** drops pending webhook deliveries (timers cleared, attempts in flight aborted); resolves when they are settled, at most after 2 s */
  close(): Promise<void>;
}

export function createSynqlyApi(spec: ApiSpec, env: TwinEnv): SynqlyApi {
  // replicas of a shared store: one of them at a time delivers webhooks and reports scheduled runs
  const lease = createLease(env.store, 'synqly-webhooks', env.random.uuid(), env.logger);
  const webhooks = createWebhookDispatcher(env, { lease });
  webhooks.resume();
  lease.onTick((held) => {
    if (held) webhooks.resume();
  });
  const operationWatcher = createOperationWatcher(env, (ev) => {
    if (lease.held()) webhooks.emit(ev);
  });
  const recordCall = createCallRecorder(env, synqlyFacts);
  const observers: Observer[] = [
    recordCall,
    (call) => {
      const ev = eventFromCall(call, env.store.reader, synqlyFacts);
      if (ev) webhooks.emit(ev);
    },
  ];
  return {
    name: 'synqly',
    vendor: 'synqly',
    spec,
    handlers: callerHandlers(
      spec,
      withDeletionEvents<SynqlyPrincipal>(authenticatedOperations, (ev) => webhooks.emit(ev), synqlyFacts),
      anonymousOperations,
    ),
    observe: (call) => {
      for (const observer of observers) {
        try {
          observer(call);
        } catch (err) {
          env.logger.error({ err, operationId: call.operation.operationId }, 'a Synqly observer failed');
        }
      }
    },
    authenticate: (request, op) => {
      const principal = authenticateSynqly(env, request, op, synqlyFacts[op.operationId]);
      noteCallSubject(env, request, principal); // what the path names, before the call changes it (audit)
      return principal;
    },
    close: () =>
      new Promise<void>((resolve) => {
        operationWatcher.close();
        const bound = setTimeout(resolve, 2000);
        bound.unref();
        void webhooks.close().then(() => lease.close()).then(() => {
          clearTimeout(bound);
          resolve();
        });
      }),
    // rate limits (control API) count per RefreshToken; auth_logon has no principal
    rateLimitKey: (principal) => principal?.token.id,
    successEnvelope: (body) => ({ result: body }),
    tenantOf: (principal) => principal?.organization.id,
    renderError: (err, request) => renderSynqlyProblem(err, request, env.clock.nowIso()),
    mediaTypeFor: (contentType, op) => {
      const media = contentType.split(';')[0]!.trim().toLowerCase();
      // PATCH bodies arrive as application/json (the SDKs), sometimes as json-patch+json
      if ((media === 'application/json' || media === 'application/json-patch+json') && op.requestBody?.content['application/json']) {
        return 'application/json';
      }
      return undefined;
    },
  };
}
