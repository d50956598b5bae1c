import type { TwinEnv } from '../../core/pipeline.ts';
import { integrationView } from '../integrations/model.ts';
import { executionsCompletedBetween } from '../operations/model.ts';
import { orgState } from '../state.ts';
import type { OrganizationEvent } from './events.ts';

/**
 * `operation_complete` events (contract §2.10, §5): an operation's run completes as the twin's
 * clock passes it (runs are derived from the integrations' schedules, operations/model.ts), so
 * nothing calls the API when it happens. A watcher looks, every `intervalMs` of real time and at
 * once whenever the clock is advanced or set, for runs that completed since it last looked, and
 * emits one event per run — with the integration and its account, the payload the contract
 * defines — for organizations that have a webhook taking `operation_complete` (or `all`).
 * Moving the clock back starts the watch again from the new instant: no run is reported twice
 * for one stretch of time. A jump over many runs reports only the newest `maxEventsPerCheck`.
 */

export interface OperationWatcherOptions {
  intervalMs?: number;
  maxEventsPerCheck?: number;
}

export interface OperationWatcher {
  /** looks for runs completed since the last look (also run by the timer and by clock moves) */
  check(): void;
  close(): void;
}

const WEBHOOKS_COLLECTION = /^synqly\/org\/([^/]+)\/organization_webhooks$/;

export function createOperationWatcher(env: TwinEnv, emit: (ev: OrganizationEvent) => void, options: OperationWatcherOptions = {}): OperationWatcher {
  const intervalMs = options.intervalMs ?? 1000;
  const maxEvents = options.maxEventsPerCheck ?? 100;
  let since = env.clock.now();

  const watching = (organizationId: string) =>
    orgState(env.store.reader, organizationId)
      .webhooks.all()
      .some((w) => w.filters.includes('all') || w.filters.includes('operation_complete'));

  const check = () => {
    const now = env.clock.now();
    const from = since;
    since = now;
    if (now <= from) return;
    for (const name of env.store.reader.collections('synqly/org/')) {
      const organizationId = WEBHOOKS_COLLECTION.exec(name)?.[1];
      if (!organizationId || !watching(organizationId)) continue;
      const org = orgState(env.store.reader, organizationId);
      const completed = org.integrations
        .all()
        .filter((i) => Array.isArray(i.scheduled_operations) && i.scheduled_operations.length > 0)
        .flatMap((integration) => executionsCompletedBetween(org, integration, from, now, maxEvents).map((execution) => ({ integration, execution })))
        .sort((a, b) => a.execution.completed_at.localeCompare(b.execution.completed_at))
        .slice(-maxEvents);
      for (const { integration } of completed) {
        const account = org.accounts.get(integration.account_id);
        emit({ organizationId, event: 'operation_complete', integration: integrationView(integration), ...(account ? { account } : {}) });
      }
    }
  };

  const safeCheck = () => {
    try {
      check();
    } catch (err) {
      env.logger.error({ err }, 'the operation_complete watcher failed');
    }
  };
  const timer = setInterval(safeCheck, intervalMs);
  timer.unref();
  const unsubscribe = env.clock.onMove(safeCheck);
  return {
    check: safeCheck,
    close() {
      clearInterval(timer);
      unsubscribe();
    },
  };
}
