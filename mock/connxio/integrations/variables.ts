import { parseJsonString } from '../management.ts';
import type { EnvironmentVariableRecord } from '../state.ts';
import type { IntegrationRecord } from './types.ts';

/** Environment variables in an integration: `{env:Name}` placeholders and their values per subscription. */

const PLACEHOLDER = /\{env:([^{}]+)\}/gi;

/** The value of a variable for a subscription: its per-subscription value, else its default. */
export function variableValue(variable: EnvironmentVariableRecord, subscriptionId: string): string | null {
  const own = variable.subscriptionValues?.[subscriptionId];
  if (typeof own === 'string') return own;
  return variable.defaultValue ?? null;
}

/** Replaces `{env:Name}` (name case-insensitive) in one string; unknown names and variables without a value stay as they are. */
export function substitute(text: string, lookup: (name: string) => string | null, escapeForJson: boolean): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = lookup(name.trim());
    if (value === null) return whole;
    return escapeForJson ? JSON.stringify(value).slice(1, -1) : value;
  });
}

/**
 * A copy of the integration with every `{env:Name}` placeholder replaced. Inside strings that
 * hold JSON (`connectionProperties`, transformation `properties`) the value is JSON-escaped, so
 * the string stays valid JSON.
 */
export function replaceVariables(integration: IntegrationRecord, variables: EnvironmentVariableRecord[], subscriptionId: string): IntegrationRecord {
  const byName = new Map<string, EnvironmentVariableRecord>();
  for (const v of variables) if (v.name) byName.set(v.name.toLowerCase(), v);
  const lookup = (name: string) => {
    const v = byName.get(name.toLowerCase());
    return v ? variableValue(v, subscriptionId) : null;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('{env:') && !/\{env:/i.test(value)) return value;
      const holdsJson = parseJsonString(value)?.ok === true && /^\s*[[{]/.test(value);
      return substitute(value, lookup, holdsJson);
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return walk(integration) as IntegrationRecord; // the walk keeps the shape and replaces strings only
}
