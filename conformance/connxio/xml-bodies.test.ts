import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { useTarget } from '../target.ts';
import { connxioSession, type ConnxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { currentSubscriptionId, fakeAssembly } from '../support/connxio-management.ts';
import { createIntegration as createApiIntegration, portal } from '../support/connxio-portal.ts';
import { uniqueName } from '../support/resources.ts';

/**
 * The DataContract XML form of the management request bodies (the vendor's types list
 * `application/xml`, `text/xml` and `application/*+xml` beside JSON; connxio-vendor-notes
 * "Operations"): root element named after the type, PascalCase member elements, lists as a
 * wrapper of item elements, dictionaries as KeyValueOfstringstring entries, `i:nil="true"` for
 * null. What is stored is read back as JSON; a wrong type inside the XML is the same 400 as in
 * JSON, keyed by the field; malformed XML is a 400; nothing is stored on a refusal.
 */

const target = await useTarget();
const writes = target.capabilities.writes;
/** a resend acts on what the vendor logged: accepted ones run on twins only (as in resend.test.ts) */
const twin = target.kind !== 'live';
const admin = target.capabilities.admin;
const NS = 'xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays"';

interface IntegrationXml {
  id: string;
  subscriptionId: string;
  description: string;
  subIntegrationId: string;
  /** replaces <PollingIntervalInSeconds>'s text */
  polling?: string;
  /** replaces the sub-integration's <Enabled> text */
  subEnabled?: string;
  /** leaves <Sender> out */
  noSender?: boolean;
}

/** an IntegrationPostRequest as DataContract writes it: nested objects, lists, a dictionary, numbers, booleans and nils */
function integrationXml(o: IntegrationXml): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<IntegrationPostRequest xmlns="http://schemas.datacontract.org/2004/07/Connxio.Api.Models" ${NS}>
  <ConfigCorrelationId>${o.id}</ConfigCorrelationId>
  <Description>${o.description} &amp; co</Description>
  <TransactionType>Order</TransactionType>
  ${o.noSender ? '' : '<Sender>Webshop</Sender>'}
  <Receiver>ERP</Receiver>
  <MessageInboundFormat>json</MessageInboundFormat>
  <MessageInboundEncoding>utf-8</MessageInboundEncoding>
  <SubscriptionId>${o.subscriptionId}</SubscriptionId>
  <Enabled>true</Enabled>
  <RemoveBom>1</RemoveBom>
  <PollingIntervalInSeconds>${o.polling ?? '90'}</PollingIntervalInSeconds>
  <IntervalExpression i:nil="true"/>
  <InboundConnection>
    <AdapterType>Api</AdapterType>
    <AdapterName>orders-api</AdapterName>
    <ConnectionProperties i:nil="true"/>
  </InboundConnection>
  <SubIntegrations>
    <SubIntegration>
      <SubIntegrationId>${o.subIntegrationId}</SubIntegrationId>
      <SubintegrationName>to-void</SubintegrationName>
      <LoggingWebhookOverrides i:nil="true"/>
      <Transformations>
        <TransformationAction>
          <TransformationType>InlineScript</TransformationType>
          <TransformationName>Pass through</TransformationName>
          <Properties>{"script":"const execute = (event) =&gt; event;"}</Properties>
        </TransformationAction>
      </Transformations>
      <PassThrough>false</PassThrough>
      <OutboundConnections>
        <OutboundConnectionAdapter>
          <AdapterType>Discard</AdapterType>
          <AdapterName>void</AdapterName>
          <ConnectionProperties i:nil="true"/>
        </OutboundConnectionAdapter>
      </OutboundConnections>
      <MessageOutboundFormat>json</MessageOutboundFormat>
      <MessageOutboundEncoding>utf-8</MessageOutboundEncoding>
      <PreDefinedUserProperties>
        <a:KeyValueOfstringstring><a:Key>channel</a:Key><a:Value>apitwin</a:Value></a:KeyValueOfstringstring>
        <a:KeyValueOfstringstring><a:Key>team</a:Key><a:Value>orders</a:Value></a:KeyValueOfstringstring>
      </PreDefinedUserProperties>
      <Enabled>${o.subEnabled ?? 'true'}</Enabled>
    </SubIntegration>
  </SubIntegrations>
  <RetryOptions>
    <FailureCountIntervalMinutes>10</FailureCountIntervalMinutes>
    <ReQueueMaxDelaySeconds>600</ReQueueMaxDelaySeconds>
    <ReQueueMinDelaySeconds>30</ReQueueMinDelaySeconds>
    <MaxErrorsPerInterval>5</MaxErrorsPerInterval>
    <NumberOfRetries>3</NumberOfRetries>
    <MaxDelayActions i:nil="true"/>
    <Enabled>false</Enabled>
    <TurnOffErrorPersistance>false</TurnOffErrorPersistance>
    <InboundRetryOptions>
      <FailureRetryIntervalSeconds>300</FailureRetryIntervalSeconds>
      <TurnOffFailureRetry>true</TurnOffFailureRetry>
      <RetryOnNonTransientFailures>false</RetryOnNonTransientFailures>
    </InboundRetryOptions>
  </RetryOptions>
  <LoggingWebhooks/>
  <ResendWebhooks i:nil="true"/>
  <Tags><a:string>ignored</a:string></Tags>
</IntegrationPostRequest>`;
}

async function xmlCase(s: ConnxioSession, overrides: Partial<IntegrationXml> = {}): Promise<IntegrationXml> {
  return { id: randomUUID(), subscriptionId: await currentSubscriptionId(s), description: uniqueName('xml'), subIntegrationId: randomUUID(), ...overrides };
}

/** the model-state keys of a ValidationProblemDetails */
function errorKeys(res: Response): string[] {
  return Object.keys((res.body as { errors?: Record<string, string[]> }).errors ?? {});
}

async function expectNotStored(s: ConnxioSession, id: string): Promise<void> {
  const list = await s.get('/v2/integrations');
  expectOperation(list, 'list_integrations', 200);
  expect(list.body.map((i: { id: string }) => i.id)).not.toContain(id);
}

describe.runIf(writes)('create_integration › XML body', () => {
  it('stores an IntegrationPostRequest sent as application/xml; read back as JSON with its nested objects, lists, dictionary, numbers, booleans and nulls', async () => {
    const s = await connxioSession(target);
    const x = await xmlCase(s);
    const created = await s.post('/v2/integrations').set('content-type', 'application/xml; x-api-version=2.0').send(integrationXml(x));
    expectOperation(created, 'create_integration', 201);
    s.defer(() => s.delete(`/v2/integrations/${x.id}`));
    expect(created.headers['content-type']).toMatch(/^application\/json/);

    const read = await s.get(`/v2/integrations/${x.id}`);
    expectOperation(read, 'get_integration', 200);
    expect(read.body).toEqual(created.body);
    const stored = read.body;
    expect(stored).toMatchObject({
      id: x.id,
      configCorrelationId: x.id,
      description: `${x.description} & co`,
      sender: 'Webshop',
      subscriptionId: x.subscriptionId,
      enabled: true,
      removeBom: true,
      pollingIntervalInSeconds: 90,
      intervalExpression: null,
      inboundConnection: { adapterType: 'Api', adapterName: 'orders-api', connectionProperties: null },
      retryOptions: {
        failureCountIntervalMinutes: 10,
        numberOfRetries: 3,
        maxDelayActions: null,
        enabled: false,
        inboundRetryOptions: { failureRetryIntervalSeconds: 300, turnOffFailureRetry: true, retryOnNonTransientFailures: false },
      },
      loggingWebhooks: [],
    });
    expect(stored.subIntegrations).toHaveLength(1);
    const sub = stored.subIntegrations[0];
    expect(sub).toMatchObject({
      subIntegrationId: x.subIntegrationId,
      subintegrationName: 'to-void',
      passThrough: false,
      enabled: true,
      preDefinedUserProperties: { channel: 'apitwin', team: 'orders' },
      outboundConnections: [expect.objectContaining({ adapterType: 'Discard', adapterName: 'void', connectionProperties: null })],
    });
    expect(sub.transformations).toEqual([
      expect.objectContaining({ transformationType: 'InlineScript', transformationName: 'Pass through', properties: '{"script":"const execute = (event) => event;"}' }),
    ]);
    // unknown members (the vendor's type has no tags) are skipped, never stored or echoed
    expect(stored).not.toHaveProperty('tags');
  });

  it('answers a wrong type inside the XML with the JSON body\'s 400, keyed by the field (nested too); nothing stored', async () => {
    const s = await connxioSession(target);
    const top = await xmlCase(s, { polling: 'sixty' });
    const res = await s.post('/v2/integrations').set('content-type', 'application/xml').send(integrationXml(top));
    expectProblem(res, 'create_integration', 400);
    expect(errorKeys(res)).toEqual(['PollingIntervalInSeconds']);
    expect(res.body.errors.PollingIntervalInSeconds[0]).toMatch(/sixty/);
    await expectNotStored(s, top.id);

    const nested = await xmlCase(s, { subEnabled: 'maybe' });
    const deep = await s.post('/v2/integrations').set('content-type', 'text/xml').send(integrationXml(nested));
    expectProblem(deep, 'create_integration', 400);
    expect(errorKeys(deep)).toEqual(['SubIntegrations[0].Enabled']);
    await expectNotStored(s, nested.id);

    const missing = await xmlCase(s, { noSender: true });
    const required = await s.post('/v2/integrations').set('content-type', 'application/xml').send(integrationXml(missing));
    expectProblem(required, 'create_integration', 400);
    expect(errorKeys(required)).toEqual(['Sender']);
    await expectNotStored(s, missing.id);
  });

  it('answers malformed XML, another root element or a DTD with 400, never 5xx; nothing stored', async () => {
    const s = await connxioSession(target);
    const x = await xmlCase(s);
    const whole = integrationXml(x);
    const bodies = [
      whole.replace('</InboundConnection>', ''), // unclosed element
      whole.replaceAll('IntegrationPostRequest', 'IntegrationConfig'), // another type's root
      `<!DOCTYPE IntegrationPostRequest [<!ENTITY x "boom">]>${whole.replace(/^<\?xml[^>]*>\s*/, '')}`,
      whole.replace('<Receiver>ERP</Receiver>', '<Receiver>ERP</Receiver><Receiver>CRM</Receiver>'), // a member twice
      '{"description":"JSON sent as XML"}',
    ];
    for (const body of bodies) {
      const res = await s.post('/v2/integrations').set('content-type', 'application/xml').send(body);
      expectProblem(res, 'create_integration', 400);
      expect(res.body.errors).toEqual({ '': [expect.any(String)] });
    }
    await expectNotStored(s, x.id);
  });
});

describe.runIf(writes)('update_integration › XML body', () => {
  it('replaces an integration from a text/xml body; read back as JSON', async () => {
    const s = await connxioSession(target);
    const x = await xmlCase(s);
    const created = await s.post('/v2/integrations').set('content-type', 'application/xml').send(integrationXml(x));
    expectOperation(created, 'create_integration', 201);
    s.defer(() => s.delete(`/v2/integrations/${x.id}`));
    const changed = { ...x, description: uniqueName('xml-updated'), polling: ' 45 ' };
    const xml = integrationXml(changed).replace('<ConfigCorrelationId>', `<_etag>${created.body._etag}</_etag><ConfigCorrelationId>`);
    const updated = await s.put(`/v2/integrations/${x.id}`).set('content-type', 'text/xml; x-api-version=2.0').send(xml);
    expectOperation(updated, 'update_integration', 200);
    const read = await s.get(`/v2/integrations/${x.id}`);
    expectOperation(read, 'get_integration', 200);
    expect(read.body).toMatchObject({ description: `${changed.description} & co`, pollingIntervalInSeconds: 45 });
    expect(read.body._etag).not.toBe(created.body._etag);
  });
});

describe.runIf(writes)('create_environment_variable › XML body', () => {
  it('stores a variable sent as application/*+xml with its subscription values (a DataContract dictionary)', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const id = randomUUID();
    const name = uniqueName('XmlVar');
    const xml = `<EnvironmentVariableRequest ${NS}>
  <Id>${id}</Id><Name>${name}</Name><DefaultValue>https://erp-test.example.test</DefaultValue>
  <SubscriptionValues><a:KeyValueOfstringstring><a:Key>${subscriptionId}</a:Key><a:Value>https://erp.example.test</a:Value></a:KeyValueOfstringstring></SubscriptionValues>
</EnvironmentVariableRequest>`;
    const res = await s.put('/v2/environmentvariables').set('content-type', 'application/vnd.connxio+xml; x-api-version=2.0').send(xml);
    expectOperation(res, 'create_environment_variable', 200);
    s.defer(() => s.delete(`/v2/environmentvariables/${id}`));
    const read = await s.get(`/v2/environmentvariables/${id}`);
    expectOperation(read, 'get_environment_variable', 200);
    expect(read.body).toMatchObject({ id, name, defaultValue: 'https://erp-test.example.test', subscriptionValues: { [subscriptionId]: 'https://erp.example.test' } });
  });
});

describe.runIf(writes)('upload_code_component › XML body', () => {
  it('stores a component version sent as application/xml (base64 MappingDll, nil SasUri, boolean Deprecated)', async () => {
    const s = await connxioSession(target);
    const id = randomUUID();
    const name = uniqueName('XmlComponent');
    const xml = `<CodeMappingMetaDataRequest ${NS}>
  <Id>${id}</Id><Name>${name}</Name><Description>Maps orders</Description><Version>2.1.0</Version>
  <SasUri i:nil="true"/><Deprecated>false</Deprecated><Type>Map</Type>
  <ComponentOriginalFilename>Apitwin.Mapper.dll</ComponentOriginalFilename><MappingDll>${fakeAssembly('xml')}</MappingDll>
</CodeMappingMetaDataRequest>`;
    const res = await s.put('/v2/codecomponents').set('content-type', 'application/xml').send(xml);
    expectOperation(res, 'upload_code_component', 200);
    s.defer(() => s.delete(`/v2/codecomponents/${id}`));
    const read = await s.get(`/v2/codecomponents/${id}`);
    expectOperation(read, 'get_code_component', 200);
    // a component reads back as its list of versions
    expect(read.body).toEqual([expect.objectContaining({ id, name, version: '2.1.0', description: 'Maps orders', deprecated: false, componentOriginalFilename: 'Apitwin.Mapper.dll' })]);

    const wrong = xml.replace('<Deprecated>false</Deprecated>', '<Deprecated>no</Deprecated>').replace(id, randomUUID());
    const refused = await s.put('/v2/codecomponents').set('content-type', 'application/xml').send(wrong);
    expectProblem(refused, 'upload_code_component', 400);
    expect(errorKeys(refused)).toEqual(['Deprecated']);
  });
});

describe.runIf(writes)('create_security_config › XML body', () => {
  it('stores a configuration sent as text/xml (an enum number, a boolean, an open object)', async () => {
    const s = await connxioSession(target);
    const id = randomUUID();
    const name = uniqueName('XmlSecurity');
    const xml = `<SecurityConfigPostRequest ${NS}>
  <Id>${id}</Id><Name>${name}</Name><IsGlobal>true</IsGlobal><SecurityType>0</SecurityType>
  <GlobalSecurityProperties><authenticationType>Basic</authenticationType><userName>svc-connxio</userName></GlobalSecurityProperties>
  <SecurityProperties i:nil="true"/>
</SecurityConfigPostRequest>`;
    const res = await s.put('/v2/securityconfigs').set('content-type', 'text/xml').send(xml);
    expectOperation(res, 'create_security_config', 200);
    s.defer(() => s.delete(`/v2/securityconfigs/${id}`));
    const read = await s.get(`/v2/securityconfigs/${id}`);
    expectOperation(read, 'get_security_config', 200);
    expect(read.body).toMatchObject({ id, name, isGlobal: true, securityType: 0, globalSecurityProperties: { authenticationType: 'Basic', userName: 'svc-connxio' } });
  });
});

describe.runIf(writes)('resend_archeo_restart_v1 › XML body', () => {
  it.runIf(twin)('restarts the integration an XML body names (a KeyValueOfstringanyType metadata entry), journaled as its JSON form; a wrong type is the JSON body\'s 400', async () => {
    const s = await connxioSession(target);
    const id = await createApiIntegration(s);
    const xml = `<ArcheoResendEventRequest ${NS}>
  <TransactionId>xml-restart</TransactionId><ContentSasUri i:nil="true"/>
  <LogStepMetaData><StatusName>Failed</StatusName><Processed>2026-05-14T13:04:59.120Z</Processed>
    <Metadata><a:KeyValueOfstringanyType><a:Key>ConfigCorrelatioId</a:Key><a:Value>${id}</a:Value></a:KeyValueOfstringanyType></Metadata>
  </LogStepMetaData>
</ArcheoResendEventRequest>`;
    const res = await s.post('/v1/resend/archeo/restart').set('content-type', 'application/xml; x-api-version=1.0').send(xml);
    expectOperation(res, 'resend_archeo_restart_v1', 200);
    const wrong = await s.post('/v1/resend/archeo/restart').set('content-type', 'text/xml').send(xml.replace('2026-05-14T13:04:59.120Z', 'yesterday'));
    expectProblem(wrong, 'resend_archeo_restart_v1', 400);
    expect(errorKeys(wrong)).toEqual(['LogStepMetaData.Processed']);
    if (admin) {
      const journal = await portal(target, s).messages({ channel: 'resend' });
      expect(journal).toHaveLength(1);
      expect(journal[0]).toMatchObject({ integrationId: id, interchangeId: 'xml-restart', resend: { kind: 'restart', contentSasUri: null } });
      expect(JSON.parse(journal[0]!.body as string)).toEqual({
        transactionId: 'xml-restart',
        contentSasUri: null,
        logStepMetaData: { statusName: 'Failed', processed: '2026-05-14T13:04:59.120Z', metadata: { ConfigCorrelatioId: id } },
      });
    }
  });
});
