import { readFileSync } from 'node:fs';
import { errors } from '../../core/errors.ts';
import { INLINE_REQUIRED, isInlineKind } from '../credentials/kinds.ts';
import { isPlainObject } from '../../core/store/document.ts';
import { specPath } from '../../core/spec.ts';

/**
 * The vendor's provider configurations as data: specs/synqly-provider-configs.json (a copy of the
 * shared contract, extracted from the vendor's SDK types) lists every provider id, its connector
 * category and the fields of its `provider_config` — JSON type, required, enum values, nested
 * objects, discriminated unions and the credential kinds (inline or `<kind>_id` reference) each
 * credential field takes. `checkProviderConfig` enforces exactly that; the capabilities family
 * serves it (`expand=provider_config`).
 */

export interface FieldDescriptor {
  type: 'string' | 'boolean' | 'integer' | 'number' | 'enum' | 'array' | 'object' | 'credential' | 'union';
  required?: boolean;
  enum?: string[];
  items?: FieldDescriptor;
  /** a nested object's fields */
  fields?: Record<string, FieldDescriptor>;
  /** a map with string keys: the descriptor of every value */
  additional_properties?: FieldDescriptor;
  /** credential fields: the `type` values accepted (inline kinds and `<kind>_id` references) */
  credential_kinds?: string[];
  /** unions: the discriminator's values and each variant's fields */
  variants?: Record<string, { fields: Record<string, FieldDescriptor> }>;
}

export interface ProviderConfigDef {
  type: string;
  category: string;
  fields: Record<string, FieldDescriptor>;
}

export interface ProviderConfigCatalogue {
  /** the vendor's CategoryId values (no `*`) */
  categories: readonly string[];
  /** every provider config variant, sorted by type */
  providers: readonly ProviderConfigDef[];
  byType: ReadonlyMap<string, ProviderConfigDef>;
}

let catalogue: ProviderConfigCatalogue | undefined;

/** specs/synqly-provider-configs.json, read when a request first needs it (not at every start: it is 200 KB) */
export function providerConfigs(): ProviderConfigCatalogue {
  if (!catalogue) {
    // the shared contract's file: its categories and providers have the shapes declared above
    const source = JSON.parse(readFileSync(specPath('synqly-provider-configs.json'), 'utf8')) as { categories: string[]; providers: ProviderConfigDef[] };
    catalogue = { categories: source.categories, providers: source.providers, byType: new Map(source.providers.map((p) => [p.type, p])) };
  }
  return catalogue;
}

const escape = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

function describeType(d: FieldDescriptor): string {
  switch (d.type) {
    case 'enum':
      return `one of ${d.enum!.join(', ')}`;
    case 'credential':
      return `a credential of type ${d.credential_kinds!.join(', ')}`;
    case 'union':
      return `an object of type ${Object.keys(d.variants!).join(', ')}`;
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'integer':
      return 'an integer';
    default:
      return `a ${d.type}`;
  }
}

/** 400 at `pointer` (body), naming the provider */
function refuse(provider: string, pointer: string, message: string, value?: unknown) {
  return errors.badRequest(`provider_config ${message} (${provider})`, {
    parameter: { id: pointer, location: 'body', ...(value !== undefined && !isPlainObject(value) && !Array.isArray(value) ? { value } : {}) },
  });
}

function checkFields(provider: string, fields: Record<string, FieldDescriptor>, value: Record<string, unknown>, pointer: string): void {
  for (const [name, d] of Object.entries(fields)) {
    const v = value[name];
    const at = `${pointer}/${escape(name)}`;
    if (v === undefined || v === null) {
      if (d.required) throw refuse(provider, at, `field ${at.slice('/provider_config/'.length)} is required`);
      continue;
    }
    checkValue(provider, d, v, at);
  }
}

function checkValue(provider: string, d: FieldDescriptor, v: unknown, at: string): void {
  const wrong = () => refuse(provider, at, `${at.slice('/provider_config/'.length)} must be ${describeType(d)}`, v);
  switch (d.type) {
    case 'string':
      if (typeof v !== 'string') throw wrong();
      return;
    case 'boolean':
      if (typeof v !== 'boolean') throw wrong();
      return;
    case 'integer':
      if (!Number.isInteger(v)) throw wrong();
      return;
    case 'number':
      if (typeof v !== 'number') throw wrong();
      return;
    case 'enum':
      if (typeof v !== 'string' || !d.enum!.includes(v)) throw wrong();
      return;
    case 'array':
      if (!Array.isArray(v)) throw wrong();
      if (d.items) v.forEach((item, i) => checkValue(provider, d.items!, item, `${at}/${i}`));
      return;
    case 'object':
      if (!isPlainObject(v)) throw wrong();
      if (d.fields) checkFields(provider, d.fields, v, at);
      if (d.additional_properties) for (const [k, item] of Object.entries(v)) checkValue(provider, d.additional_properties, item, `${at}/${escape(k)}`);
      return;
    case 'credential':
      // the inline kinds' own fields are checked where inline secrets are collected (integrations/config.ts)
      if (!isPlainObject(v)) throw wrong();
      if (typeof v.type !== 'string' || !d.credential_kinds!.includes(v.type)) throw refuse(provider, `${at}/type`, `${at.slice('/provider_config/'.length)} must be ${describeType(d)}`, v.type);
      if (v.type.endsWith('_id') && typeof v.value !== 'string') throw refuse(provider, `${at}/value`, `${at.slice('/provider_config/'.length)}.value must be the id of a stored credential`, v.value);
      return;
    case 'union': {
      if (!isPlainObject(v)) throw wrong();
      const variant = typeof v.type === 'string' ? d.variants![v.type] : undefined;
      if (!variant) throw refuse(provider, `${at}/type`, `${at.slice('/provider_config/'.length)} must be ${describeType(d)}`, v.type);
      checkFields(provider, variant.fields, v, at);
      return;
    }
  }
}

/**
 * Checks a provider_config against the vendor's variant for its `type`: an unknown type, a missing
 * required field, a value of the wrong JSON type or outside its enum, or a credential kind the
 * field does not take → 400 pointing at the field. Fields the variant does not declare are
 * left alone (the vendor's types keep unknown fields).
 */
export function checkProviderConfig(config: Record<string, unknown>): ProviderConfigDef {
  const type = config.type;
  const def = typeof type === 'string' ? providerConfigs().byType.get(type) : undefined;
  if (!def) {
    throw errors.badRequest(`provider ${String(type)} is not a provider id of the catalogue`, {
      parameter: { id: '/provider_config/type', location: 'body', ...(typeof type === 'string' ? { value: type } : {}) },
      remediation: 'list the providers with GET /v1/capabilities/providers',
    });
  }
  checkFields(def.type, def.fields, config, '/provider_config');
  return def;
}

/** a field descriptor as JSON Schema (capabilities `expand=provider_config`) */
function fieldSchema(d: FieldDescriptor): Record<string, unknown> {
  switch (d.type) {
    case 'enum':
      return { type: 'string', enum: [...d.enum!] };
    case 'array':
      return { type: 'array', ...(d.items ? { items: fieldSchema(d.items) } : {}) };
    case 'object':
      return {
        type: 'object',
        ...(d.fields ? objectSchema(d.fields) : {}),
        ...(d.additional_properties ? { additionalProperties: fieldSchema(d.additional_properties) } : {}),
      };
    case 'credential':
      // one variant per kind: an inline secret with its fields, or `{type: "<kind>_id", value}` naming a stored credential
      return {
        description: `Credential: ${d.credential_kinds!.join(' | ')}.`,
        oneOf: d.credential_kinds!.map((kind) => {
          const fields = isInlineKind(kind) ? INLINE_REQUIRED[kind][0]! : ['value'];
          return { type: 'object', required: ['type', ...fields], properties: { type: { type: 'string', enum: [kind] }, ...Object.fromEntries(fields.map((f) => [f, { type: 'string' }])) } };
        }),
      };
    case 'union':
      return { oneOf: Object.entries(d.variants!).map(([kind, v]) => ({ type: 'object', ...objectSchema(v.fields, { type: { type: 'string', enum: [kind] } }) })) };
    default:
      return { type: d.type };
  }
}

function objectSchema(fields: Record<string, FieldDescriptor>, extra: Record<string, unknown> = {}) {
  const required = [...Object.keys(extra), ...Object.entries(fields).filter(([, d]) => d.required).map(([n]) => n)];
  return { ...(required.length > 0 ? { required } : {}), properties: { ...extra, ...Object.fromEntries(Object.entries(fields).map(([n, d]) => [n, fieldSchema(d)])) } };
}

/** the provider config of `type` as JSON Schema */
export function providerConfigSchema(def: ProviderConfigDef) {
  return { type: 'object', ...objectSchema(def.fields, { type: { type: 'string', enum: [def.type], description: 'Provider id.' } }) };
}
