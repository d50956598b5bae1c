import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec, specPath } from '../../mock/core/spec.ts';
import { createValidator } from '../../mock/core/validation.ts';
import { exampleRequest, operationsWith, readDocument } from './openapi.ts';
import { startPrism, type Prism } from './processes.ts';

/**
 * Prism's stateless mock (`npm run prism:synqly`, `npm run prism:connxio`) serves each spec (the two
 * vendors', the Custom API listener's and the control API's):
 * every GET operation, called as a client would with the spec's own examples, gets a 2xx answer
 * that the twin's validator finds valid against the same spec.
 */

const vendors = [
  { name: 'synqly', file: 'synqly-management.yaml' },
  { name: 'connxio', file: 'connxio.yaml' },
  { name: 'connxio-custom-api', file: 'connxio-custom-api.yaml' },
  { name: 'admin', file: 'admin.yaml' },
] as const;

const prisms = new Map<string, Prism>();

beforeAll(async () => {
  const started = await Promise.allSettled(vendors.map(async (v) => prisms.set(v.name, await startPrism('mock', `specs/${v.file}`))));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
});

afterAll(async () => {
  await Promise.all([...prisms.values()].map((p) => p.stop()));
});

describe.each(vendors)('prism mock specs/$file', ({ name, file }) => {
  it('answers every GET operation with a 2xx response that conforms to the spec', async () => {
    const prism = prisms.get(name)!;
    const doc = await readDocument(`specs/${file}`);
    const spec = await loadSpec(specPath(file));
    const validator = createValidator();
    const gets = operationsWith(doc, 'get');
    expect(gets.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const [path, method] of gets) {
      const req = exampleRequest(doc, path, method);
      const url = `${prism.url}${req.path}${Object.keys(req.query).length ? `?${new URLSearchParams(req.query)}` : ''}`;
      const res = await fetch(url, { method: req.method, headers: req.headers, signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      const contentType = res.headers.get('content-type') ?? undefined;
      let body: unknown = text === '' ? undefined : text;
      if (text && contentType?.includes('json')) body = JSON.parse(text);
      const issues = validator.validateResponse(spec.byId.get(req.operationId)!, res.status, contentType, body);
      if (res.status < 200 || res.status > 299) failures.push(`${req.operationId} GET ${req.path}: ${res.status} ${text.slice(0, 300)}`);
      else if (issues.length) failures.push(`${req.operationId} GET ${req.path}: ${issues.map((i) => `${i.location} ${i.pointer} ${i.message}`).join('; ')}`);
    }
    expect(failures, prism.output().slice(-2000)).toEqual([]);
  });
});
