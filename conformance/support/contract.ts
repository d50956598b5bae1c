import type { Response } from 'supertest';
import { expect } from 'vitest';
import { loadSpec, specPath, type OperationSpec } from '../../mock/core/spec.ts';
import { createValidator } from '../../mock/core/validation.ts';
import { recordCheck } from './coverage.ts';
import { redactBody } from '../../mock/core/request-journal.ts';

/**
 * Contract checks: the status a scenario expects, and the response against the operation's
 * schema in specs/. A violation names the operation, the status and the JSON path.
 */

const specs = await Promise.all(['synqly-management.yaml', 'connxio.yaml', 'admin.yaml', 'connxio-custom-api.yaml'].map((f) => loadSpec(specPath(f))));
const validator = createValidator();

export function operation(operationId: string): OperationSpec {
  for (const spec of specs) {
    const op = spec.byId.get(operationId);
    if (op) return op;
  }
  throw new Error(`no operation ${operationId} in specs/`);
}

export function vendorOf(operationId: string): 'synqly' | 'connxio' | 'admin' | 'custom' {
  const [synqly, connxio, admin] = specs;
  if (synqly!.byId.has(operationId)) return 'synqly';
  if (connxio!.byId.has(operationId)) return 'connxio';
  if (admin!.byId.has(operationId)) return 'admin';
  return 'custom';
}

/** a body for a failure message: secret-looking fields redacted, cut to 500 characters */
function printable(body: unknown): string {
  return (typeof body === 'string' ? body : JSON.stringify(redactBody(body)) ?? '').slice(0, 500);
}

function bodyOf(res: Response): unknown {
  if (res.text === undefined || res.text === '') return undefined;
  return (res.headers['content-type'] ?? '').includes('json') ? JSON.parse(res.text) : res.text;
}

/** Asserts the status, then that the response conforms to the spec for that status. */
export function expectOperation(res: Response, operationId: string, status: number): void {
  const op = operation(operationId);
  const body = bodyOf(res);
  const statusOk = res.status === status;
  const issues = statusOk ? validator.validateResponse(op, res.status, res.headers['content-type'], body) : [];
  recordCheck({ operationId, vendor: vendorOf(operationId), expected: status, actual: res.status, passed: statusOk && issues.length === 0 }, body);
  expect(res.status, `${operationId}: expected ${status}, got ${res.status}: ${printable(body)}`).toBe(status);
  const described = issues.map((i) => `${i.location === 'body' ? `body${i.pointer ? ` at ${i.pointer}` : ''}` : `${i.location} ${i.pointer}`}: ${i.message}`);
  expect(described, `${operationId} ${res.status} violates specs/: ${described.join('; ')}`).toEqual([]);
}

/** expectOperation for an error status, plus the vendor envelope's own invariants. */
export function expectProblem(res: Response, operationId: string, status: number): void {
  expectOperation(res, operationId, status);
  const vendor = vendorOf(operationId);
  const body = bodyOf(res) as Record<string, unknown>;
  if (vendor === 'synqly') {
    expect(body.status).toBe(status);
    expect(typeof body.message).toBe('string');
    expect(typeof body.occurred_at).toBe('string');
  } else if (vendor === 'connxio' || vendor === 'custom') {
    if (operationId !== 'oauth_token') {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(body.status).toBe(status);
      expect(typeof body.title).toBe('string');
    }
  }
}

/**
 * A refusal whose exact status the contract leaves open (or that a live tenant may answer
 * differently): any 4xx, with the body checked against what the spec declares for that status and
 * the vendor envelope's invariants — so a live refusal is validated too, not just its status class.
 */
export function expectProblemOf(res: Response, operationId: string): void {
  if (res.status < 400 || res.status > 499) {
    recordCheck({ operationId, vendor: vendorOf(operationId), expected: 400, actual: res.status, passed: false }, bodyOf(res));
    expect.fail(`${operationId}: expected a 4xx refusal, got ${res.status}: ${printable(bodyOf(res))}`);
  }
  expectProblem(res, operationId, res.status);
}
