import { parseJsonString } from '../management.ts';
import type { IntegrationRecord } from './types.ts';

/** What the messaging and custom-API families read from an integration's inbound connection. */

export function inboundAdapterType(integration: IntegrationRecord): string | null {
  return integration.inboundConnection?.adapterType ?? null;
}

/** adapter type names compare case-insensitively (`Api`, `api`, `API`) */
export function isInboundAdapter(integration: IntegrationRecord, type: string): boolean {
  return (inboundAdapterType(integration) ?? '').toLowerCase() === type.toLowerCase();
}

/**
 * The API trigger's settings, from the Api adapter's `connectionProperties` JSON string
 * (keys matched case-insensitively): `useSynchronousCommunication` (bool or "true") and
 * `timeoutInSeconds` (the portal's synchronous timeout). Not an Api adapter → not synchronous.
 */
export function apiTriggerSettings(integration: IntegrationRecord): { synchronous: boolean; timeoutSeconds: number | null } {
  if (!isInboundAdapter(integration, 'Api')) return { synchronous: false, timeoutSeconds: null };
  const parsed = parseJsonString(integration.inboundConnection.connectionProperties);
  if (!parsed?.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    return { synchronous: false, timeoutSeconds: null };
  }
  let synchronous = false;
  let timeoutSeconds: number | null = null;
  for (const [k, v] of Object.entries(parsed.value)) {
    const key = k.toLowerCase();
    if (key === 'usesynchronouscommunication') synchronous = v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
    if (key === 'timeoutinseconds' || key === 'synchronoustimeoutinseconds') {
      const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
      if (Number.isFinite(n) && n > 0) timeoutSeconds = n;
    }
  }
  return { synchronous, timeoutSeconds };
}
