import type { CallRecord } from '../core/pipeline.ts';
import type { JsonRecord } from '../core/store/document.ts';
import type { Tx } from '../core/store/store.ts';
import type { WebhookEvent } from './organizationWebhooks/model.ts';
import type { OrganizationRecord } from './state.ts';
import type { TargetReading } from './targets.ts';

/**
 * What the Synqly machinery (auth.ts, organizationWebhooks/events.ts, audit/observe.ts) needs to
 * know about an operation besides its handler. The operation's family declares it in its
 * operations.ts, keyed by operationId, and index.ts merges the families' declarations; nothing
 * outside a family names its operations. An operation without an entry gets the defaults: the
 * permission check targets what its path names, it makes no webhook event, and its audit event
 * carries what its path names.
 */
export interface SynqlyOperationFacts {
  /** how the permission check reads its target, when the path parameters' default reading is not it */
  target?: TargetReading;
  /** a RefreshToken's own refresh secret is taken as the bearer (to refresh that RefreshToken) */
  acceptsOwnRefreshSecret?: true;
  /** the webhook event a successful call stands for, with the resource picked from the response body */
  event?: { event: WebhookEvent; pick: (body: Record<string, unknown>) => unknown };
  /** a delete's webhook event, which needs the resource as it was before the call */
  deleteEvent?: DeletionEventSpec;
  /** the kind of resource the call creates (its result names it under this key), for the audit event */
  creates?: 'account' | 'integration' | 'bridge';
  /** the call is not a call of the integration its path names (reads of the integration's status) */
  notAnIntegrationCall?: true;
  /** an unauthenticated call's audit event: the organization (and member) it is recorded in, if any */
  auditUnauthenticated?: (tx: Tx, call: CallRecord<unknown>) => { organization: OrganizationRecord; memberId?: string } | undefined;
}

export type SynqlyFacts = Readonly<Record<string, SynqlyOperationFacts>>;

/** the resource a delete call addresses, as the API shows it, read before the delete runs */
export type PreImage = (tx: Tx, organizationId: string, params: Record<string, unknown>) => JsonRecord | undefined;
/** what else a delete removes that has events of its own (an account's integrations), read before it runs */
export type CascadePreImage = (tx: Tx, organizationId: string, resource: JsonRecord) => JsonRecord[];

export interface DeletionEventSpec {
  event: WebhookEvent;
  read: PreImage;
  cascade?: { event: WebhookEvent; read: CascadePreImage };
}
