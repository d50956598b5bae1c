import { errors } from '../../core/errors.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName, findByIdOrName } from '../names.ts';
import type { MappingRecord, OrgState } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { assertSameId } from '../updates.ts';
import { assertValidProgram, describeEvaluationError, evaluateProgram } from './language.ts';
import { currentVersion, mappingUsers, resolveMappingRef } from './references.ts';
import type { components } from '../../generated/synqly.ts';

/**
 * Custom mappings (contract §2.7, §3.9). `data` is the mapping's program in the twin's mapping
 * language (language.ts); mappings_apply runs the listed mappings in order, each over the previous
 * result. The vendor's built-in mappings are not emulated: an unknown name is a 404.
 * Mappings are versioned (references.ts): `version` is 1 on create and +1 whenever `data`
 * changes; superseded programs are kept so `{mapping_id}:{version}` references keep working.
 * The version is the twin's own bookkeeping: the vendor's Mapping type has no such field, so it
 * never leaves the store (mappingView).
 */

export const MAPPING_FIELDS = ['id', 'name', 'fullname', 'organization_id', 'created_at', 'updated_at'] as const;

export type CreateMappingRequest = components['schemas']['CreateMappingRequest'];

export type UpdateMappingRequest = components['schemas']['UpdateMappingRequest'];

export type ApplyMappingsRequest = components['schemas']['ApplyMappingsRequest'];

/** Mapping as the vendor's type has it: the record without the twin's internal `version` */
export function mappingView(m: MappingRecord): Omit<MappingRecord, 'version'> {
  const { version: _version, ...mapping } = m;
  return mapping;
}

/** MappingBase: what lists show (no `data`) */
export function mappingBaseView(m: MappingRecord) {
  const { data: _data, ...base } = mappingView(m);
  return base;
}

export function createMapping(org: OrgState, input: CreateMappingRequest, env: ModelEnv): MappingRecord {
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameFree(org.mappings.all(), name, 'mapping');
  assertValidProgram(input.data);
  const now = iso(env.nowMs);
  const mapping: MappingRecord = { id, name, fullname: input.fullname ?? name, organization_id: org.orgId, data: input.data, version: 1, created_at: now, updated_at: now };
  org.mappings.put(mapping);
  return mapping;
}

export function listMappings(org: OrgState, query: ListQuery): ListPage<ReturnType<typeof mappingBaseView>> {
  const page = listRecords(org.mappings.all(), query, { fields: MAPPING_FIELDS });
  return { ...page, items: page.items.map(mappingBaseView) };
}

export function getMapping(org: OrgState, idOrName: string, pointer: { id: string; location: 'path' | 'body' } = { id: 'mappingId', location: 'path' }): MappingRecord {
  const mapping = findByIdOrName(org.mappings, idOrName);
  if (!mapping) throw errors.notFound(`mapping ${idOrName} not found`, { parameter: { ...pointer, value: idOrName } });
  return mapping;
}

/**
 * mappings_update (and mappings_patch through it): full replace of name, fullname and data. A
 * changed `data` is a new version; the superseded program stays reachable as `<id>:<old version>`.
 * `version` is the server's: a value in the body is ignored (like `updated_at`).
 */
export function updateMapping(org: OrgState, idOrName: string, body: UpdateMappingRequest, env: ModelEnv): MappingRecord {
  const mapping = getMapping(org, idOrName);
  assertSameId(body.id, mapping.id, 'mapping');
  assertNameFree(org.mappings.all(), body.name, 'mapping', mapping.id);
  assertValidProgram(body.data);
  const version = currentVersion(mapping);
  const changed = body.data !== mapping.data;
  const now = iso(env.nowMs);
  if (changed) org.mappingVersions.put({ id: `${mapping.id}:${version}`, mapping_id: mapping.id, version, data: mapping.data, created_at: mapping.updated_at });
  const next: MappingRecord = {
    id: mapping.id,
    name: body.name,
    fullname: body.fullname,
    organization_id: mapping.organization_id,
    data: body.data,
    version: changed ? version + 1 : version,
    created_at: mapping.created_at,
    updated_at: now,
  };
  org.mappings.put(next);
  return next;
}

/**
 * Refused (409) while an integration's mapping chain or an integration point's chain template
 * refers to the mapping (any version): the chain would name a program that no longer exists.
 * Otherwise the mapping goes with all its versions.
 */
export function deleteMapping(org: OrgState, idOrName: string): void {
  const mapping = getMapping(org, idOrName);
  const { integrations, points } = mappingUsers(org, mapping);
  if (integrations.length > 0 || points.length > 0) {
    const users = [...integrations.map((i) => `integration ${i.name}`), ...points.map((p) => `integration point ${p.name}`)];
    throw errors.conflict(`mapping ${mapping.name} is used by the mapping chains of ${users.join(', ')}`, {
      parameter: { id: 'mappingId', location: 'path', value: idOrName },
      remediation: 'remove it from those mappings lists first',
    });
  }
  for (const v of org.mappingVersions.all()) if (v.mapping_id === mapping.id) org.mappingVersions.delete(v.id);
  org.mappings.delete(mapping.id);
}

/**
 * mappings_apply: resolves every listed mapping first — `ref` (its current version) or
 * `ref:version`, ref an id or a name; malformed → 400, unknown mapping or version → 404, nothing
 * evaluated — then
 * feeds `data` through them in order. Every step must yield a JSON object (→ 400 otherwise).
 * With `include_raw_data`, the result carries the input as `raw_data` (a JSON string, as OCSF's
 * `raw_data` attribute does).
 */
export async function applyMappings(org: OrgState, request: ApplyMappingsRequest, options: { includeRawData?: boolean }, env: ModelEnv): Promise<Record<string, unknown>> {
  const chain = request.mappings.map((ref, i) => resolveMappingRef(org, ref, `/mappings/${i}`, false));
  let current: unknown = request.data;
  for (const [i, { mapping, data }] of chain.entries()) {
    let next: unknown;
    try {
      next = await evaluateProgram(data, current, env);
    } catch (err) {
      throw errors.badRequest(`mapping ${mapping.name} failed: ${describeEvaluationError(err)}`, { parameter: { id: `/mappings/${i}`, location: 'body', value: request.mappings[i] } });
    }
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const got = next === undefined ? 'nothing' : Array.isArray(next) ? 'an array' : `a ${next === null ? 'null' : typeof next}`;
      throw errors.badRequest(`mapping ${mapping.name} produced ${got}; every mapping must yield a JSON object`, {
        parameter: { id: `/mappings/${i}`, location: 'body', value: request.mappings[i] },
      });
    }
    current = next;
  }
  const result = current as Record<string, unknown>; // each mapping's result was checked above; the request's data is an object by the schema
  return options.includeRawData ? { ...result, raw_data: JSON.stringify(request.data) } : result;
}
