import type { JsonSchema } from '../../core/spec.ts';
import { isPlainObject } from '../../core/store/document.ts';

/**
 * For tests and the spec's examples: a JSON value written as ASP.NET's DataContract serializer
 * writes its type — PascalCase member elements, lists as a wrapper of item elements (primitive
 * items and dictionaries in the serialization-arrays namespace, prefix `a:`), dictionaries as
 * `KeyValueOfstring…` entries, null as `i:nil="true"`. Members of an object the schema leaves
 * open keep their own names. The opposite of datacontract-xml.ts's reader.
 */

const ARRAYS_NS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';
const INSTANCE_NS = 'http://www.w3.org/2001/XMLSchema-instance';

function escapeXml(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

function typeOf(schema: unknown): string | undefined {
  if (!isPlainObject(schema)) return undefined;
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t) => t !== 'null');
  return typeof types[0] === 'string' ? types[0] : undefined;
}

/** DataContract's name of a primitive item type (`string`, `int`, `boolean`, `double`), else `anyType` */
function primitiveName(schema: unknown): string {
  switch (typeOf(schema)) {
    case 'string':
      return 'string';
    case 'integer':
      return 'int';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'double';
    default:
      return 'anyType';
  }
}

function isDictionary(schema: Record<string, unknown>): boolean {
  const declared = isPlainObject(schema.properties) && Object.keys(schema.properties).length > 0;
  return !declared && (isPlainObject(schema.additionalProperties) || schema.additionalProperties === true);
}

function element(name: string, value: unknown, schema: unknown, indent: string): string {
  if (value === null) return `${indent}<${name} i:nil="true"/>`;
  const s = isPlainObject(schema) ? schema : {};
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const objects = typeOf(s.items) === 'object' || (isPlainObject(s.items) && isPlainObject(s.items.properties));
    // a class item is named after its type; the member's singular stands for it (SubIntegrations → SubIntegration)
    const item = objects ? name.replace(/s$/, '') : `a:${primitiveName(s.items)}`;
    if (value.length === 0) return `${indent}<${name}/>`;
    return `${indent}<${name}>\n${value.map((v) => element(item, v, s.items, inner)).join('\n')}\n${indent}</${name}>`;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return `${indent}<${name}/>`;
    if (isDictionary(s)) {
      const valueSchema = s.additionalProperties;
      const entry = `a:KeyValueOfstring${primitiveName(valueSchema)}`;
      const body = entries.map(([k, v]) => `${inner}<${entry}>\n${inner}  <a:Key>${escapeXml(k)}</a:Key>\n${element('a:Value', v, valueSchema, `${inner}  `)}\n${inner}</${entry}>`);
      return `${indent}<${name}>\n${body.join('\n')}\n${indent}</${name}>`;
    }
    const properties = isPlainObject(s.properties) ? s.properties : undefined;
    const body = entries.map(([k, v]) => element(properties ? pascal(k) : k, v, properties?.[k], inner));
    return `${indent}<${name}>\n${body.join('\n')}\n${indent}</${name}>`;
  }
  return `${indent}<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `value` (valid against `schema`) as the DataContract XML document rooted at `root` */
export function dataContractXml(value: unknown, schema: JsonSchema, root: string): string {
  const doc = element(root, value, schema, '');
  const close = doc.endsWith('/>') ? doc.length - 2 : doc.indexOf('>');
  return `${doc.slice(0, close)} xmlns:i="${INSTANCE_NS}" xmlns:a="${ARRAYS_NS}"${doc.slice(close)}`;
}
