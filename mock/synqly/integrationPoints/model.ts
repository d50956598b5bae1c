import { errors } from '../../core/errors.ts';
import type { JsonRecord } from '../../core/store/document.ts';
import { removeIntegrationPointCascade } from '../cascade.ts';
import { connectorOf, providerById } from '../capabilities/catalogue.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName, findByIdOrName } from '../names.ts';
import { resolveMappingChains } from '../mappings/references.ts';
import { assertSchedules } from '../operations/schedules.ts';
import type { Environment, IntegrationPointRecord, OrgState } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { assertSameId, patchDocument, type DocumentCheck, type PatchOperation } from '../updates.ts';

/**
 * Integration points (contract §2.6, §5): a class of integrations with its allowed providers per
 * account environment (`environments.test|prod`; a missing key or an empty list allows none,
 * `*` allows every provider of the connector) and templates copied onto new integrations.
 */

export interface IntegrationPointInput {
  name?: string;
  fullname?: string;
  description?: string;
  connector: string;
  environments: { test?: string[]; prod?: string[] };
  mappings?: JsonRecord[];
  additional_mappings?: JsonRecord[];
  scheduled_operations?: JsonRecord[];
}

export interface UpdateIntegrationPointRequest extends IntegrationPointInput {
  id: string;
  name: string;
  [key: string]: unknown;
}

export const INTEGRATION_POINT_FIELDS = ['id', 'name', 'fullname', 'description', 'connector', 'created_at', 'updated_at'] as const;
const OPTIONAL = ['description', 'mappings', 'additional_mappings', 'scheduled_operations'] as const;

export function integrationPointView(p: IntegrationPointRecord): IntegrationPointRecord {
  return p;
}

/** a ProviderConfigId of the point's connector: `*`, or a provider of the capabilities catalogue (→ 400 at `pointer` otherwise) */
function assertProvider(providerId: string, connector: string, pointer: string): void {
  if (providerId === '*') return;
  if (!providerById(providerId)) {
    throw errors.badRequest(`provider ${providerId} is not a known provider id`, {
      parameter: { id: pointer, location: 'body', value: providerId },
      remediation: `name a provider of GET /v1/capabilities/providers (for this point: a ${connector}_… id) or "*"`,
    });
  }
  if (connectorOf(providerId) !== connector) {
    throw errors.badRequest(`provider ${providerId} is not a provider of the ${connector} connector`, { parameter: { id: pointer, location: 'body', value: providerId } });
  }
}

/**
 * Checks a create/replace body; returns its mapping chain templates as stored (references
 * rewritten to `<mapping id>:<version>`, see mappings/references.ts).
 */
function validate(org: OrgState, input: IntegrationPointInput, nowMs: number): JsonRecord[] | undefined {
  if (input.connector === '*') {
    throw errors.badRequest('connector must name one connector, not "*"', { parameter: { id: '/connector', location: 'body', value: input.connector } });
  }
  for (const env of ['test', 'prod'] as const) {
    (input.environments[env] ?? []).forEach((providerId, i) => assertProvider(providerId, input.connector, `/environments/${env}/${i}`));
  }
  // the request schema types a template's providers as a list of strings
  const templates = [...(input.mappings ?? []), ...(input.additional_mappings ?? [])] as Array<{ providers?: string[] }>;
  const pointerOf = (i: number) => (i < (input.mappings ?? []).length ? `/mappings/${i}` : `/additional_mappings/${i - (input.mappings ?? []).length}`);
  templates.forEach((t, i) => {
    (t.providers ?? []).forEach((providerId, j) => assertProvider(providerId, input.connector, `${pointerOf(i)}/providers/${j}`));
  });
  const chains = resolveMappingChains(org, input.mappings, '/mappings', input.connector).chains;
  assertSchedules(input.scheduled_operations, '/scheduled_operations', input.connector, nowMs);
  return chains;
}

function build(id: string, name: string, input: IntegrationPointInput, createdAt: string, updatedAt: string): IntegrationPointRecord {
  const record: IntegrationPointRecord = {
    id,
    name,
    // contract §1.5: fullname defaults to name (on create and on a full replace without one)
    fullname: input.fullname ?? name,
    connector: input.connector,
    environments: structuredClone(input.environments),
    created_at: createdAt,
    updated_at: updatedAt,
  };
  // OPTIONAL names fields the input and the record share; a loop's key cannot pair their two types
  for (const f of OPTIONAL) if (input[f] !== undefined) (record as Record<string, unknown>)[f] = structuredClone(input[f]);
  return record;
}

export function createIntegrationPoint(org: OrgState, input: IntegrationPointInput, env: ModelEnv): IntegrationPointRecord {
  const mappings = validate(org, input, env.nowMs);
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameFree(org.integrationPoints.all(), name, 'integration point');
  const now = iso(env.nowMs);
  const record = build(id, name, { ...input, ...(mappings ? { mappings } : {}) }, now, now);
  org.integrationPoints.put(record);
  return record;
}

export function listIntegrationPoints(org: OrgState, query: ListQuery): ListPage<IntegrationPointRecord> {
  return listRecords(org.integrationPoints.all(), query, { fields: INTEGRATION_POINT_FIELDS });
}

export function getIntegrationPoint(org: OrgState, idOrName: string): IntegrationPointRecord {
  const point = findByIdOrName(org.integrationPoints, idOrName);
  if (!point) {
    throw errors.notFound(`integration point ${idOrName} not found`, { parameter: { id: 'integrationPointId', location: 'path', value: idOrName } });
  }
  return point;
}

function usersOf(org: OrgState, point: IntegrationPointRecord) {
  return org.integrations.all().filter((i) => i.integration_point_id === point.id);
}

function replace(org: OrgState, current: IntegrationPointRecord, body: UpdateIntegrationPointRequest, env: ModelEnv): IntegrationPointRecord {
  assertSameId(body.id, current.id, 'integration point');
  const mappings = validate(org, body, env.nowMs);
  assertNameFree(org.integrationPoints.all(), body.name, 'integration point', current.id);
  if (body.connector !== current.connector) {
    const users = usersOf(org, current);
    if (users.length > 0) {
      throw errors.conflict(`the connector of integration point ${current.name} cannot change while integrations use it (${users.map((i) => i.name).join(', ')})`, {
        parameter: { id: '/connector', location: 'body', value: body.connector },
      });
    }
  }
  const next = build(current.id, body.name, { ...body, ...(mappings ? { mappings } : {}) }, current.created_at, iso(env.nowMs));
  org.integrationPoints.put(next);
  return next;
}

export function updateIntegrationPoint(org: OrgState, idOrName: string, body: UpdateIntegrationPointRequest, env: ModelEnv): IntegrationPointRecord {
  return replace(org, getIntegrationPoint(org, idOrName), body, env);
}

export function patchIntegrationPoint(org: OrgState, idOrName: string, ops: PatchOperation[], check: DocumentCheck<UpdateIntegrationPointRequest>, env: ModelEnv): IntegrationPointRecord {
  const current = getIntegrationPoint(org, idOrName);
  const doc = patchDocument(integrationPointView(current), ops, check);
  return replace(org, current, doc, env);
}

export function deleteIntegrationPoint(org: OrgState, idOrName: string): void {
  const point = getIntegrationPoint(org, idOrName);
  const users = usersOf(org, point);
  if (users.length > 0) {
    throw errors.conflict(`integration point ${point.name} is used by integration(s) ${users.map((i) => i.name).join(', ')}`, {
      remediation: 'delete those integrations first',
      parameter: { id: 'integrationPointId', location: 'path', value: idOrName },
    });
  }
  removeIntegrationPointCascade(org, point);
}

/** the providers a point allows for an account environment (contract §5) */
export function allowsProvider(point: IntegrationPointRecord, environment: Environment, providerId: string): boolean {
  const allowed = point.environments[environment] ?? [];
  return allowed.includes('*') || allowed.includes(providerId);
}
