import { errors } from '../../core/errors.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName, findByIdOrName } from '../names.ts';
import type { MappingRecord, OrgState } from '../state.ts';
import { iso, type ModelEnv } from '../tokens/model.ts';
import { assertSameId } from '../updates.ts';
import { assertValidProgram, describeEvaluationError, evaluateProgram } from './language.ts';

/**
 * Custom mappings (contract §2.7, §3.9). `data` is the mapping's program in the twin's mapping
 * language (language.ts); mappings_apply runs the listed mappings in order, each over the previous
 * result. The vendor's built-in mappings are not emulated: an unknown name is a 404.
 */

export const MAPPING_FIELDS = ['id', 'name', 'fullname', 'organization_id', 'created_at', 'updated_at'] as const;

export interface CreateMappingRequest {
  name?: string;
  fullname?: string;
  data: string;
}

export interface UpdateMappingRequest {
  id: string;
  name: string;
  fullname: string;
  organization_id: string;
  data: string;
  created_at: string;
  updated_at: string;
}

export interface ApplyMappingsRequest {
  mappings: string[];
  data: Record<string, unknown>;
}

/** MappingBase: what lists show (no `data`) */
export function mappingBaseView(m: MappingRecord) {
  const { data: _data, ...base } = m;
  return base;
}

export function createMapping(org: OrgState, input: CreateMappingRequest, env: ModelEnv): MappingRecord {
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameFree(org.mappings.all(), name, 'mapping');
  assertValidProgram(input.data);
  const now = iso(env.nowMs);
  const mapping: MappingRecord = { id, name, fullname: input.fullname ?? name, organization_id: org.orgId, data: input.data, created_at: now, updated_at: now };
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

/** mappings_update (and mappings_patch through it): full replace of name, fullname and data */
export function updateMapping(org: OrgState, idOrName: string, body: UpdateMappingRequest, env: ModelEnv): MappingRecord {
  const mapping = getMapping(org, idOrName);
  assertSameId(body.id, mapping.id, 'mapping');
  assertNameFree(org.mappings.all(), body.name, 'mapping', mapping.id);
  assertValidProgram(body.data);
  const next: MappingRecord = {
    id: mapping.id,
    name: body.name,
    fullname: body.fullname,
    organization_id: mapping.organization_id,
    data: body.data,
    created_at: mapping.created_at,
    updated_at: iso(env.nowMs),
  };
  org.mappings.put(next);
  return next;
}

export function deleteMapping(org: OrgState, idOrName: string): void {
  org.mappings.delete(getMapping(org, idOrName).id);
}

/**
 * mappings_apply: resolves every listed mapping first (unknown → 404, nothing evaluated), then
 * feeds `data` through them in order. Every step must yield a JSON object (→ 400 otherwise).
 * With `include_raw_data`, the result carries the input as `raw_data` (a JSON string, as OCSF's
 * `raw_data` attribute does).
 */
export async function applyMappings(org: OrgState, request: ApplyMappingsRequest, options: { includeRawData?: boolean }, env: ModelEnv): Promise<Record<string, unknown>> {
  const chain = request.mappings.map((ref, i) => getMapping(org, ref, { id: `/mappings/${i}`, location: 'body' }));
  let current: unknown = request.data;
  for (const [i, mapping] of chain.entries()) {
    let next: unknown;
    try {
      next = await evaluateProgram(mapping.data, current, env);
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
  const result = current as Record<string, unknown>;
  return options.includeRawData ? { ...result, raw_data: JSON.stringify(request.data) } : result;
}
