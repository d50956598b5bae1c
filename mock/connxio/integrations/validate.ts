import { FieldErrors, parseJsonString, walkEntries } from '../management.ts';
import type { CompanyState } from '../state.ts';
import { apiTriggerSettings } from './inbound.ts';
import { findIntegration } from './lookups.ts';
import type { Adapter, IntegrationRecord } from './types.ts';

// business validation (what POST /v2/integrations checks and /novalidation lets through)

const SECURITY_REF_KEYS = new Set(['webhookconnectionid', 'securityconfigid', 'securityconfigurationid']);

/**
 * Rules beyond the schema (the twin's own, see the report): JSON-in-a-string fields must be
 * JSON; sub-integration ids unique; every sub-integration has an outbound connection; a Redirect
 * names an existing other integration of the subscription; referenced security configurations
 * exist; a TimeTrigger has an interval expression; re-queue delays are ordered; a synchronous
 * API trigger has no Batching step.
 */
export function validateIntegration(company: CompanyState, integration: IntegrationRecord): FieldErrors {
  const problems = new FieldErrors();
  const securityIds = new Set(company.securityConfigs.all().map((c) => c.id.toLowerCase()));
  const checkSecurityRef = (field: string, id: unknown) => {
    if (typeof id !== 'string' || id.trim() === '' || id.includes('{')) return;
    if (!securityIds.has(id.toLowerCase())) problems.add(field, `The security configuration ${id} does not exist.`);
  };
  const checkJson = (field: string, text: string | null) => {
    const parsed = parseJsonString(text);
    if (parsed && !parsed.ok) {
      problems.add(field, `The value must be JSON serialised into a string: ${parsed.error}`);
      return undefined;
    }
    return parsed?.value;
  };
  const checkAdapter = (field: string, a: Adapter) => {
    if (!a.adapterType) problems.add(`${field}.AdapterType`, 'The AdapterType field is required.');
    const props = checkJson(`${field}.ConnectionProperties`, a.connectionProperties);
    for (const [k, v] of walkEntries(props)) if (SECURITY_REF_KEYS.has(k.toLowerCase())) checkSecurityRef(`${field}.ConnectionProperties`, v);
    if (a.ackOptions) checkJson(`${field}.AckOptions.ConnectionProperties`, a.ackOptions.connectionProperties);
    return props;
  };

  checkAdapter('InboundConnection', integration.inboundConnection);
  const inbound = (integration.inboundConnection.adapterType ?? '').toLowerCase();
  if (inbound === 'timetrigger' && !integration.intervalExpression && !integration.inboundConnection.intervalOptions?.intervalExpression) {
    problems.add('IntervalExpression', 'A TimeTrigger integration needs an interval expression.');
  }
  const synchronous = apiTriggerSettings(integration).synchronous;

  const seen = new Map<string, number>();
  integration.subIntegrations.forEach((sub, i) => {
    const field = `SubIntegrations[${i}]`;
    if (sub.subIntegrationId) {
      const first = seen.get(sub.subIntegrationId);
      if (first !== undefined) problems.add(`${field}.SubIntegrationId`, `The sub-integration id ${sub.subIntegrationId} is already used by SubIntegrations[${first}].`);
      else seen.set(sub.subIntegrationId, i);
    }
    if (sub.outboundConnections.length === 0) problems.add(`${field}.OutboundConnections`, 'A sub-integration needs at least one outbound connection.');
    sub.outboundConnections.forEach((a, j) => {
      const adapterField = `${field}.OutboundConnections[${j}]`;
      const props = checkAdapter(adapterField, a);
      if ((a.adapterType ?? '').toLowerCase() === 'redirect') {
        const target = redirectTarget(props);
        if (!target) problems.add(`${adapterField}.ConnectionProperties`, 'A Redirect adapter needs the IntegrationId of the integration to redirect to.');
        else if (target.toLowerCase() === integration.id) problems.add(`${adapterField}.ConnectionProperties`, 'A Redirect adapter cannot redirect an integration to itself.');
        else if (!target.includes('{') && !findIntegration(company, integration.subscriptionId, target.toLowerCase())) {
          problems.add(`${adapterField}.ConnectionProperties`, `The Redirect target integration ${target} does not exist in this subscription.`);
        }
      }
    });
    sub.transformations.forEach((t, j) => {
      const tField = `${field}.Transformations[${j}]`;
      if (!t.transformationType) problems.add(`${tField}.TransformationType`, 'The TransformationType field is required.');
      const props = checkJson(`${tField}.Properties`, t.properties);
      for (const [k, v] of walkEntries(props)) if (SECURITY_REF_KEYS.has(k.toLowerCase())) checkSecurityRef(`${tField}.Properties`, v);
      if (synchronous && (t.transformationType ?? '').toLowerCase() === 'batching') {
        problems.add(`${tField}.TransformationType`, 'Batching transformations are not supported for synchronous integrations.');
      }
    });
  });
  (integration.loggingWebhooks ?? []).forEach((w, i) => checkSecurityRef(`LoggingWebhooks[${i}].WebhookConnectionId`, w.webhookConnectionId));
  (integration.resendWebhooks ?? []).forEach((w, i) => checkSecurityRef(`ResendWebhooks[${i}].WebhookConnectionId`, w.webhookConnectionId));

  const r = integration.retryOptions;
  if (r) {
    for (const key of ['failureCountIntervalMinutes', 'reQueueMaxDelaySeconds', 'reQueueMinDelaySeconds', 'maxErrorsPerInterval', 'numberOfRetries', 'maxDelayActions'] as const) {
      const v = r[key];
      if (typeof v === 'number' && v < 0) problems.add(`RetryOptions.${key.charAt(0).toUpperCase()}${key.slice(1)}`, 'The value may not be negative.');
    }
    if (typeof r.reQueueMinDelaySeconds === 'number' && typeof r.reQueueMaxDelaySeconds === 'number' && r.reQueueMinDelaySeconds > r.reQueueMaxDelaySeconds) {
      problems.add('RetryOptions.ReQueueMinDelaySeconds', 'ReQueueMinDelaySeconds may not exceed ReQueueMaxDelaySeconds.');
    }
  }
  return problems;
}

function redirectTarget(props: unknown): string | undefined {
  if (props === null || typeof props !== 'object' || Array.isArray(props)) return undefined;
  for (const [k, v] of Object.entries(props)) {
    if (k.toLowerCase() === 'integrationid' && typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}
