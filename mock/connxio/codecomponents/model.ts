import { createHash } from 'node:crypto';
import { ApiError } from '../../core/errors.ts';
import type { JsonRecord } from '../../core/store/document.ts';
import { iso, type ModelEnv } from '../company/model.ts';
import { FieldErrors, validationProblem } from '../management.ts';
import type { CompanyState } from '../state.ts';
import { integrationsUsingComponent } from '../integrations/model.ts';

/**
 * Code components (contract §2.5, DECISIONS "code components"): company-level, shared by every
 * subscription; one id, many versions. `PUT /v2/codecomponents` adds a version or replaces the
 * version with the same `version`; `GET /{id}` answers an array holding the newest version;
 * unknown ids answer 400 (as the vendor documents); deleting a component that an integration
 * still references answers 400. The uploaded bytes are not kept: only their SHA-256 and size.
 */

export interface CodeComponentVersion {
  uniqueId: string;
  description: string | null;
  version: string;
  sasUri: string;
  deprecated: boolean;
  type: string;
  componentOriginalFilename: string | null;
  uploadedBy: string | null;
  lastUpdated: string;
  versionConverted: number;
  contentSha256: string;
  contentBytes: number;
}

export interface CodeComponentRecord extends JsonRecord {
  id: string;
  companyId: string;
  /** one name for every version (the vendor renames all versions at once) */
  name: string;
  versions: CodeComponentVersion[];
}

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
const VERSION = /^(\d{1,4})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?$/;
const BLOB_HOST = 'https://codecomponents.apitwin.invalid';

/** `1.0.3` → 1000003: major·10⁶ + minor·10³ + patch (the ordering key the vendor returns). */
export function versionConverted(version: string): number | undefined {
  const m = VERSION.exec(version.trim());
  if (!m) return undefined;
  const [major, minor = '0', patch = '0'] = [m[1]!, m[2], m[3]];
  const n = Number(major) * 1_000_000 + Number(minor) * 1_000 + Number(patch);
  return n <= 2_147_483_647 ? n : undefined;
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

const newestFirst = (a: CodeComponentVersion, b: CodeComponentVersion) => b.versionConverted - a.versionConverted;

function find(company: CompanyState, id: string): CodeComponentRecord | undefined {
  return company.codeComponents.get(id) ?? company.codeComponents.get(id.toLowerCase());
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
  const converted = versionConverted(input.version);
  if (converted === undefined) problems.add('Version', `The version ${input.version} is not of the form major.minor.patch (numbers, minor and patch up to 999).`);
  if (input.type.trim() === '') problems.add('Type', 'The Type field is required.');
  const bytes = Buffer.from(input.mappingDll, 'base64');
  if (bytes.length === 0) problems.add('MappingDll', 'The component file is empty.');
  else if (!(bytes[0] === 0x4d && bytes[1] === 0x5a) && !(bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    problems.add('MappingDll', 'The component file is neither a .NET assembly (.dll, starts with MZ) nor a .zip archive (starts with PK).');
  }
  const existing = id === '' ? undefined : find(company, id);
  const componentId = existing?.id ?? id;
  if (name !== '') assertNameFree(company, name, componentId, problems, 'Name');
  problems.throwIfAny('The code component did not pass validation.');

  const now = iso(env.nowMs);
  const before = existing?.versions.find((v) => v.versionConverted === converted);
  const newest = existing ? [...existing.versions].sort(newestFirst)[0] : undefined;
  const uniqueId = before?.uniqueId ?? env.random.uuid();
  const filename = input.componentOriginalFilename ?? null;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const sasUri =
    input.sasUri ||
    `${BLOB_HOST}/components/${encodeURIComponent(componentId)}/${encodeURIComponent(input.version)}/${encodeURIComponent(filename ?? `${componentId}.dll`)}?sv=2024-08-04&sr=b&sp=r&sig=${createHash('sha256').update(`${uniqueId}:${sha256}`).digest('hex').slice(0, 32)}`;
  const version: CodeComponentVersion = {
    uniqueId,
    description: input.description !== undefined ? input.description : (before ?? newest)?.description ?? null,
    version: input.version.trim(),
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
    versions: [...(existing?.versions ?? []).filter((v) => v.versionConverted !== converted), version],
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
    const converted = versionConverted(version);
    const target = c.versions.find((v) => v.version === version || (converted !== undefined && v.versionConverted === converted));
    if (!target) throw new ApiError('bad_request', `Code component ${c.id} has no version ${version}.`, { parameter: { id: 'version', location: 'query', value: version } });
    versions = c.versions.map((v) => (v === target ? { ...v, deprecated: true, lastUpdated: now } : v));
  } else {
    versions = c.versions.map((v) => ({ ...v, deprecated: true, lastUpdated: now }));
  }
  company.codeComponents.put({ ...c, versions });
}

export function renameCodeComponent(company: CompanyState, id: string, name: string, env: ModelEnv): void {
  const c = requireComponent(company, id);
  const problems = new FieldErrors();
  const trimmed = name.trim();
  if (!NAME_PATTERN.test(trimmed)) problems.add('name', 'The name may only contain letters, digits, spaces and hyphens.');
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
