import { errors } from '../../core/errors.ts';
import { isPlainObject, type JsonRecord } from '../../core/store/document.ts';
import { providerById, type ProviderDef } from '../capabilities/catalogue.ts';
import { checkProviderConfig } from '../capabilities/provider-configs.ts';
import { credentialReferences, kindMatches } from '../credentials/model.ts';
import { isInlineKind, missingInlineFields, referenceKind, storedConfig, type InlineKind } from '../credentials/kinds.ts';
import type { AccountRecord, CredentialKind, CredentialRecord, OrgState } from '../state.ts';

/**
 * Provider configs of integrations (contract §2.5.1, DECISIONS "inline secrets"): the provider id
 * decides the connector (`category`), and the vendor's variant for it the fields, their types and
 * the credential kinds each credential field accepts. Credential fields hold an inline
 * secret (`{"type": "basic", …}`) or a reference to a stored credential (`{"type": "basic_id",
 * "value": id}`) the integration may use: one of its account, of its integration point, or its own.
 */

export interface ProviderInfo {
  type: string;
  category: string;
  fullname: string;
  def: ProviderDef;
}

export interface InlineSecret {
  pointer: string;
  kind: InlineKind;
  config: JsonRecord & { type: CredentialKind };
}

export interface ConfigPlan {
  provider: ProviderInfo;
  /** inline secrets found, in document order */
  inline: InlineSecret[];
  /** stored references, checked */
  references: Array<{ pointer: string; credential: CredentialRecord }>;
}

/** a non-fatal finding (integrations_verify `messages.problems`, integrations_create `messages`) */
export interface Warning {
  message: string;
  pointer?: string;
}

const at = (pointer: string) => `/provider_config${pointer}`;

/**
 * The provider of a provider config, after checking the config against the vendor's variant for
 * its type (capabilities/provider-configs.ts: unknown type, missing required field, wrong type,
 * value outside its enum, credential kind the field does not take → 400 at the field).
 */
export function providerInfo(providerConfig: { type: string }): ProviderInfo {
  const config = checkProviderConfig(providerConfig as Record<string, unknown>); // checked member by member there
  const def = providerById(config.type)!;
  return { type: config.type, category: config.category, fullname: def.fullname, def };
}

/** a custom_synqly config runs a custom provider definition of the organization (customs family) */
function assertCustomExists(org: OrgState, providerConfig: Record<string, unknown>): void {
  if (providerConfig.type !== 'custom_synqly') return;
  const id = providerConfig.custom_id as string; // required by the custom_synqly config schema
  if (!org.customs.get(id)) {
    throw errors.notFound(`custom provider ${id} not found: custom_id must be the id of a custom provider definition (GET /v1/customs)`, {
      parameter: { id: '/provider_config/custom_id', location: 'body', value: id },
    });
  }
}

function findInline(value: unknown, pointer: string, out: InlineSecret[]): void {
  if (Array.isArray(value)) return value.forEach((v, i) => findInline(v, `${pointer}/${i}`, out));
  if (!isPlainObject(value)) return;
  const obj = value;
  if (pointer !== '' && isInlineKind(obj.type)) {
    const missing = missingInlineFields(obj.type, obj);
    if (missing.length > 0) {
      throw errors.badRequest(`inline ${obj.type} credential at provider_config${pointer} lacks ${missing.join(', ')}`, {
        parameter: { id: at(`${pointer}/${missing[0]}`), location: 'body' },
      });
    }
    out.push({ pointer, kind: obj.type, config: storedConfig(obj.type, obj) });
    return;
  }
  for (const [k, v] of Object.entries(obj)) findInline(v, `${pointer}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`, out);
}

/** who may use a stored credential in this integration */
export interface CredentialScope {
  account: AccountRecord;
  integrationId?: string;
  integrationPointId?: string;
}

function usable(c: CredentialRecord, scope: CredentialScope): boolean {
  return (
    (c.owner_type === 'account' && c.owner_id === scope.account.id) ||
    (c.owner_type === 'integration' && c.owner_id === scope.integrationId) ||
    (c.owner_type === 'integration_point' && c.owner_id === scope.integrationPointId)
  );
}

/** Checks a provider config; throws the 400/404 that integrations_create would answer. */
export function planConfig(org: OrgState, providerConfig: JsonRecord & { type: string }, scope: CredentialScope): ConfigPlan {
  const provider = providerInfo(providerConfig);
  assertCustomExists(org, providerConfig);
  const inline: InlineSecret[] = [];
  findInline(providerConfig, '', inline);
  const references = credentialReferences(providerConfig).map((ref) => {
    const credential = org.credentials.get(ref.id);
    if (!credential) {
      throw errors.notFound(`credential ${ref.id} referenced at provider_config${ref.pointer} not found`, {
        parameter: { id: at(`${ref.pointer}/value`), location: 'body', value: ref.id },
      });
    }
    if (!usable(credential, scope)) {
      throw errors.badRequest(`credential ${credential.name} belongs to another ${credential.owner_type.replace('_', ' ')} and cannot be used by this integration`, {
        parameter: { id: at(`${ref.pointer}/value`), location: 'body', value: ref.id },
        remediation: "use a credential of the integration's account or integration point",
      });
    }
    if (!kindMatches(ref.kind, credential)) {
      throw errors.badRequest(`credential ${credential.name} is a ${credential.config.type} credential, not ${ref.kind}`, {
        parameter: { id: at(`${ref.pointer}/type`), location: 'body', value: `${ref.kind}_id` },
      });
    }
    return { pointer: ref.pointer, credential };
  });
  return { provider, inline, references };
}

/** findings that do not stop a create: expired credentials, release state, an uncatalogued provider */
export function configWarnings(plan: ConfigPlan, account: AccountRecord, nowMs: number): Warning[] {
  const out: Warning[] = [];
  for (const { pointer, credential } of plan.references) {
    if (credential.expires && Date.parse(credential.expires) <= nowMs) {
      out.push({ message: `credential ${credential.name} at provider_config${pointer} expired at ${credential.expires}`, pointer: at(`${pointer}/value`) });
    }
  }
  const def = plan.provider.def;
  const environments = def.environments ?? ['prod', 'test'];
  if (!environments.includes(account.environment)) {
    out.push({ message: `provider ${def.id} is released for ${environments.join(', ')} accounts, not ${account.environment}`, pointer: '/provider_config/type' });
  }
  if (def.availability && def.availability !== 'generally-available') {
    out.push({ message: `provider ${def.id} is ${def.availability}`, pointer: '/provider_config/type' });
  }
  return out;
}

function setAt(doc: Record<string, unknown>, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  let cur: Record<string, unknown> = doc;
  // the pointer was found by walking this document, so each step leads to an object
  for (const p of parts.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
  cur[parts[parts.length - 1]!] = value;
}

export function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const p of pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = Reflect.get(cur, p);
  }
  return cur;
}

/** the provider config to store: each inline secret replaced by its `<kind>_id` reference */
export function withReferences(providerConfig: JsonRecord, replacements: Array<{ pointer: string; kind: InlineKind; id: string }>): JsonRecord & { type: string } {
  const doc = structuredClone(providerConfig) as JsonRecord & { type: string }; // a provider config always has its type
  for (const r of replacements) setAt(doc, r.pointer, { type: `${r.kind}_id`, value: r.id });
  return doc;
}
