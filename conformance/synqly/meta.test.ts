import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { loadSpec, specPath } from '../../mock/core/spec.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twinOnly = target.kind !== 'live';

describe('meta_managementOpenapiSpec', () => {
  it('returns the Management API OpenAPI document itself, not wrapped in result', async () => {
    const s = await synqlySession(target);
    const res = await s.get('/v1/meta/openapi/management');
    expectOperation(res, 'meta_managementOpenapiSpec', 200);
    expect(res.body).not.toHaveProperty('result');
    expect(String(res.body.openapi)).toMatch(/^3\./);
    expect(res.body.paths['/v1/accounts']).toBeDefined();
    if (twinOnly) {
      const ops = Object.values(res.body.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((item) => Object.values(item).map((o) => o.operationId));
      expect(ops).toEqual(expect.arrayContaining(['accounts_list', 'meta_managementOpenapiSpec', 'subOrgs_delete']));
      const spec = await loadSpec(specPath('synqly-management.yaml'));
      expect(ops.filter(Boolean).sort()).toEqual(spec.operations.map((op) => op.operationId).sort());
    }
  });

  it('answers 401 without a token', async () => {
    expectProblem(await target.synqly.get('/v1/meta/openapi/management'), 'meta_managementOpenapiSpec', 401);
  });
});

describe('meta_engineOpenapiSpec', () => {
  it('returns an OpenAPI document, not wrapped in result', async () => {
    const s = await synqlySession(target);
    const res = await s.get('/v1/meta/openapi/engine');
    expectOperation(res, 'meta_engineOpenapiSpec', 200);
    expect(res.body).not.toHaveProperty('result');
    expect(String(res.body.openapi)).toMatch(/^3\./);
    expect(res.body.info.title).toEqual(expect.any(String));
    expect(res.body.paths).toEqual(expect.any(Object));
  });

  it('answers 401 without a token and 405 for a wrong method', async () => {
    expectProblem(await target.synqly.get('/v1/meta/openapi/engine'), 'meta_engineOpenapiSpec', 401);
    const s = await synqlySession(target);
    const wrong = await s.post('/v1/meta/openapi/engine').send({});
    expectProblem(wrong, 'meta_engineOpenapiSpec', 405);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('meta_managementOpenapiSpec', () => {
  it("serves the Management API's OpenAPI document", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/meta/openapi/management');
    expectOperation(res, 'meta_managementOpenapiSpec', 200);
    expect(res.body.openapi).toMatch(/^3\./);
  });
});

describe('meta_engineOpenapiSpec', () => {
  it("serves the connector (engine) API's OpenAPI document", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/meta/openapi/engine');
    expectOperation(res, 'meta_engineOpenapiSpec', 200);
    expect(res.body.openapi).toMatch(/^3\./);
  });
});
