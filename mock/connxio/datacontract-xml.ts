import type { XMLParser } from 'fast-xml-parser';
import { messageOf } from '../core/error-message.ts';
import type { JsonSchema } from '../core/spec.ts';
import { isPlainObject } from '../core/store/document.ts';
import { DATACONTRACT_XML_OPTIONS, checkWellFormedXml, fastXmlParser, unreadableXml as unreadable } from './xml-document.ts';

/**
 * The XML form of a JSON request body, as ASP.NET Core's DataContract XML input formatter reads
 * it, turned into the JSON value the body's schema describes. The schema decides what each
 * element is:
 * - an object: child elements are its members, matched to the schema's property names ignoring
 *   case (`<SubIntegrations>` → `subIntegrations`); elements the schema does not declare are
 *   skipped, as DataContract skips unknown members; a member twice → 400;
 * - an array: the wrapper's child elements are the items, whatever their names (`<Tags><string>a</string></Tags>`,
 *   `<SubIntegrations><SubIntegration>…`);
 * - a dictionary (`additionalProperties` and no properties): `<KeyValueOfstringstring><Key>k</Key><Value>v</Value>…` entries;
 * - a boolean (`true`/`false`/`1`/`0`) or number (XML Schema's lexical forms), surrounding whitespace ignored;
 * - a string: the text as sent (not trimmed);
 * - anything else (an open object): child elements by their own names, repeated names as a list.
 * `i:nil="true"` is null at any depth; namespaces and their prefixes are ignored. Text that is not
 * the schema's type stays a string (an element where a value is expected, its elements as an
 * object), so validation then points at the field just as for a JSON body. Only what is not such
 * a document (malformed XML, a DTD, another root element, a repeated member, a dictionary entry
 * without a key, text beside elements) is refused here: 400 with ASP.NET's model-state message
 * (`unreadableXml`, shared with the messaging bodies).
 */

interface XmlElement {
  name: string;
  nil: boolean;
  /** the element's own text (CDATA included), as sent */
  text: string;
  elements: XmlElement[];
}

let orderedParser: XMLParser | undefined;

/** the document in order (preserveOrder), values as sent; made when the first XML body arrives */
const parser = (): XMLParser =>
  (orderedParser ??= new (fastXmlParser().XMLParser)({
    ...DATACONTRACT_XML_OPTIONS,
    preserveOrder: true,
  }));

/** one node of the parser's ordered output: `{name: children, ':@': attributes}` or `{'#text': text}` */
type OrderedNode = Record<string, unknown>;

function toElement(node: OrderedNode): XmlElement | string | undefined {
  if (typeof node['#text'] === 'string' || typeof node['#text'] === 'number') return String(node['#text']);
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined) return undefined; // a comment or processing instruction
  const attributes = isPlainObject(node[':@']) ? node[':@'] : {};
  const nil = attributes['@_nil'];
  const element: XmlElement = { name, nil: nil === 'true' || nil === '1', text: '', elements: [] };
  const children = node[name];
  for (const child of Array.isArray(children) ? children : []) {
    if (!isPlainObject(child)) continue;
    const converted = toElement(child);
    if (typeof converted === 'string') element.text += converted;
    else if (converted) element.elements.push(converted);
  }
  return element;
}

/** the document's root element (400 unless `text` is one well-formed XML document, rooted at `root` when given) */
function parseDataContractXml(text: string, root?: string): XmlElement {
  let nodes: unknown;
  try {
    checkWellFormedXml(text);
    nodes = parser().parse(text);
  } catch (err) {
    throw unreadable(messageOf(err));
  }
  const roots = (Array.isArray(nodes) ? nodes : []).filter(isPlainObject).map(toElement);
  const elements = roots.filter((r): r is XmlElement => typeof r === 'object');
  if (elements.length !== 1) throw unreadable(`expected one root element${root ? ` <${root}>` : ''}, found ${elements.length}`);
  if (roots.some((r) => typeof r === 'string' && r.trim() !== '')) throw unreadable('text outside the root element');
  const element = elements[0]!;
  if (root !== undefined && element.name.toLowerCase() !== root.toLowerCase()) throw unreadable(`the root element is <${element.name}>, expected <${root}>`);
  return element;
}

/** `text`, the XML form of a body whose JSON schema is `schema`, as that JSON value (root element `root` when given) */
export function jsonFromDataContractXml(text: string, schema: JsonSchema, root?: string): unknown {
  const element = parseDataContractXml(text, root);
  return valueOf(element, schema, element.name);
}

type Kind = 'object' | 'dictionary' | 'array' | 'boolean' | 'number' | 'string' | 'open';

function kindOf(schema: unknown): Kind {
  if (!isPlainObject(schema)) return 'open';
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t) => t !== 'null');
  const type = types.length === 1 ? types[0] : undefined;
  if (type === 'array' || (type === undefined && schema.items !== undefined)) return 'array';
  if (type === 'boolean') return 'boolean';
  if (type === 'integer' || type === 'number') return 'number';
  if (type === 'string') return 'string';
  if (type === 'object' || (type === undefined && (schema.properties !== undefined || schema.additionalProperties !== undefined))) {
    if (isPlainObject(schema.properties) && Object.keys(schema.properties).length > 0) return 'object';
    if (isPlainObject(schema.additionalProperties) || schema.additionalProperties === true) return 'dictionary';
  }
  return 'open';
}

function valueOf(element: XmlElement, schema: unknown, where: string): unknown {
  if (element.nil) return null;
  const s = isPlainObject(schema) ? schema : {};
  switch (kindOf(s)) {
    case 'object':
      return objectOf(element, isPlainObject(s.properties) ? s.properties : {}, where);
    case 'dictionary':
      return dictionaryOf(element, s.additionalProperties === true ? {} : s.additionalProperties, where);
    case 'array':
      return arrayOf(element, s.items, where);
    case 'boolean':
      return element.elements.length > 0 ? untyped(element, where) : booleanOf(element.text);
    case 'number':
      return element.elements.length > 0 ? untyped(element, where) : numberOf(element.text);
    case 'string':
      return element.elements.length > 0 ? untyped(element, where) : element.text;
    default:
      return untyped(element, where);
  }
}

/** elements where they are expected; text beside them is not DataContract */
function childrenOf(element: XmlElement, where: string): XmlElement[] {
  if (element.elements.length > 0 && element.text.trim() !== '') throw unreadable(`<${where}> holds text beside elements`);
  return element.elements;
}

/** an own property, even for a name such as `__proto__` */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function objectOf(element: XmlElement, properties: Record<string, unknown>, where: string): unknown {
  // text where members are expected: left for validation to refuse (not an object)
  if (element.elements.length === 0 && element.text.trim() !== '') return element.text;
  const byLowerName = new Map(Object.keys(properties).map((p) => [p.toLowerCase(), p]));
  const out: Record<string, unknown> = {};
  for (const child of childrenOf(element, where)) {
    const property = byLowerName.get(child.name.toLowerCase());
    if (property === undefined) continue; // DataContract skips unknown members
    if (Object.hasOwn(out, property)) throw unreadable(`<${child.name}> appears more than once in <${where}>`);
    defineOwn(out, property, valueOf(child, properties[property], `${where}.${child.name}`));
  }
  return out;
}

function arrayOf(element: XmlElement, items: unknown, where: string): unknown {
  if (element.elements.length === 0 && element.text.trim() !== '') return element.text;
  return childrenOf(element, where).map((item, i) => valueOf(item, items, `${where}[${i}]`));
}

function dictionaryOf(element: XmlElement, values: unknown, where: string): unknown {
  if (element.elements.length === 0 && element.text.trim() !== '') return element.text;
  const out: Record<string, unknown> = {};
  for (const [i, entry] of childrenOf(element, where).entries()) {
    const entryWhere = `${where}[${i}]`;
    const parts = childrenOf(entry, entryWhere);
    const key = parts.find((p) => p.name.toLowerCase() === 'key');
    const value = parts.find((p) => p.name.toLowerCase() === 'value');
    if (!key || key.nil || key.elements.length > 0) throw unreadable(`<${entry.name}> in <${where}> has no <Key> text`);
    // a .NET Dictionary refuses a key it holds already
    if (Object.hasOwn(out, key.text)) throw unreadable(`the key "${key.text}" appears more than once in <${where}>`);
    defineOwn(out, key.text, value ? valueOf(value, values, `${entryWhere}.Value`) : null);
  }
  return out;
}

/** XmlConvert.ToBoolean's forms; anything else stays text for validation to refuse */
function booleanOf(text: string): unknown {
  const t = text.trim();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return text;
}

const XSD_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** an XML Schema integer or decimal/double lexical form; anything else stays text for validation to refuse */
function numberOf(text: string): unknown {
  const t = text.trim();
  if (!XSD_NUMBER.test(t)) return text;
  const n = Number(t);
  return Number.isFinite(n) ? n : text;
}

/** no schema to follow: a leaf's text, a dictionary's entries, or the child elements by name (a repeated name as a list) */
function untyped(element: XmlElement, where: string): unknown {
  const children = childrenOf(element, where);
  if (children.length === 0) return element.text;
  const entries = children.every((c) => /^KeyValueOf/i.test(c.name) && c.elements.some((p) => p.name.toLowerCase() === 'key'));
  if (entries) return dictionaryOf(element, {}, where);
  const byName = new Map<string, XmlElement[]>();
  for (const child of children) byName.set(child.name, [...(byName.get(child.name) ?? []), child]);
  const out: Record<string, unknown> = {};
  for (const [name, same] of byName) {
    const values = same.map((c, i) => valueOf(c, {}, `${where}.${name}${same.length > 1 ? `[${i}]` : ''}`));
    defineOwn(out, name, values.length === 1 ? values[0] : values);
  }
  return out;
}
