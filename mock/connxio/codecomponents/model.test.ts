import { describe, expect, it } from 'vitest';
import { companyFixture, integrationRequest, thrown } from '../model-testing.ts';
import { companyState } from '../state.ts';
import { saveIntegration } from '../integrations/model.ts';
import {
  deleteCodeComponent,
  deprecateCodeComponent,
  getCodeComponent,
  getCodeComponentVersions,
  listCodeComponents,
  renameCodeComponent,
  uploadCodeComponent,
  versionConverted,
  type CodeComponentUpload,
} from './model.ts';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const DLL = Buffer.from('MZ\x90\x00fake assembly').toString('base64');
const ID = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';

const setup = () => companyFixture('code-components-test', T0);

const upload = (overrides: Partial<CodeComponentUpload> = {}): CodeComponentUpload => ({
  id: ID,
  name: 'Order Mapper',
  description: 'Maps orders',
  version: '1.0.0',
  type: 'Map',
  componentOriginalFilename: 'Contoso.OrderMapper.dll',
  mappingDll: DLL,
  ...overrides,
});

describe('code components model', () => {
  it('converts versions to the ordering number the vendor returns', () => {
    expect(versionConverted('1.0.3')).toBe(1_000_003);
    expect(versionConverted('2.10')).toBe(2_010_000);
    expect(versionConverted('1.0.3-beta')).toBeUndefined();
    expect(versionConverted('1.1000.0')).toBeUndefined();
  });

  it('adds versions under one id, replaces a re-uploaded version, and answers the newest as an array of one', async () => {
    const t = await setup();
    const v1 = await t.write((c) => uploadCodeComponent(c, upload(), 'ci key', t.env));
    expect(v1).toMatchObject({ id: ID, companyId: t.company.id, name: 'Order Mapper', version: '1.0.0', versionConverted: 1_000_000, deprecated: false, uploadedBy: 'ci key', lastUpdated: '2026-05-01T10:00:00.000Z' });
    expect(v1).not.toHaveProperty('mappingDll');
    expect(v1.sasUri).toContain(`/components/${ID}/1.0.0/Contoso.OrderMapper.dll?`);
    const v2 = await t.write((c) => uploadCodeComponent(c, upload({ version: '1.0.10', description: undefined, uploadedBy: 'jane' }), 'ci key', t.env));
    expect(v2.description).toBe('Maps orders');
    expect(v2.uploadedBy).toBe('jane');
    expect(v2.uniqueId).not.toBe(v1.uniqueId);
    const v1again = await t.write((c) => uploadCodeComponent(c, upload({ description: 'fixed' }), 'ci key', t.env));
    expect(v1again.uniqueId).toBe(v1.uniqueId);
    expect(getCodeComponentVersions(t.read(), ID).map((v) => [v.version, v.description])).toEqual([
      ['1.0.10', 'Maps orders'],
      ['1.0.0', 'fixed'],
    ]);
    expect(getCodeComponent(t.read(), ID)).toEqual([expect.objectContaining({ version: '1.0.10' })]);
    expect(listCodeComponents(t.read())).toHaveLength(2);
  });

  it('refuses bad names, versions, empty or foreign content and a name another component holds, storing nothing', async () => {
    const t = await setup();
    await t.write((c) => uploadCodeComponent(c, upload(), 'ci', t.env));
    const attempt = (input: CodeComponentUpload) => thrown(() => t.store.transact((tx) => uploadCodeComponent(companyState(tx, t.company.id), input, 'ci', t.env)));
    expect(attempt(upload({ id: 'other', version: 'one' })).details.extra?.errors).toHaveProperty('Version');
    expect(attempt(upload({ id: 'other', name: 'bad/name' })).details.extra?.errors).toHaveProperty('Name');
    expect(attempt(upload({ id: 'other', name: 'order mapper' })).details.extra?.errors).toHaveProperty('Name');
    expect(attempt(upload({ id: 'other', name: 'Other', mappingDll: Buffer.from('hello').toString('base64') })).details.extra?.errors).toHaveProperty('MappingDll');
    expect(attempt(upload({ id: 'other', name: 'Other', mappingDll: '' })).details.extra?.errors).toHaveProperty('MappingDll');
    // a zip is fine
    await t.write((c) => uploadCodeComponent(c, upload({ id: 'zipped', name: 'Zipped', mappingDll: Buffer.from('PK\x03\x04zip').toString('base64') }), 'ci', t.env));
    expect(listCodeComponents(t.read()).map((v) => v.id)).toEqual([ID, 'zipped']);
  });

  it('deprecates one version or all, renames every version, and answers 400 for unknown ids or versions', async () => {
    const t = await setup();
    await t.write((c) => uploadCodeComponent(c, upload(), 'ci', t.env));
    await t.write((c) => uploadCodeComponent(c, upload({ version: '1.0.1' }), 'ci', t.env));
    await t.write((c) => deprecateCodeComponent(c, ID, '1.0.0', t.env));
    expect(getCodeComponentVersions(t.read(), ID).map((v) => [v.version, v.deprecated])).toEqual([
      ['1.0.1', false],
      ['1.0.0', true],
    ]);
    expect(thrown(() => t.store.transact((tx) => deprecateCodeComponent(companyState(tx, t.company.id), ID, '9.9.9', t.env))).status).toBe(400);
    await t.write((c) => deprecateCodeComponent(c, ID, undefined, t.env));
    expect(getCodeComponentVersions(t.read(), ID).every((v) => v.deprecated)).toBe(true);
    await t.write((c) => renameCodeComponent(c, ID, 'Order Mapper v2', t.env));
    expect(getCodeComponentVersions(t.read(), ID).map((v) => v.name)).toEqual(['Order Mapper v2', 'Order Mapper v2']);
    for (const call of [() => getCodeComponent(t.read(), 'nope'), () => getCodeComponentVersions(t.read(), 'nope')]) {
      const err = thrown(call);
      expect(err.status).toBe(400);
      expect(err.message).toBe('Code component nope was not found.');
    }
  });

  it('refuses to delete a component an integration of any subscription references; deletes it once unreferenced', async () => {
    const t = await setup();
    await t.write((c) => uploadCodeComponent(c, upload(), 'ci', t.env));
    const prod = t.subscriptions[1]!;
    const { integration } = await t.write((c) =>
      saveIntegration(
        c,
        { subscription: prod, actor: 'ci' },
        integrationRequest(prod.id, {
          sender: 'A',
          receiver: 'B',
          enabled: false,
          inboundConnection: { adapterType: 'Api' },
          subIntegrations: [
            {
              subIntegrationId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
              transformations: [{ transformationType: 'CodeTransformation', properties: JSON.stringify({ CodeComponentId: ID, Version: '1.0.0' }) }],
              outboundConnections: [{ adapterType: 'Discard' }],
              messageOutboundFormat: 'json',
            },
          ],
        }),
        t.env,
        { mode: 'validate' },
      ),
    );
    const refused = thrown(() => t.store.transact((tx) => deleteCodeComponent(companyState(tx, t.company.id), ID)));
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/is used in one or more integrations/);
    expect(getCodeComponent(t.read(), ID)).toHaveLength(1);
    await t.write((c) => c.integrations.delete(integration.id));
    await t.write((c) => deleteCodeComponent(c, ID));
    expect(thrown(() => getCodeComponent(t.read(), ID)).status).toBe(400);
  });
});
