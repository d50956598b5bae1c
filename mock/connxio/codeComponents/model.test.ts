import { describe, expect, it } from 'vitest';
import { companyFixture, integrationRequest, thrown } from '../model-testing.ts';
import { companyState } from '../state.ts';
import { saveIntegration } from '../integrations/model.ts';
import { deleteCodeComponent, deprecateCodeComponent, getCodeComponent, getCodeComponentVersions, listCodeComponents, renameCodeComponent, compareVersions, parseVersion, sameVersion, uploadCodeComponent, versionConverted, type CodeComponentUpload } from './model.ts';

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
  it('converts versions to the number the vendor returns (0 where the vendor\'s conversion is unknown), undefined for a non-version', () => {
    expect(versionConverted('1.0.3')).toBe(1_000_003);
    expect(versionConverted('2.10')).toBe(2_010_000);
    expect(versionConverted('1.0.3-beta')).toBe(1_000_003);
    expect(versionConverted('1.0.0.1')).toBe(1_000_000);
    expect(versionConverted('1.1000.0')).toBe(0);
    for (const bad of ['one', '1.0.0.0.0', '1.0.', 'v1.0', '1.0.0-', '1.0.0+', '', '99999999999']) expect(versionConverted(bad), bad).toBeUndefined();
  });

  it('accepts 1 to 4 numeric parts with -prerelease and +build, and orders them as NuGet does', () => {
    for (const v of ['1', '1.0', '1.0.0', '1.0.0.0', '1.0.0-beta', '1.0.0-beta.2+sha.5114f85', '1.0.0+build.7', '10.20.30.40-rc-1']) expect(parseVersion(v), v).toBeDefined();
    const ascending = ['0.9', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.0.1', '1.0.2', '1.0.10', '1.1', '2.0.0.0-pre', '2.0.0.0'];
    const shuffled = [...ascending].reverse();
    expect(shuffled.sort(compareVersions)).toEqual(ascending);
    expect(sameVersion('1.0', '1.0.0.0')).toBe(true);
    expect(sameVersion('1.0.0+a', '1.0.0+b')).toBe(true);
    expect(sameVersion('1.0.0-RC.1', '1.0.0-rc.1')).toBe(true);
    expect(sameVersion('1.0.0', '1.0.0.1')).toBe(false);
    expect(sameVersion('1.0.0', '1.0.0-rc')).toBe(false);
  });

  it('takes any non-empty bytes as the component (no content sniffing) and 4-part and prerelease versions; the newest is the highest', async () => {
    const t = await setup();
    const hello = Buffer.from('Hello world').toString('base64');
    for (const version of ['1.0.0.0', '1.0.0-beta', '1.0.0.1', '1.0.10', '1.0.2', '1.0.11-rc.1']) {
      await t.write((c) => uploadCodeComponent(c, upload({ version, mappingDll: hello }), 'ci', t.env));
    }
    // 1.0.0.0 and 1.0.0-beta are distinct versions; re-uploading 1.0 replaces 1.0.0.0
    await t.write((c) => uploadCodeComponent(c, upload({ version: '1.0', description: 'replaced', mappingDll: hello }), 'ci', t.env));
    expect(getCodeComponentVersions(t.read(), ID).map((v) => [v.version, v.description])).toEqual([
      ['1.0.11-rc.1', 'Maps orders'],
      ['1.0.10', 'Maps orders'],
      ['1.0.2', 'Maps orders'],
      ['1.0.0.1', 'Maps orders'],
      ['1.0', 'replaced'],
      ['1.0.0-beta', 'Maps orders'],
    ]);
    expect(getCodeComponent(t.read(), ID)[0]!.version).toBe('1.0.11-rc.1');
    await t.write((c) => uploadCodeComponent(c, upload({ version: '1.0.11', mappingDll: hello }), 'ci', t.env));
    expect(getCodeComponent(t.read(), ID)[0]!.version).toBe('1.0.11');
    // deprecating by another spelling of the same version
    await t.write((c) => deprecateCodeComponent(c, ID, '1.0.2.0', t.env));
    expect(getCodeComponentVersions(t.read(), ID).filter((v) => v.deprecated).map((v) => v.version)).toEqual(['1.0.2']);
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
    expect(attempt(upload({ id: 'other', name: 'Other', mappingDll: '' })).details.extra?.errors).toHaveProperty('MappingDll');
    expect(attempt(upload({ id: 'other', name: 'Other', version: '1.0.0.0.0' })).details.extra?.errors).toHaveProperty('Version');
    // a zip is fine, and so are bytes of any other kind
    await t.write((c) => uploadCodeComponent(c, upload({ id: 'zipped', name: 'Zipped', mappingDll: Buffer.from('PK\x03\x04zip').toString('base64') }), 'ci', t.env));
    await t.write((c) => uploadCodeComponent(c, upload({ id: 'plain', name: 'Plain', mappingDll: Buffer.from('hello').toString('base64') }), 'ci', t.env));
    expect(listCodeComponents(t.read()).map((v) => v.id)).toEqual([ID, 'plain', 'zipped']);
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
    const unnamed = thrown(() => t.store.transact((tx) => renameCodeComponent(companyState(tx, t.company.id), ID, undefined, t.env)));
    expect([unnamed.status, unnamed.details.extra?.errors]).toEqual([400, { name: ['A new name is required to rename a code component.'] }]);
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
