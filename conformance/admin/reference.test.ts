import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { specPath } from '../../mock/core/spec.ts';
import { useTarget } from '../target.ts';
import { expectOperation } from '../support/contract.ts';

/**
 * The control API's index, its OpenAPI document, the vendors' documents and their reference pages
 * (twin only), and the operations list faults are checked against: a fault naming an operation
 * its vendor lacks is refused with close matches, as the conformance CLI does.
 */

const target = await useTarget();
const admin = target.admin;
const DOCS = ['admin.yaml', 'synqly-management.yaml', 'connxio.yaml', 'connxio-custom-api.yaml'];

describe.runIf(target.capabilities.admin)('the control API describes itself', () => {
  it('admin_index: version, listeners and links that answer', async () => {
    const res = await admin.get('/__admin');
    expectOperation(res, 'admin_index', 200);
    expect(res.body.name).toBe('apitwin');
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const key of ['openapi', 'docs', 'health', 'operations']) {
      const linked = await admin.get(res.body.links[key]);
      expect(linked.status, `${key} → ${res.body.links[key]}`).toBe(200);
    }
    for (const doc of DOCS.slice(1)) expect((await admin.get(res.body.links[`spec:${doc}`])).status).toBe(200);
  });

  it('admin_openapi and admin_specs_get: the documents as shipped, as YAML', async () => {
    const own = await admin.get('/__admin/openapi.yaml').buffer(true);
    expectOperation(own, 'admin_openapi', 200);
    expect(own.headers['content-type']).toMatch(/^application\/yaml/);
    expect(parse(own.text)).toEqual(parse(readFileSync(specPath('admin.yaml'), 'utf8')));
    for (const doc of DOCS) {
      const res = await admin.get(`/__admin/specs/${doc}`).buffer(true);
      expectOperation(res, 'admin_specs_get', 200);
      expect(res.text).toBe(readFileSync(specPath(doc), 'utf8'));
    }
    const unknown = await admin.get('/__admin/specs/..%2Fpackage.json');
    expect(unknown.status).toBe(400);
  });

  it('admin_docs and admin_docs_spec: pages that load the bundled renderer, never a CDN', async () => {
    for (const path of ['/__admin/docs', ...DOCS.slice(1).map((d) => `/__admin/docs/${d}`)]) {
      const res = await admin.get(path);
      expectOperation(res, path === '/__admin/docs' ? 'admin_docs' : 'admin_docs_spec', 200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('/__admin/docs/assets/swagger-ui-bundle.js');
      expect(res.text).not.toMatch(/https?:\/\//);
    }
    const script = await admin.get('/__admin/docs/assets/swagger-ui-bundle.js');
    expectOperation(script, 'admin_docs_asset', 200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(Number(script.headers['content-length'])).toBeGreaterThan(100_000);
    expect((await admin.get('/__admin/docs/assets/swagger-ui.css')).headers['content-type']).toMatch(/^text\/css/);
    expect((await admin.get('/__admin/docs/assets/index.html')).status).toBe(400);
  });

  it('admin_operations_list: every operation of each vendor document', async () => {
    const res = await admin.get('/__admin/operations').query({ vendor: 'synqly' });
    expectOperation(res, 'admin_operations_list', 200);
    const ids = (res.body.operations as Array<{ operationId: string; vendor: string }>).map((o) => o.operationId);
    expect(ids).toContain('accounts_list');
    expect(new Set((res.body.operations as Array<{ vendor: string }>).map((o) => o.vendor))).toEqual(new Set(['synqly']));
    const all = await admin.get('/__admin/operations');
    expect(new Set((all.body.operations as Array<{ vendor: string }>).map((o) => o.vendor))).toEqual(new Set(['synqly', 'connxio', 'custom']));
  });

  it('admin_faults_create: an operationId the vendor lacks → 400 naming close matches; nothing stored', async () => {
    const before = (await admin.get('/__admin/faults')).body.faults.length;
    const res = await admin.post('/__admin/faults').send({ vendor: 'synqly', operationId: 'accounts_lst', action: { type: 'status', status: 500 } });
    expectOperation(res, 'admin_faults_create', 400);
    expect(res.body.detail).toMatch(/synqly has no operation accounts_lst; did you mean .*accounts_list/);
    // another vendor's operation is unknown to this one
    const wrongVendor = await admin.post('/__admin/faults').send({ vendor: 'connxio', operationId: 'accounts_list', action: { type: 'status', status: 500 } });
    expectOperation(wrongVendor, 'admin_faults_create', 400);
    expect((await admin.get('/__admin/faults')).body.faults.length).toBe(before);
  });
});
