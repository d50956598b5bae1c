import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../core/errors.ts';
import { loadSpec, specPath, type JsonSchema } from '../core/spec.ts';
import { isPlainObject } from '../core/store/document.ts';
import { jsonFromDataContractXml } from './datacontract-xml.ts';
import { XML_UNREADABLE_MESSAGE } from './xml-document.ts';
import { dataContractXml } from './testing/datacontract-xml-writer.ts';

const NS = 'xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays"';

/** a body type with every kind of member the Connxio request types have */
const schema: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string', nullable: true },
    enabled: { type: 'boolean' },
    pollingIntervalInSeconds: { type: 'integer', format: 'int32' },
    ratio: { type: 'number', nullable: true },
    tags: { type: 'array', items: { type: 'string' }, nullable: true },
    inbound: {
      type: 'object',
      nullable: true,
      properties: { adapterType: { type: 'string' }, ackOptions: { type: 'object', nullable: true, properties: { sendAck: { type: 'boolean' } } } },
    },
    steps: {
      type: 'array',
      items: { type: 'object', properties: { order: { type: 'integer' }, headers: { type: 'object', nullable: true, additionalProperties: { type: 'string', nullable: true } } } },
    },
    settings: { type: 'object' },
  },
};

function unreadable(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError; // checked just above
    expect(e.status).toBe(400);
    expect(e.details.extra?.errors).toEqual({ '': [XML_UNREADABLE_MESSAGE] });
    return e;
  }
  throw new Error('expected the XML to be refused');
}

describe('jsonFromDataContractXml', () => {
  it('reads a DataContract document by the schema: members ignoring case, nested objects, lists, numbers, booleans, dictionaries, nil at any depth', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<c:Config xmlns:c="http://schemas.datacontract.org/2004/07/Connxio" ${NS}>
  <Name> Orders &amp; more </Name>
  <Description i:nil="true"/>
  <Enabled>true</Enabled>
  <PollingIntervalInSeconds> 60 </PollingIntervalInSeconds>
  <Ratio>-1.5E2</Ratio>
  <Tags><a:string>x</a:string><a:string i:nil="true"/><a:string></a:string></Tags>
  <Inbound><AdapterType><![CDATA[Api<1>]]></AdapterType><AckOptions><SendAck>0</SendAck></AckOptions><Unknown>skipped</Unknown></Inbound>
  <Steps>
    <Step><Order>1</Order><Headers><a:KeyValueOfstringstring><a:Key>X-One</a:Key><a:Value>1</a:Value></a:KeyValueOfstringstring><a:KeyValueOfstringstring><a:Key>X-None</a:Key><a:Value i:nil="true"/></a:KeyValueOfstringstring></Headers></Step>
    <Step i:nil="true"/>
    <Step><order>2</order><Headers i:nil="true"/></Step>
  </Steps>
  <Settings><authenticationType>Basic</authenticationType><scopes>a</scopes><scopes>b</scopes></Settings>
  <NotAMember><Deep>ignored</Deep></NotAMember>
</c:Config>`;
    expect(jsonFromDataContractXml(xml, schema, 'Config')).toEqual({
      name: ' Orders & more ',
      description: null,
      enabled: true,
      pollingIntervalInSeconds: 60,
      ratio: -150,
      tags: ['x', null, ''],
      inbound: { adapterType: 'Api<1>', ackOptions: { sendAck: false } },
      steps: [{ order: 1, headers: { 'X-One': '1', 'X-None': null } }, null, { order: 2, headers: null }],
      settings: { authenticationType: 'Basic', scopes: ['a', 'b'] },
    });
  });

  it('leaves a value of the wrong kind for validation to refuse, as a JSON body of that shape would be', () => {
    const xml = `<Config><Enabled>yes</Enabled><PollingIntervalInSeconds>sixty</PollingIntervalInSeconds><Tags>not a list</Tags><Inbound>text</Inbound><Name><First>a</First></Name><Ratio>INF</Ratio></Config>`;
    expect(jsonFromDataContractXml(xml, schema, 'Config')).toEqual({
      enabled: 'yes',
      pollingIntervalInSeconds: 'sixty',
      tags: 'not a list',
      inbound: 'text',
      name: { First: 'a' },
      ratio: 'INF',
    });
    // an empty number element is no number (DataContract refuses it too)
    expect(jsonFromDataContractXml('<Config><PollingIntervalInSeconds/></Config>', schema, 'Config')).toEqual({ pollingIntervalInSeconds: '' });
    // a nil root is a null body
    expect(jsonFromDataContractXml(`<Config ${NS} i:nil="true"/>`, schema, 'Config')).toBeNull();
  });

  it('refuses what is not one DataContract document: 400 with ASP.NET\'s model-state message', () => {
    expect(unreadable(() => jsonFromDataContractXml('<Config><Name>x</Config>', schema, 'Config')).message).toMatch(/not a readable XML document/);
    expect(unreadable(() => jsonFromDataContractXml('{"name":"json"}', schema, 'Config')).message).toMatch(/XML/);
    expect(unreadable(() => jsonFromDataContractXml('', schema)).message).toMatch(/Start tag expected/);
    expect(unreadable(() => jsonFromDataContractXml('<Other/>', schema, 'Config')).message).toMatch(/<Other>, expected <Config>/);
    expect(unreadable(() => jsonFromDataContractXml('<!DOCTYPE x [<!ENTITY e "boom">]><Config><Name>&e;</Name></Config>', schema, 'Config')).message).toMatch(/DTD/);
    expect(unreadable(() => jsonFromDataContractXml('<Config><Name>&nope;</Name></Config>', schema, 'Config')).message).toMatch(/entity &nope; is not defined/);
    expect(unreadable(() => jsonFromDataContractXml('<Config><Name>a</Name><name>b</name></Config>', schema, 'Config')).message).toMatch(/more than once/);
    expect(unreadable(() => jsonFromDataContractXml('<Config>text<Name>a</Name></Config>', schema, 'Config')).message).toMatch(/text beside elements/);
    const noKey = '<Config><Steps><Step><Headers><KeyValueOfstringstring><Value>v</Value></KeyValueOfstringstring></Headers></Step></Steps></Config>';
    expect(unreadable(() => jsonFromDataContractXml(noKey, schema, 'Config')).message).toMatch(/no <Key>/);
    const twice = '<Config><Steps><Step><Headers><KeyValueOfstringstring><Key>k</Key></KeyValueOfstringstring><KeyValueOfstringstring><Key>k</Key></KeyValueOfstringstring></Headers></Step></Steps></Config>';
    expect(unreadable(() => jsonFromDataContractXml(twice, schema, 'Config')).message).toMatch(/"k" appears more than once/);
    // names that would reach an object's prototype are refused by the parser
    expect(unreadable(() => jsonFromDataContractXml('<Config><Settings><__proto__><x>1</x></__proto__></Settings></Config>', schema, 'Config')).status).toBe(400);
    // nesting is bounded (the parser's limit), never a stack overflow
    expect(unreadable(() => jsonFromDataContractXml(`<Config><Settings>${'<x>'.repeat(500)}${'</x>'.repeat(500)}</Settings></Config>`, schema, 'Config')).status).toBe(400);
  });

  it('keeps a dictionary key the prototype would swallow as an own member', () => {
    const xml = '<Config><Steps><Step><Headers><KeyValueOfstringstring><Key>__proto__</Key><Value>v</Value></KeyValueOfstringstring></Headers></Step></Steps></Config>';
    const body = jsonFromDataContractXml(xml, schema, 'Config') as { steps: Array<{ headers: Record<string, unknown> }> }; // the test schema's shape
    expect(Object.hasOwn(body.steps[0]!.headers, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(body.steps[0]!.headers)).toBe(Object.prototype);
  });
});

// ---- round trip: a JSON value of the schema, written as DataContract XML, reads back as itself

/** text XML 1.0 can carry (no other control characters, no lone surrogates), with markup characters mixed in */
const xmlText = fc
  .string({ unit: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), fc.constantFrom('&', '<', '>', '\r', '\n', '\t', ' ', ']]>', '&amp;', 'é', '😀')), maxLength: 12 })
  .filter((s) => /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u.test(s));
const memberName = fc.stringMatching(/^[a-z][A-Za-z0-9]{0,8}$/).filter((k) => !['constructor', 'prototype'].includes(k));
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)));

function arbitraryFor(s: unknown, seen = new WeakMap<object, fc.Arbitrary<unknown>>()): fc.Arbitrary<unknown> {
  if (!isPlainObject(s)) return xmlText;
  const cached = seen.get(s);
  if (cached) return cached;
  const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t) => t !== 'null');
  const properties = isPlainObject(s.properties) ? s.properties : {};
  let arb: fc.Arbitrary<unknown>;
  if (types[0] === 'array') arb = fc.array(arbitraryFor(s.items, seen), { maxLength: 2 });
  else if (types[0] === 'boolean') arb = fc.boolean();
  else if (types[0] === 'integer') arb = fc.integer();
  else if (types[0] === 'number') arb = number;
  else if (types[0] === 'string') arb = xmlText;
  else if (Object.keys(properties).length > 0) {
    const members = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, arbitraryFor(v, seen)]));
    arb = fc.record(members, { requiredKeys: [] });
  } else if (isPlainObject(s.additionalProperties)) arb = fc.dictionary(xmlText, arbitraryFor(s.additionalProperties, seen), { maxKeys: 3 });
  // an open object: members by their own names, text leaves (an empty one reads back as text)
  else arb = fc.dictionary(memberName, xmlText, { minKeys: 1, maxKeys: 3 });
  const withNull = fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) });
  seen.set(s, withNull);
  return withNull;
}

const connxio = await loadSpec(specPath('connxio.yaml'));

describe('jsonFromDataContractXml round trip (fast-check)', () => {
  it('reads back every value of the test schema as written', () => {
    fc.assert(
      fc.property(arbitraryFor(schema), (value) => {
        expect(jsonFromDataContractXml(dataContractXml(value, schema, 'Config'), schema, 'Config')).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  for (const operationId of ['create_integration', 'upload_code_component', 'create_environment_variable', 'create_security_config', 'resend_archeo_v1']) {
    it(`reads back every value of ${operationId}'s body schema as written`, () => {
      const body = connxio.byId.get(operationId)!.requestBody!.content['application/json']!.schema!;
      fc.assert(
        fc.property(arbitraryFor(body), (value) => {
          expect(jsonFromDataContractXml(dataContractXml(value, body, 'Body'), body, 'Body')).toEqual(value);
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe('the XML examples of specs/connxio.yaml', () => {
  it('each reads back as the JSON example of the same operation', () => {
    const doc = connxio.document as { components: { examples: Record<string, { value: unknown }> } }; // an OpenAPI document (spec tests lint it)
    const exampleOf = (media: { examples?: { default?: { $ref?: string } } } | undefined) => doc.components.examples[String(media?.examples?.default?.$ref).split('/').pop()!]?.value;
    const checked: string[] = [];
    for (const op of connxio.operations) {
      const content = op.requestBody?.content;
      const root = content?.['application/xml']?.schema?.xml;
      if (!content || !isPlainObject(root) || typeof root.name !== 'string') continue;
      const raw = (connxio.document.paths as Record<string, Record<string, { requestBody: { content: Record<string, never> } }>>)[op.path]![op.method.toLowerCase()]!.requestBody.content; // the same operation, as written
      const xml = exampleOf(raw['application/xml']);
      expect(typeof xml, op.operationId).toBe('string');
      expect(jsonFromDataContractXml(xml as string, content['application/json']!.schema!, root.name), op.operationId).toEqual(exampleOf(raw['application/json'])); // a string, checked above
      checked.push(op.operationId);
    }
    expect(checked).toHaveLength(9);
  });
});
