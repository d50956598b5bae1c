import { errors } from '../../core/errors.ts';
import type { JsonRecord } from '../../core/store/document.ts';
import { CONNECTOR_BY_ID, providerById } from '../capabilities/catalogue.ts';
import { findByIdOrName } from '../names.ts';
import type { IntegrationPointRecord, IntegrationRecord, MappingRecord, OrgState } from '../state.ts';

/**
 * References to mappings (contract §2.7, §5). A mapping is versioned: version 1 on create, +1
 * whenever its `data` changes; every version's program is kept (superseded ones in
 * `mappingVersions`), so a reference pinned to a version keeps meaning the same program.
 * - mappings_apply takes `ref` (the current version) or `ref:version`;
 * - a MappingChain (integrations) or MappingChainTemplate (integration points) takes exactly
 *   `ref:version` — the contract's `{mapping_id}:{version}` — and is stored as `<id>:<version>`.
 * `ref` is the mapping's id or name (names cannot hold `:`, ids are UUIDs); `version` a positive
 * integer. Malformed → 400, unknown mapping or version → 404, both pointing into the body.
 */

export interface MappingRef {
  ref: string;
  version?: number;
}

export interface ResolvedMapping {
  mapping: MappingRecord;
  version: number;
  /** the program of that version */
  data: string;
}

/** a finding that does not stop the call (integrations: `messages.problems`) */
export interface ReferenceWarning {
  message: string;
  pointer?: string;
}

export const currentVersion = (m: MappingRecord): number => m.version ?? 1;

const VERSION = /^[1-9][0-9]{0,8}$/;

function where(pointer: string, value: string) {
  return { parameter: { id: pointer, location: 'body' as const, value } };
}

/** Parses `ref` or `ref:version`; `requireVersion` (chains) refuses the bare form. */
export function parseMappingRef(text: string, pointer: string, requireVersion: boolean): MappingRef {
  const colon = text.indexOf(':');
  const ref = colon < 0 ? text : text.slice(0, colon);
  const version = colon < 0 ? undefined : text.slice(colon + 1);
  const format = requireVersion ? '`{mapping_id}:{version}` (a mapping id or name, a colon, a version number ≥ 1)' : 'a mapping id or name, optionally followed by `:{version}` (a number ≥ 1)';
  if (ref === '' || (requireVersion && version === undefined) || (version !== undefined && !VERSION.test(version))) {
    throw errors.badRequest(`mapping reference ${JSON.stringify(text)} is not ${format}`, {
      ...where(pointer, text),
      remediation: 'name a mapping and one of its versions, e.g. jira-sprint:1; GET /v1/mappings/{mappingId} shows its current version',
    });
  }
  return { ref, ...(version !== undefined ? { version: Number(version) } : {}) };
}

/** The mapping and version a reference names (the current version when it names none). */
export function resolveMappingRef(org: OrgState, text: string, pointer: string, requireVersion: boolean): ResolvedMapping {
  const { ref, version } = parseMappingRef(text, pointer, requireVersion);
  const mapping = findByIdOrName(org.mappings, ref);
  if (!mapping) throw errors.notFound(`mapping ${ref} not found`, where(pointer, text));
  const latest = currentVersion(mapping);
  const wanted = version ?? latest;
  if (wanted === latest) return { mapping, version: latest, data: mapping.data };
  const old = wanted < latest ? org.mappingVersions.get(`${mapping.id}:${wanted}`) : undefined;
  if (!old) throw errors.notFound(`mapping ${mapping.name} has no version ${wanted} (its current version is ${latest})`, where(pointer, text));
  return { mapping, version: wanted, data: old.data };
}

/** the operation ids of a connector (`siem_query_events`, …), from the capabilities catalogue */
export function connectorOperationIds(connector: string): string[] {
  return (CONNECTOR_BY_ID.get(connector)?.operations ?? []).map((op) => `${connector}_${op.name}`);
}

/**
 * Checks and resolves the mapping chains of an integration (`providerType` set) or the chain
 * templates of an integration point (`providerType` undefined): every mapping reference must name
 * an existing mapping at an existing version, every operation id must be an operation of
 * `connector`. Returns the chains with their references rewritten to `<id>:<version>` (other
 * fields kept as sent), plus warnings for operations the integration's provider does not support.
 */
export function resolveMappingChains(
  org: OrgState,
  chains: JsonRecord[] | undefined,
  pointer: string,
  connector: string,
  providerType?: string,
): { chains: JsonRecord[] | undefined; warnings: ReferenceWarning[] } {
  if (!chains) return { chains: undefined, warnings: [] };
  const operations = new Set(connectorOperationIds(connector));
  const unsupported = new Set((providerType ? providerById(providerType)?.unsupported ?? [] : []).map((name) => `${connector}_${name}`));
  const warnings: ReferenceWarning[] = [];
  const resolved = chains.map((chain, i) => {
    const at = `${pointer}/${i}`;
    const refs = (chain.mappings as string[] | undefined) ?? []; // a chain's mappings are strings by the request schema
    const ids = refs.map((text, j) => {
      const { mapping, version } = resolveMappingRef(org, text, `${at}/mappings/${j}`, true);
      return `${mapping.id}:${version}`;
    });
    // (strings too, by the schema)
    ((chain.operation_ids as string[] | undefined) ?? []).forEach((op, k) => {
      if (!operations.has(op)) {
        throw errors.badRequest(`${op} is not an operation of the ${connector} connector`, {
          ...where(`${at}/operation_ids/${k}`, op),
          remediation: `use one of: ${[...operations].join(', ')}`,
        });
      }
      if (unsupported.has(op)) warnings.push({ message: `provider ${providerType} does not support ${op}; this chain never runs for it`, pointer: `${at}/operation_ids/${k}` });
    });
    return { ...structuredClone(chain), mappings: ids };
  });
  return { chains: resolved, warnings };
}

/** the mapping ids (`<id>:<version>` → id) a list of chains refers to */
function referencedIds(chains: unknown): Set<string> {
  const out = new Set<string>();
  if (!Array.isArray(chains)) return out;
  for (const chain of chains as Array<{ mappings?: unknown } | undefined>) { // checked member by member below
    if (!Array.isArray(chain?.mappings)) continue;
    for (const ref of chain.mappings) if (typeof ref === 'string') out.add(ref.split(':')[0]!);
  }
  return out;
}

/** the integrations and integration points whose chains refer to a mapping (any version) */
export function mappingUsers(org: OrgState, mapping: MappingRecord): { integrations: IntegrationRecord[]; points: IntegrationPointRecord[] } {
  const uses = (chains: unknown) => {
    const ids = referencedIds(chains);
    return ids.has(mapping.id) || ids.has(mapping.name);
  };
  return {
    integrations: org.integrations.all().filter((i) => uses(i.mappings)),
    points: org.integrationPoints.all().filter((p) => uses(p.mappings)),
  };
}
