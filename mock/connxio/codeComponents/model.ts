import { createHash } from 'node:crypto';
import { ApiError } from '../../core/errors.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { FieldErrors, validationProblem } from '../management.ts';
import type { CodeComponentRecord, CodeComponentVersion, CompanyState } from '../state.ts';
import { integrationsUsingComponent } from '../integrations/lookups.ts';

/**
 * Code components (contract §2.5, DECISIONS "code components"): company-level, shared by every
 * subscription; one id (kept lower-cased, as integration ids), many versions. `PUT
 * /v2/codecomponents` adds a version or replaces the same version (`sameVersion`); `GET /{id}`
 * answers an array holding the newest version (`compareVersions`); unknown ids answer 400 (as the
 * vendor documents); deleting a component that an integration still references answers 400. A
 * name is unique per company, ignoring case (the twin's rule). The uploaded bytes are any non-empty
 * content, never inspected, and not kept: only their SHA-256 and size.
 */

/** CodeMappingMetaDataViewModel */
export interface CodeComponentView extends Omit<CodeComponentVersion, 'contentSha256' | 'contentBytes'> {
  id: string;
  companyId: string;
  name: string;
}

export interface CodeComponentUpload {
  id: string;
  name: string;
  description?: string | null;
  version: string;
  sasUri?: string | null;
  deprecated?: boolean;
  type: string;
  componentOriginalFilename?: string | null;
  uploadedBy?: string | null;
  mappingDll: string;
}

export const NAME_PATTERN = /^[A-Za-z0-9 \-]+$/;
/**
 * A version as .NET tooling writes them (NuGet): 1 to 4 numeric parts (`1`, `1.0`, `1.0.3`,
 * `1.0.0.1`), an optional `-prerelease` label and optional `+build` metadata, e.g. `2.1.0-beta.2+sha.5114f85`.
 */
const VERSION = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const INT32_MAX = 2_147_483_647;
const BLOB_HOST = 'https://codecomponents.apitwin.invalid';

export interface ParsedVersion {
  /** major, minor, patch, revision (missing parts are 0) */
  parts: [number, number, number, number];
  /** the prerelease label's dot-separated identifiers ([] = a release) */
  prerelease: string[];
}

/** A version's parts (each at most 2147483647, as .NET's System.Version), or undefined when it is not a version. */
export function parseVersion(version: string): ParsedVersion | undefined {
  const m = VERSION.exec(version.trim());
  if (!m) return undefined;
  const parts = [m[1], m[2], m[3], m[4]].map((p) => (p === undefined ? 0 : Number(p)));
  if (parts.some((p) => p > INT32_MAX)) return undefined;
  // four groups, so four numbers
  return { parts: parts as ParsedVersion['parts'], prerelease: m[5] ? m[5].split('.') : [] };
}

function compareIdentifiers(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1; // numeric identifiers sort before alphanumeric ones
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/**
 * Orders versions as NuGet does: numerically part by part (`1.0.10` > `1.0.2`, `1.0.0.1` > `1.0.0`,
 * `1.0` = `1.0.0`), then a release above its prereleases (`1.0.0` > `1.0.0-rc.1` > `1.0.0-beta`),
 * prerelease identifiers compared numerically or case-insensitively; build metadata is ignored.
 * Versions that do not parse sort below every version (and compare by their text among themselves).
 */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : a.localeCompare(b);
  for (let i = 0; i < 4; i++) if (pa.parts[i] !== pb.parts[i]) return pa.parts[i]! - pb.parts[i]!;
  if (pa.prerelease.length === 0 || pb.prerelease.length === 0) return pb.prerelease.length - pa.prerelease.length;
  for (let i = 0; i < Math.min(pa.prerelease.length, pb.prerelease.length); i++) {
    const c = compareIdentifiers(pa.prerelease[i]!, pb.prerelease[i]!);
    if (c !== 0) return c;
  }
  return pa.prerelease.length - pb.prerelease.length;
}

/** Two spellings of one version (`1.0` and `1.0.0`, `1.0.0+a` and `1.0.0+b`, `1.0.0-RC` and `1.0.0-rc`): an upload replaces it. */
export function sameVersion(a: string, b: string): boolean {
  return compareVersions(a, b) === 0 && parseVersion(a) !== undefined;
}

/**
 * The `versionConverted` number the vendor returns: major·10⁶ + minor·10³ + patch (`1.0.3` →
 * 1000003). How the vendor converts a revision, a prerelease label or a part above 999 is not
 * documented: the revision and the label do not count, and a version whose number would not fit
 * (minor or patch above 999, or beyond int32) gets 0. The twin orders versions by
 * `compareVersions`, never by this number.
 */
export function versionConverted(version: string): number | undefined {
  const parsed = parseVersion(version);
  if (!parsed) return undefined;
  const [major, minor, patch] = parsed.parts;
  if (minor > 999 || patch > 999) return 0;
  const n = major * 1_000_000 + minor * 1_000 + patch;
  return n <= INT32_MAX ? n : 0;
}

function view(record: CodeComponentRecord, v: CodeComponentVersion): CodeComponentView {
  return {
    id: record.id,
    uniqueId: v.uniqueId,
    companyId: record.companyId,
    name: record.name,
    description: v.description,
    version: v.version,
    sasUri: v.sasUri,
    deprecated: v.deprecated,
    type: v.type,
    componentOriginalFilename: v.componentOriginalFilename,
    uploadedBy: v.uploadedBy,
    lastUpdated: v.lastUpdated,
    versionConverted: v.versionConverted,
  };
}

const newestFirst = (a: CodeComponentVersion, b: CodeComponentVersion) => compareVersions(b.version, a.version) || b.lastUpdated.localeCompare(a.lastUpdated);

/** ids are kept lower-cased, as integration ids are, so any letter case finds them (a record stored as sent before that, by its exact id) */
function find(company: CompanyState, id: string): CodeComponentRecord | undefined {
  return company.codeComponents.get(id.toLowerCase()) ?? company.codeComponents.get(id);
}

function notFound(id: string): ApiError {
  return new ApiError('bad_request', `Code component ${id} was not found.`, { parameter: { id: 'id', location: 'path', value: id } });
}

function requireComponent(company: CompanyState, id: string): CodeComponentRecord {
  const found = find(company, id);
  if (!found) throw notFound(id);
  return found;
}

/** Every version of every component of the company: by name, newest version first. */
export function listCodeComponents(company: CompanyState): CodeComponentView[] {
  return company.codeComponents
    .all()
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .flatMap((c) => [...c.versions].sort(newestFirst).map((v) => view(c, v)));
}

/** `GET /{id}`: an array with the newest version (deprecated or not). */
export function getCodeComponent(company: CompanyState, id: string): CodeComponentView[] {
  const c = requireComponent(company, id);
  return [view(c, [...c.versions].sort(newestFirst)[0]!)];
}

export function getCodeComponentVersions(company: CompanyState, id: string): CodeComponentView[] {
  const c = requireComponent(company, id);
  return [...c.versions].sort(newestFirst).map((v) => view(c, v));
}

function assertNameFree(company: CompanyState, name: string, id: string, problems: FieldErrors, field: string): void {
  const clash = company.codeComponents.all().find((c) => c.id !== id && c.name.toLowerCase() === name.toLowerCase());
  if (clash) problems.add(field, `A code component named ${clash.name} already exists (${clash.id}).`);
}

export function uploadCodeComponent(company: CompanyState, input: CodeComponentUpload, actor: string, env: ModelEnv): CodeComponentView {
  const problems = new FieldErrors();
  const id = input.id.trim();
  const name = input.name.trim();
  if (id === '') problems.add('Id', 'The Id field is required.');
  if (!NAME_PATTERN.test(name)) problems.add('Name', 'The name may only contain letters, digits, spaces and hyphens.');
  const versionText = input.version.trim();
  const converted = versionConverted(versionText);
  if (converted === undefined) {
    problems.add('Version', `The version ${input.version} is not a version: 1 to 4 numbers separated by dots (1.0.3, 1.0.0.1), optionally followed by a -prerelease label and +build metadata (1.1.0-beta.2).`);
  }
  if (input.type.trim() === '') problems.add('Type', 'The Type field is required.');
  // the bytes of the .dll or .zip, taken as they are (never inspected)
  const bytes = Buffer.from(input.mappingDll, 'base64');
  if (bytes.length === 0) problems.add('MappingDll', 'The component file is empty.');
  const existing = id === '' ? undefined : find(company, id);
  const componentId = existing?.id ?? id.toLowerCase();
  if (name !== '') assertNameFree(company, name, componentId, problems, 'Name');
  problems.throwIfAny('The code component did not pass validation.');

  const now = iso(env.nowMs);
  const before = existing?.versions.find((v) => sameVersion(v.version, versionText));
  const newest = existing ? [...existing.versions].sort(newestFirst)[0] : undefined;
  const uniqueId = before?.uniqueId ?? env.random.uuid();
  const filename = input.componentOriginalFilename ?? null;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const sasUri =
    input.sasUri ||
    `${BLOB_HOST}/components/${encodeURIComponent(componentId)}/${encodeURIComponent(versionText)}/${encodeURIComponent(filename ?? `${componentId}.dll`)}?sv=2024-08-04&sr=b&sp=r&sig=${createHash('sha256').update(`${uniqueId}:${sha256}`).digest('hex').slice(0, 32)}`;
  const version: CodeComponentVersion = {
    uniqueId,
    description: input.description !== undefined ? input.description : (before ?? newest)?.description ?? null,
    version: versionText,
    sasUri,
    deprecated: input.deprecated ?? false,
    type: input.type,
    componentOriginalFilename: filename,
    uploadedBy: input.uploadedBy ?? actor,
    lastUpdated: now,
    versionConverted: converted!,
    contentSha256: sha256,
    contentBytes: bytes.length,
  };
  const record: CodeComponentRecord = {
    id: componentId,
    companyId: company.companyId,
    name,
    versions: [...(existing?.versions ?? []).filter((v) => v !== before), version],
  };
  company.codeComponents.put(record);
  return view(record, version);
}

/** Deprecates one version (`version` given) or every version. */
export function deprecateCodeComponent(company: CompanyState, id: string, version: string | undefined, env: ModelEnv): void {
  const c = requireComponent(company, id);
  const now = iso(env.nowMs);
  let versions: CodeComponentVersion[];
  if (version !== undefined && version !== '') {
    const target = c.versions.find((v) => v.version === version) ?? c.versions.find((v) => sameVersion(v.version, version));
    if (!target) throw new ApiError('bad_request', `Code component ${c.id} has no version ${version}.`, { parameter: { id: 'version', location: 'query', value: version } });
    versions = c.versions.map((v) => (v === target ? { ...v, deprecated: true, lastUpdated: now } : v));
  } else {
    versions = c.versions.map((v) => ({ ...v, deprecated: true, lastUpdated: now }));
  }
  company.codeComponents.put({ ...c, versions });
}

export function renameCodeComponent(company: CompanyState, id: string, name: string | undefined, env: ModelEnv): void {
  const c = requireComponent(company, id);
  const problems = new FieldErrors();
  const trimmed = (name ?? '').trim();
  if (name === undefined) problems.add('name', 'A new name is required to rename a code component.');
  else if (!NAME_PATTERN.test(trimmed)) problems.add('name', 'The name may only contain letters, digits, spaces and hyphens.');
  else assertNameFree(company, trimmed, c.id, problems, 'name');
  problems.throwIfAny('The new name was refused.');
  const now = iso(env.nowMs);
  company.codeComponents.put({ ...c, name: trimmed, versions: c.versions.map((v) => ({ ...v, lastUpdated: now })) });
}

export function deleteCodeComponent(company: CompanyState, id: string): void {
  const c = requireComponent(company, id);
  const users = integrationsUsingComponent(company, c.id);
  if (users.length > 0) {
    throw validationProblem(`Code component ${c.id} is used in one or more integrations.`, {
      Id: [`Code component ${c.id} is used in ${users.length} integration(s); remove it from them before deleting it.`],
    });
  }
  company.codeComponents.delete(c.id);
}
