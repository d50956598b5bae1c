import { ApiError } from '../../core/errors.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { FieldErrors } from '../management.ts';
import type { CompanyState, EnvironmentVariableRecord } from '../state.ts';
import type { components } from '../../generated/connxio.ts';

/**
 * Environment variables (contract §2.6): company-level, with a default value and per-subscription
 * values (subscriptionId → value). Integrations reference them as `{env:Name}`; `GET
 * /v2/integrations/{id}?replaceVariables=true` substitutes them (integrations/model.ts). Upsert by
 * `id` (kept lower-cased and compared ignoring case, as integration ids); an unknown id answers 400,
 * as the vendor documents.
 */

export type EnvironmentVariableRequest = components['schemas']['EnvironmentVariableRequest'];

/** `{env:Name}` must be able to name it: no braces, not blank, at most 100 characters */
const NAME = /^[^{}\s][^{}]{0,99}$/;

export function listEnvironmentVariables(company: CompanyState): EnvironmentVariableRecord[] {
  return company.environmentVariables.all().sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

function notFound(id: string): ApiError {
  return new ApiError('bad_request', `Environment variable ${id} was not found.`, { parameter: { id: 'id', location: 'path', value: id } });
}

/** ids are kept lower-cased, as integration ids are, so any letter case finds them (a record stored as sent before that, by its exact id) */
function find(company: CompanyState, id: string): EnvironmentVariableRecord | undefined {
  return company.environmentVariables.get(id.toLowerCase()) ?? company.environmentVariables.get(id);
}

export function getEnvironmentVariable(company: CompanyState, id: string): EnvironmentVariableRecord {
  const found = find(company, id);
  if (!found) throw notFound(id);
  return found;
}

export function upsertEnvironmentVariable(
  company: CompanyState,
  input: EnvironmentVariableRequest,
  actor: string,
  env: ModelEnv,
): { variable: EnvironmentVariableRecord; created: boolean } {
  const problems = new FieldErrors();
  const name = (input.name ?? '').trim();
  if (name === '') problems.add('Name', 'The Name field is required.');
  else if (!NAME.test(name)) problems.add('Name', 'The name may not contain { or } and is at most 100 characters long.');
  const existing = input.id ? find(company, input.id) : undefined;
  const id = existing?.id ?? (input.id ? input.id.toLowerCase() : env.random.uuid());
  if (name !== '') {
    const clash = company.environmentVariables.all().find((v) => v.id !== id && v.name.toLowerCase() === name.toLowerCase());
    if (clash) problems.add('Name', `An environment variable named ${clash.name} already exists (${clash.id}).`);
  }
  const subscriptionIds = new Map(company.subscriptions.all().map((s) => [s.id.toLowerCase(), s.id]));
  const subscriptionValues: Record<string, string> = {};
  for (const [subscriptionId, value] of Object.entries(input.subscriptionValues ?? {})) {
    const known = subscriptionIds.get(subscriptionId.toLowerCase());
    if (!known) problems.add(`SubscriptionValues[${subscriptionId}]`, `The subscription ${subscriptionId} does not belong to this company.`);
    else subscriptionValues[known] = value;
  }
  problems.throwIfAny('The environment variable did not pass validation.');

  const now = iso(env.nowMs);
  const variable: EnvironmentVariableRecord = {
    id,
    name,
    defaultValue: input.defaultValue ?? null,
    subscriptionValues: input.subscriptionValues === null || input.subscriptionValues === undefined ? null : subscriptionValues,
    companyId: company.companyId,
    createdAtUtc: existing?.createdAtUtc ?? now,
    updatedAtUtc: now,
    createdBy: existing?.createdBy ?? actor,
    updatedBy: actor,
  };
  company.environmentVariables.put(variable);
  return { variable, created: !existing };
}

export function deleteEnvironmentVariable(company: CompanyState, id: string): EnvironmentVariableRecord {
  const found = getEnvironmentVariable(company, id);
  company.environmentVariables.delete(found.id);
  return found;
}
