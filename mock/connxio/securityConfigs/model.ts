import { ApiError } from '../../core/errors.ts';
import { hashSecret } from '../../core/secrets.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { FieldErrors, newEtag } from '../management.ts';
import type { CompanyState, SecurityConfigRecord, SecurityConfiguration } from '../state.ts';
import { isPlainObject } from '../../core/store/document.ts';

/**
 * Security configurations (contract §2.7): company-level credentials that integrations reference
 * by id (`webhookConnectionId`, `SecurityConfigId`). Global ones hold one property bag for every
 * subscription; the others hold one bag per subscription. The bags are typed by `securityType`
 * and opaque to the API.
 *
 * Secrets live in a key store and are not returned: a `Secret` object (`{decryptedValue, name,
 * version}`) or a plain string under a secret-looking key (password, clientSecret, apiKey, token,
 * connectionString, …) is replaced by a reference `{decryptedValue: null, name, version}`; only
 * a SHA-256 of the value is kept, to tell whether a re-sent value is a new version. Sending the
 * reference back unchanged (GET → edit → PUT) keeps the stored secret.
 */

export const SECURITY_COSMOS_ENTITY_NAME = 'MessageHub.Models.Security.SecurityConfiguration';

export interface SecretRef {
  decryptedValue: null;
  name: string;
  version: string;
}

export interface SecurityConfigRequest {
  id: string;
  name: string;
  isGlobal: boolean;
  securityType: number;
  globalSecurityProperties?: Record<string, unknown> | null;
  securityProperties?: Record<string, Record<string, unknown>> | null;
}

const SECRET_KEY = /(password|passwd|pwd|secret|apikey|api_key|accesskey|sharedaccesskey|saskey|privatekey|passphrase|token|connectionstring)/i;
/** names that describe a secret rather than hold it (`tokenUrl`, `apiKeyHeaderName`, `secretId`) */
const NOT_SECRET_KEY = /(url|uri|endpoint|type|name|header|id)$/i;

export function securityConfigView(record: SecurityConfigRecord): SecurityConfiguration {
  // eTagSetter is write-only in the vendor's type; records stored before it was dropped still hold it
  const { secrets: _secrets, eTagSetter: _eTagSetter, ...view } = record as SecurityConfigRecord & { eTagSetter?: unknown };
  return view;
}

export function listSecurityConfigs(company: CompanyState): SecurityConfiguration[] {
  return company.securityConfigs
    .all()
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .map(securityConfigView);
}

/** ids are kept lower-cased, as integration ids are, so any letter case finds them (a record stored as sent before that, by its exact id) */
function find(company: CompanyState, id: string): SecurityConfigRecord | undefined {
  return company.securityConfigs.get(id.toLowerCase()) ?? company.securityConfigs.get(id);
}

function notFound(id: string): ApiError {
  return new ApiError('bad_request', `Security configuration ${id} was not found.`, { parameter: { id: 'id', location: 'path', value: id } });
}

export function getSecurityConfig(company: CompanyState, id: string): SecurityConfiguration {
  const found = find(company, id);
  if (!found) throw notFound(id);
  return securityConfigView(found);
}

function isSecretObject(value: unknown): value is { decryptedValue?: unknown; name?: unknown; version?: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'decryptedValue' in value;
}

/**
 * Replaces secret values in a property bag by key-store references. `prefix` names the secrets
 * (`<configId>-<bag>-<key>`); `previous` holds the stored hashes, `next` receives the kept ones.
 */
function sealBag(
  bag: Record<string, unknown>,
  prefix: string,
  previous: SecurityConfigRecord['secrets'],
  next: SecurityConfigRecord['secrets'],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(bag)) {
    const secretName = `${prefix}-${key}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
    const store = (plain: string): SecretRef => {
      const hash = hashSecret(plain);
      const before = previous[secretName];
      const version = before ? (before.hash === hash ? before.version : String(Number(before.version) + 1)) : '1';
      next[secretName] = { hash, version };
      return { decryptedValue: null, name: secretName, version };
    };
    if (isSecretObject(value)) {
      if (typeof value.decryptedValue === 'string') out[key] = store(value.decryptedValue);
      else {
        // a reference sent back: keep the stored secret it names
        const name = typeof value.name === 'string' ? value.name : secretName;
        const kept = previous[name];
        if (kept) next[name] = kept;
        out[key] = { decryptedValue: null, name, version: kept?.version ?? (typeof value.version === 'string' ? value.version : null) };
      }
    } else if (typeof value === 'string' && value !== '' && SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key)) {
      out[key] = store(value);
    } else if (isPlainObject(value)) {
      out[key] = sealBag(value, `${prefix}-${key}`, previous, next);
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function upsertSecurityConfig(
  company: CompanyState,
  input: SecurityConfigRequest,
  actor: string,
  env: ModelEnv,
): { config: SecurityConfiguration; created: boolean } {
  const problems = new FieldErrors();
  const name = input.name.trim();
  if (input.id.trim() === '') problems.add('Id', 'The Id field is required.');
  if (name === '') problems.add('Name', 'The Name field is required.');
  if (input.isGlobal && !input.globalSecurityProperties) {
    problems.add('GlobalSecurityProperties', 'A global security configuration needs globalSecurityProperties.');
  }
  const subscriptionIds = new Map(company.subscriptions.all().map((s) => [s.id.toLowerCase(), s.id]));
  if (!input.isGlobal && Object.keys(input.securityProperties ?? {}).length === 0) {
    problems.add('SecurityProperties', 'A security configuration that is not global needs securityProperties for at least one subscription.');
  }
  for (const subscriptionId of Object.keys(input.securityProperties ?? {})) {
    if (!subscriptionIds.has(subscriptionId.toLowerCase())) {
      problems.add(`SecurityProperties[${subscriptionId}]`, `The subscription ${subscriptionId} does not belong to this company.`);
    }
  }
  problems.throwIfAny('The security configuration did not pass validation.');

  const existing = find(company, input.id);
  const id = existing?.id ?? input.id.toLowerCase();
  const previous = existing?.secrets ?? {};
  const secrets: SecurityConfigRecord['secrets'] = {};
  const global = input.globalSecurityProperties ? sealBag(input.globalSecurityProperties, `${id}-global`, previous, secrets) : null;
  let perSubscription: Record<string, Record<string, unknown>> | null = null;
  if (input.securityProperties) {
    perSubscription = {};
    for (const [subscriptionId, bag] of Object.entries(input.securityProperties)) {
      const canonical = subscriptionIds.get(subscriptionId.toLowerCase())!;
      perSubscription[canonical] = sealBag(bag ?? {}, `${id}-${canonical}`, previous, secrets);
    }
  }
  const now = iso(env.nowMs);
  const record: SecurityConfigRecord = {
    id,
    name,
    isGlobal: input.isGlobal,
    securityType: input.securityType,
    globalSecurityProperties: global,
    securityProperties: perSubscription,
    createdBy: existing?.createdBy ?? actor,
    updatedBy: actor,
    createdAtUtc: existing?.createdAtUtc ?? now,
    updatedAtUtc: now,
    deletedAtUtc: null,
    deletedBy: null,
    correlationId: existing?.correlationId ?? env.random.uuid(),
    apimSubscription: null,
    eTag: newEtag(env.random, env.nowMs),
    cosmosEntityName: SECURITY_COSMOS_ENTITY_NAME,
    companyId: company.companyId,
    auditCorrelationId: env.random.uuid(),
    secrets,
  };
  company.securityConfigs.put(record);
  return { config: securityConfigView(record), created: !existing };
}

export function deleteSecurityConfig(company: CompanyState, id: string): SecurityConfiguration {
  const found = find(company, id);
  if (!found) throw notFound(id);
  company.securityConfigs.delete(found.id);
  return securityConfigView(found);
}
