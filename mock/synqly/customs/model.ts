import { errors } from '../../core/errors.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName, findByIdOrName } from '../names.ts';
import type { CustomRecord, OrgState } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { assertSameId } from '../updates.ts';
import type { components } from '../../generated/synqly.ts';
import { lazyDependency } from '../../core/lazy-dependency.ts';

const yaml = lazyDependency<typeof import('yaml')>('yaml');

/**
 * Custom provider definitions (extra-endpoints contract §4): a YAML document per definition that
 * integrations use through the `custom_synqly` provider config (`custom_id`). The vendor does not
 * publish the definition schema, so the twin checks only that `data` is a YAML mapping.
 */

export const CUSTOM_FIELDS = ['id', 'name', 'fullname', 'organization_id', 'created_at', 'updated_at'] as const;

export type CreateCustomRequest = components['schemas']['CreateCustomRequest'];

export type UpdateCustomRequest = components['schemas']['UpdateCustomRequest'];

/** CustomBase: what lists show (no `data`) */
export function customBaseView(c: CustomRecord) {
  const { data: _data, ...base } = c;
  return base;
}

/** a syntax error, or an error only resolving finds (an alias to no anchor, too many aliases): toJS throws those */
function yamlProblem(data: string): { message?: string; value?: unknown } {
  const doc = yaml().parseDocument(data);
  const syntax = doc.errors[0];
  if (syntax) return { message: syntax.message.split('\n')[0] };
  try {
    return { value: doc.toJS() };
  } catch (error) {
    return { message: (error instanceof Error ? error.message : String(error)).split('\n')[0] };
  }
}

/** 400 at /data unless `data` parses as a YAML mapping */
function assertDefinition(data: string): void {
  const problem = yamlProblem(data);
  const value: unknown = problem.value;
  if (problem.message || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badRequest(`data must be a YAML mapping (a custom provider definition)${problem.message ? `: ${problem.message}` : ''}`, {
      parameter: { id: '/data', location: 'body', value: data.length > 200 ? `${data.slice(0, 200)}…` : data },
    });
  }
}

export function createCustom(org: OrgState, input: CreateCustomRequest, env: ModelEnv): CustomRecord {
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameFree(org.customs, name, 'custom provider');
  assertDefinition(input.data);
  const now = iso(env.nowMs);
  const custom: CustomRecord = { id, name, fullname: input.fullname ?? name, organization_id: org.orgId, data: input.data, created_at: now, updated_at: now };
  org.customs.put(custom);
  return custom;
}

export function listCustoms(org: OrgState, query: ListQuery): ListPage<ReturnType<typeof customBaseView>> {
  const page = listRecords(org.customs.all(), query, { fields: CUSTOM_FIELDS });
  return { ...page, items: page.items.map(customBaseView) };
}

export function getCustom(org: OrgState, idOrName: string): CustomRecord {
  const custom = findByIdOrName(org.customs, idOrName);
  if (!custom) throw errors.notFound(`custom provider ${idOrName} not found`, { parameter: { id: 'customId', location: 'path', value: idOrName } });
  return custom;
}

/** customs_update (and customs_patch through it): name, fullname and data replaced; the rest the server's */
export function updateCustom(org: OrgState, idOrName: string, body: UpdateCustomRequest, env: ModelEnv): CustomRecord {
  const custom = getCustom(org, idOrName);
  assertSameId(body.id, custom.id, 'custom provider');
  assertNameFree(org.customs, body.name, 'custom provider', custom.id);
  assertDefinition(body.data);
  const next: CustomRecord = { id: custom.id, name: body.name, fullname: body.fullname, organization_id: custom.organization_id, data: body.data, created_at: custom.created_at, updated_at: iso(env.nowMs) };
  org.customs.put(next);
  return next;
}

/** the integrations whose provider config runs this definition */
export function customUsers(org: OrgState, custom: CustomRecord) {
  return org.integrations.all().filter((i) => i.provider_config.type === 'custom_synqly' && i.provider_config.custom_id === custom.id);
}

/** Refused (409) while an integration runs the definition: it would be left without one. */
export function deleteCustom(org: OrgState, idOrName: string): void {
  const custom = getCustom(org, idOrName);
  const users = customUsers(org, custom);
  if (users.length > 0) {
    throw errors.conflict(`custom provider ${custom.name} is used by integration ${users.map((i) => i.name).join(', ')}`, {
      parameter: { id: 'customId', location: 'path', value: idOrName },
      remediation: 'delete those integrations or point them at another definition first',
    });
  }
  org.customs.delete(custom.id);
}
