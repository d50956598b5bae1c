import type { OperationSpec } from '../core/spec.ts';
import { isPlainObject } from '../core/store/document.ts';
import { jsonFromDataContractXml } from './datacontract-xml.ts';

/**
 * ASP.NET Core model binding, as the Connxio backend applies it to query strings (contract §1.2):
 * a parameter's name matches whatever its case (`?interchangeid=` binds `InterchangeId`), and a
 * boolean parses ignoring case (`True`, what .NET's `bool.ToString()` writes). Names the operation
 * does not declare pass through unchanged, for validation to judge.
 */
export function bindAspNetQuery(query: Record<string, unknown>, op: OperationSpec): Record<string, unknown> {
  const declared = new Map(op.parameters.filter((p) => p.in === 'query').map((p) => [p.name.toLowerCase(), p]));
  if (declared.size === 0) return query;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    const param = declared.get(key.toLowerCase());
    const name = param?.name ?? key;
    const bound = param && isBoolean(param.schema) ? lowerBooleans(value) : value;
    const previous = Object.hasOwn(out, name) ? out[name] : undefined;
    const merged = previous === undefined ? bound : [...toArray(previous), ...toArray(bound)];
    // own property even for `__proto__`, as the pipeline's query object has it
    Object.defineProperty(out, name, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isBoolean(schema: unknown): boolean {
  return isPlainObject(schema) && schema.type === 'boolean';
}

function lowerBooleans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerBooleans);
  return typeof value === 'string' && /^(true|false)$/i.test(value.trim()) ? value.trim().toLowerCase() : value;
}

function toArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** the media range of an operation that takes any body as an opaque payload (the raw message) */
export const ANY_MEDIA = '*/*';

/** the media range of the XML forms `application/vnd.…+xml` (the vendor's types list it beside application/xml and text/xml) */
export const ANY_XML = 'application/*+xml';

/**
 * The spec media type a request's Content-Type selects, as ASP.NET's input formatters do: the
 * declared type (parameters such as `x-api-version=2.0` ignored), `text/json` or any
 * `application/*+json` as `application/json`, and any `application/*+xml` as that range where
 * declared; undefined (→ 415) otherwise. An operation that
 * declares `*` + `/*` (the raw message of the messaging endpoints and custom APIs, contract §5.1:
 * "JSON, XML, anything … an opaque string") reads its body as raw bytes whatever the type, JSON
 * and XML included, and with no Content-Type at all: it is never parsed.
 */
export function aspNetMediaTypeFor(contentType: string, op: OperationSpec): string | undefined {
  const declared = Object.keys(op.requestBody?.content ?? {});
  if (declared.includes(ANY_MEDIA)) return ANY_MEDIA;
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  if (declared.includes(media)) return media;
  if ((media === 'text/json' || media.endsWith('+json')) && declared.includes('application/json')) return 'application/json';
  if (media.endsWith('+xml') && declared.includes(ANY_XML)) return ANY_XML;
  return undefined;
}


/**
 * The DataContract XML form of a JSON body (ASP.NET's XML input formatter), for the operations
 * whose spec declares it: an XML media type whose schema names its root element (`xml.name`, the
 * vendor's type name) is read with the operation's `application/json` schema (datacontract-xml.ts)
 * and then validated as that JSON body. Other XML media types (the messaging batches, read by
 * their handlers) and all other bodies are left as parsed.
 */
export function aspNetXmlBody(parsed: unknown, mediaType: string, op: OperationSpec): { body: unknown; mediaType: string } | undefined {
  if (typeof parsed !== 'string' || !/xml$/.test(mediaType)) return undefined;
  const content = op.requestBody?.content ?? {};
  const xml = content[mediaType]?.schema?.xml;
  const json = content['application/json']?.schema;
  if (!isPlainObject(xml) || typeof xml.name !== 'string' || !json) return undefined;
  return { body: jsonFromDataContractXml(parsed, json, xml.name), mediaType: 'application/json' };
}
