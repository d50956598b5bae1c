import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { createIntegration, currentSubscriptionId, fakeAssembly, integrationBody, uploadComponent } from '../support/connxio-management.ts';
import { connxioReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twin = target.kind !== 'live';

describe('upload_code_component', () => {
  it('stores a version (no mappingDll in the answer) and adds later versions under the same id', async () => {
    const s = await connxioSession(target);
    const { body, res } = await uploadComponent(s);
    expect(res.body).toMatchObject({ id: body.id, name: body.name, version: '1.0.0', type: 'Map', deprecated: false, componentOriginalFilename: 'Apitwin.Mapper.dll' });
    expect(res.body).not.toHaveProperty('mappingDll');
    expect(typeof res.body.uniqueId).toBe('string');
    if (twin) expect(res.body.versionConverted).toBe(1_000_000);
    const next = await s.put('/api/v2/codecomponents').send({ ...body, version: '1.0.1', mappingDll: fakeAssembly('v2') });
    expectOperation(next, 'upload_code_component', 200);
    expect(next.body.id).toBe(body.id);
    expect(next.body.uniqueId).not.toBe(res.body.uniqueId);
    const versions = await s.get(`/v2/codecomponents/${body.id}/versions`);
    expectOperation(versions, 'get_code_component_versions', 200);
    expect(versions.body.map((v: { version: string }) => v.version).sort()).toEqual(['1.0.0', '1.0.1']);
  });

  it('re-uploading an existing version replaces it instead of adding one', async () => {
    const s = await connxioSession(target);
    const { body, res } = await uploadComponent(s);
    const again = await s.put('/v2/codecomponents').send({ ...body, description: 'second upload' });
    expectOperation(again, 'upload_code_component', 200);
    expect(again.body.description).toBe('second upload');
    if (twin) expect(again.body.uniqueId).toBe(res.body.uniqueId);
    const versions = await s.get(`/v2/codecomponents/${body.id}/versions`);
    expectOperation(versions, 'get_code_component_versions', 200);
    expect(versions.body).toHaveLength(1);
  });

  it.runIf(twin)('takes any non-empty base64 bytes (never inspected) and versions of 1 to 4 numbers with -prerelease/+build', async () => {
    const s = await connxioSession(target);
    const { body } = await uploadComponent(s, { mappingDll: 'SGVsbG8gd29ybGQ=', version: '1.0.0.0' });
    for (const version of ['1.0.0-beta', '1.0.0.1', '1.0.2', '1.0.10', '1.1.0-rc.1+build.5']) {
      const res = await s.put('/v2/codecomponents').send({ ...body, version, mappingDll: Buffer.from(`plain text ${version}`).toString('base64') });
      expectOperation(res, 'upload_code_component', 200);
      expect(res.body.version).toBe(version);
    }
    const versions = await s.get(`/v2/codecomponents/${body.id}/versions`);
    expectOperation(versions, 'get_code_component_versions', 200);
    expect(versions.body.map((v: { version: string }) => v.version)).toEqual(['1.1.0-rc.1+build.5', '1.0.10', '1.0.2', '1.0.0.1', '1.0.0.0', '1.0.0-beta']);
    const newest = await s.get(`/v2/codecomponents/${body.id}`);
    expectOperation(newest, 'get_code_component', 200);
    expect(newest.body.map((v: { version: string }) => v.version)).toEqual(['1.1.0-rc.1+build.5']);
    // the name stays unique per company (the twin's rule), ignoring case
    const clash = await s.put('/v2/codecomponents').send({ ...body, id: randomUUID(), name: body.name.toUpperCase() });
    expectProblem(clash, 'upload_code_component', 400);
    expect(clash.body.errors).toHaveProperty('Name');
  });

  it('answers 400 for a schema violation (name pattern, missing or non-base64 mappingDll) and for a version that is not a version', async () => {
    const s = await connxioSession(target);
    const base = { id: randomUUID(), name: uniqueName('component'), version: '1.0.0', type: 'Map', mappingDll: fakeAssembly() };
    const badName = await s.put('/v2/codecomponents').send({ ...base, name: 'bad/name' });
    expectProblem(badName, 'upload_code_component', 400);
    expect(badName.body.errors).toHaveProperty('Name');
    const { mappingDll: _omitted, ...noContent } = base;
    const missing = await s.put('/v2/codecomponents').send(noContent);
    expectProblem(missing, 'upload_code_component', 400);
    expect(missing.body.errors).toHaveProperty('MappingDll');
    const notBase64 = await s.put('/v2/codecomponents').send({ ...base, mappingDll: 'not base64!' });
    expectProblem(notBase64, 'upload_code_component', 400);
    expect(Object.keys(notBase64.body.errors)).toEqual(['$.mappingDll']);
    for (const version of ['latest', '1.0.0.0.0']) {
      const badVersion = await s.put('/v2/codecomponents').send({ ...base, version });
      expectProblem(badVersion, 'upload_code_component', 400);
      if (twin) expect(badVersion.body.errors).toHaveProperty('Version');
    }
    expectProblem(await s.get(`/v2/codecomponents/${base.id}`), 'get_code_component', 400);
  });

  it('answers 400 at each empty id, name, version or type (the vendor\'s minLength 1), and stores nothing', async () => {
    const s = await connxioSession(target);
    const base = { id: randomUUID(), name: uniqueName('component'), version: '1.0.0', type: 'Map', mappingDll: fakeAssembly() };
    const all = await s.put('/v2/codecomponents').send({ ...base, id: '', name: '', version: '', type: '' });
    expectProblem(all, 'upload_code_component', 400);
    if (twin) {
      expect(all.body.errors).toEqual({
        Id: ['The Id field is required.'],
        Name: ['The Name field is required.'],
        Version: ['The Version field is required.'],
        Type: ['The Type field is required.'],
      });
    }
    for (const field of ['name', 'version', 'type'] as const) {
      const res = await s.put('/v2/codecomponents').send({ ...base, [field]: '' });
      expectProblem(res, 'upload_code_component', 400);
      if (twin) expect(Object.keys(res.body.errors)).toEqual([field.charAt(0).toUpperCase() + field.slice(1)]);
    }
    expectProblem(await s.get(`/v2/codecomponents/${base.id}`), 'get_code_component', 400);
  });
});

describe('upload_code_component › ids in any letter case', () => {
  it.runIf(twin)('adds a version under the same component whatever the letter case of the id (kept lower case, as integration ids)', async () => {
    const s = await connxioSession(target);
    const { body, res } = await uploadComponent(s, { id: randomUUID().toUpperCase() });
    expect(res.body.id).toBe(body.id.toLowerCase());
    const next = await s.put('/v2/codecomponents').send({ ...body, id: body.id.toLowerCase(), version: '1.0.1' });
    expectOperation(next, 'upload_code_component', 200);
    expect(next.body.id).toBe(body.id.toLowerCase());
    for (const id of [body.id, body.id.toLowerCase()]) {
      const versions = await s.get(`/v2/codecomponents/${id}/versions`);
      expectOperation(versions, 'get_code_component_versions', 200);
      expect(versions.body.map((v: { version: string }) => v.version)).toEqual(['1.0.1', '1.0.0']);
    }
    const list = await s.get('/v2/codecomponents');
    expectOperation(list, 'list_code_components', 200);
    expect(new Set(list.body.filter((c: { name: string }) => c.name === body.name).map((c: { id: string }) => c.id))).toEqual(new Set([body.id.toLowerCase()]));
  });
});

describe('list_code_components', () => {
  it('lists versions whose newest per id is what get answers (read-only)', async () => {
    const s = await connxioSession(target);
    const res = await s.get('/v2/codecomponents');
    expectOperation(res, 'list_code_components', 200);
    if (res.body.length === 0) return;
    const id = res.body[0].id as string;
    const versions = await s.get(`/v2/codecomponents/${id}/versions`);
    expectOperation(versions, 'get_code_component_versions', 200);
    expect(versions.body.every((v: { id: string }) => v.id === id)).toBe(true);
    const newest = await s.get(`/api/v2/codecomponents/${id}`);
    expectOperation(newest, 'get_code_component', 200);
    expect(newest.body).toHaveLength(1);
    const highest = Math.max(...versions.body.map((v: { versionConverted: number }) => v.versionConverted));
    expect(newest.body[0].versionConverted).toBe(highest);
  });

  it('lists every version of the company\'s components under /v2 and /api/v2', async () => {
    const s = await connxioSession(target);
    const { body } = await uploadComponent(s);
    const v2 = await s.put('/v2/codecomponents').send({ ...body, version: '1.1.0' });
    expectOperation(v2, 'upload_code_component', 200);
    for (const path of ['/v2/codecomponents', '/api/v2/codecomponents']) {
      const res = await s.get(path);
      expectOperation(res, 'list_code_components', 200);
      const mine = res.body.filter((c: { id: string }) => c.id === body.id);
      expect(mine.map((c: { version: string }) => c.version).sort()).toEqual(['1.0.0', '1.1.0']);
    }
  });
});

describe('get_code_component', () => {
  it('answers an array holding only the newest version', async () => {
    const s = await connxioSession(target);
    const { body } = await uploadComponent(s, { version: '1.0.9' });
    expectOperation(await s.put('/v2/codecomponents').send({ ...body, version: '1.0.10' }), 'upload_code_component', 200);
    expectOperation(await s.put('/v2/codecomponents').send({ ...body, version: '1.0.2' }), 'upload_code_component', 200);
    const res = await s.get(`/api/v2/codecomponents/${body.id}`);
    expectOperation(res, 'get_code_component', 200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0].version).toBe('1.0.10');
  });

  it('answers 400 (not 404) for an unknown id', async () => {
    const s = await connxioSession(target);
    const res = await s.get(`/v2/codecomponents/${randomUUID()}`);
    expectProblem(res, 'get_code_component', 400);
  });
});

describe('get_code_component_versions', () => {
  it('answers 400 for an unknown id', async () => {
    const s = await connxioSession(target);
    expectProblem(await s.get(`/v2/codecomponents/${randomUUID()}/versions`), 'get_code_component_versions', 400);
  });
});

describe('deprecate_code_component', () => {
  it('deprecates the given version (200, empty body), then every version without one', async () => {
    const s = await connxioSession(target);
    const { body } = await uploadComponent(s);
    expectOperation(await s.put('/v2/codecomponents').send({ ...body, version: '1.0.1' }), 'upload_code_component', 200);
    const one = await s.put(`/v2/codecomponents/${body.id}/deprecate?version=1.0.0`);
    expectOperation(one, 'deprecate_code_component', 200);
    expect(one.text).toBe('');
    const versions = await s.get(`/v2/codecomponents/${body.id}/versions`);
    expectOperation(versions, 'get_code_component_versions', 200);
    const deprecated = Object.fromEntries(versions.body.map((v: { version: string; deprecated: boolean }) => [v.version, v.deprecated]));
    expect(deprecated).toEqual({ '1.0.0': true, '1.0.1': false });
    expectOperation(await s.put(`/api/v2/codecomponents/${body.id}/deprecate`), 'deprecate_code_component', 200);
    const all = await s.get(`/v2/codecomponents/${body.id}/versions`);
    expectOperation(all, 'get_code_component_versions', 200);
    expect(all.body.every((v: { deprecated: boolean }) => v.deprecated)).toBe(true);
  });

  it('answers 400 for an unknown id or version', async () => {
    const s = await connxioSession(target);
    const { body } = await uploadComponent(s);
    expectProblem(await s.put(`/v2/codecomponents/${randomUUID()}/deprecate`), 'deprecate_code_component', 400);
    const version = await s.put(`/v2/codecomponents/${body.id}/deprecate?version=9.9.9`);
    expectProblem(version, 'deprecate_code_component', 400);
  });
});

describe('rename_code_component', () => {
  it('renames every version (200, empty body)', async () => {
    const s = await connxioSession(target);
    const { body } = await uploadComponent(s);
    expectOperation(await s.put('/v2/codecomponents').send({ ...body, version: '2.0.0' }), 'upload_code_component', 200);
    const name = uniqueName('renamed');
    const res = await s.put(`/v2/codecomponents/${body.id}/updatename`).query({ name });
    expectOperation(res, 'rename_code_component', 200);
    const versions = await s.get(`/v2/codecomponents/${body.id}/versions`);
    expectOperation(versions, 'get_code_component_versions', 200);
    expect(versions.body.map((v: { name: string }) => v.name)).toEqual([name, name]);
  });

  it('answers 400 for a missing or invalid name and for an unknown id', async () => {
    const s = await connxioSession(target);
    const { body } = await uploadComponent(s);
    const missing = await s.put(`/v2/codecomponents/${body.id}/updatename`);
    expectProblem(missing, 'rename_code_component', 400);
    expect(missing.body.errors.name[0]).toMatch(/name is required/);
    expectProblem(await s.put(`/v2/codecomponents/${body.id}/updatename`).query({ name: 'no/slashes' }), 'rename_code_component', 400);
    expectProblem(await s.put(`/api/v2/codecomponents/${randomUUID()}/updatename`).query({ name: 'Fine name' }), 'rename_code_component', 400);
    const unchanged = await s.get(`/v2/codecomponents/${body.id}`);
    expectOperation(unchanged, 'get_code_component', 200);
    expect(unchanged.body[0].name).toBe(body.name);
  });
});

describe('delete_code_component', () => {
  it('refuses (400) while an integration uses the component, deletes (204) once none does', async () => {
    const s = await connxioSession(target);
    const { body } = await uploadComponent(s);
    const integration = integrationBody(await currentSubscriptionId(s));
    integration.subIntegrations[0]!.transformations = [
      { transformationType: 'CodeTransformation', transformationName: 'Map', properties: JSON.stringify({ CodeComponentId: body.id, CodeComponentName: body.name, Version: '1.0.0' }) },
    ];
    const created = await createIntegration(s, integration);
    const refused = await s.delete(`/v2/codecomponents/${body.id}`);
    expectProblem(refused, 'delete_code_component', 400);
    if (twin) expect(refused.body.detail).toMatch(/used in one or more integrations/);
    expectOperation(await s.get(`/v2/codecomponents/${body.id}`), 'get_code_component', 200);

    expectOperation(await s.delete(`/v2/integrations/${created.id}`), 'delete_integration', 204);
    const deleted = await s.delete(`/api/v2/codecomponents/${body.id}`);
    expectOperation(deleted, 'delete_code_component', 204);
    expectProblem(await s.get(`/v2/codecomponents/${body.id}`), 'get_code_component', 400);
  });

  it('answers 400 for an unknown id', async () => {
    const s = await connxioSession(target);
    expectProblem(await s.delete(`/v2/codecomponents/${randomUUID()}`), 'delete_code_component', 400);
  });

  it.runIf(target.capabilities.admin)('components are per company: another company sees none of them', async () => {
    const mine = await connxioSession(target);
    const theirs = await connxioSession(target);
    const { body } = await uploadComponent(theirs);
    expectProblem(await mine.get(`/v2/codecomponents/${body.id}`), 'get_code_component', 400);
    expectProblem(await mine.delete(`/v2/codecomponents/${body.id}`), 'delete_code_component', 400);
    const list = await mine.get('/v2/codecomponents');
    expectOperation(list, 'list_code_components', 200);
    expect(list.body).toEqual([]);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = connxioReadOnly(target);

describe('list_code_components', () => {
  it("lists the company's code components (the demo's Order Mapper)", async () => {
    const s = await ro.session();
    const res = await s.get('/v2/codecomponents');
    expectOperation(res, 'list_code_components', 200);
    if (ro.twin) expect(ro.listOf(res).map((c) => c.name)).toContain('Order Mapper');
  });
});

describe('get_code_component', () => {
  it('reads the first listed code component by id, and all its versions', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v2/codecomponents');
    expectOperation(list, 'list_code_components', 200);
    const component = ro.firstOf(ctx, ro.listOf(list), 'code component');
    const res = await s.get(`/v2/codecomponents/${component.id}`);
    expectOperation(res, 'get_code_component', 200);
    expect(ro.listOf(res).length).toBeGreaterThanOrEqual(1);
    for (const v of ro.listOf(res)) expect(v).toMatchObject({ id: component.id, name: component.name });
    const versions = await s.get(`/v2/codecomponents/${component.id}/versions`);
    expectOperation(versions, 'get_code_component_versions', 200);
    for (const v of ro.listOf(versions)) expect(v.id).toBe(component.id);
    const all = ro.listOf(versions).map((v) => v.uniqueId);
    for (const v of ro.listOf(res)) expect(all).toContain(v.uniqueId);
    if (ro.twin) expect(ro.listOf(versions).map((v) => v.version)).toEqual(['1.0.1', '1.0.0']);
  });
});

describe('get_code_component_versions', () => {
  it('lists every version of the first listed code component', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v2/codecomponents');
    expectOperation(list, 'list_code_components', 200);
    const component = ro.firstOf(ctx, ro.listOf(list), 'code component');
    const res = await s.get(`/v2/codecomponents/${component.id}/versions`);
    expectOperation(res, 'get_code_component_versions', 200);
    expect(ro.listOf(res).length).toBeGreaterThanOrEqual(1);
    expect(new Set(ro.listOf(res).map((v) => v.uniqueId)).size).toBe(ro.listOf(res).length);
  });
});
