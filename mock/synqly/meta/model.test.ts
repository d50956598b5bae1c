import { dereference } from '@apidevtools/json-schema-ref-parser';
import { describe, expect, it } from 'vitest';
import { loadSpec, specPath } from '../../core/spec.ts';
import { engineOpenApiDocument, managementOpenApiDocument } from './model.ts';

describe('meta documents', () => {
  it('the management document is the specs/ document itself: every operation, resolvable $refs', async () => {
    const doc = await managementOpenApiDocument();
    const spec = await loadSpec(specPath('synqly-management.yaml'));
    expect(doc).toBe(spec.document);
    expect(String(doc.openapi)).toMatch(/^3\./);
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((item) =>
      Object.values(item).map((op) => op.operationId).filter(Boolean),
    );
    expect(ids).toHaveLength(spec.operations.length);
    expect(ids).toContain('meta_managementOpenapiSpec');
    const resolved = (await dereference(structuredClone(doc))) as { paths: Record<string, unknown> };
    expect(Object.keys(resolved.paths)).toContain('/v1/organization');
  });

  it('the engine document is a minimal valid OpenAPI 3.0 document', async () => {
    const doc = engineOpenApiDocument(await managementOpenApiDocument());
    expect(doc).toMatchObject({ openapi: '3.0.3', info: { title: 'Synqly Engine API' }, paths: {} });
    expect(typeof (doc.info as { version: unknown }).version).toBe('string');
    await expect(dereference(structuredClone(doc))).resolves.toBeTruthy();
  });
});
