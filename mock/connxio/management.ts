import { ApiError } from '../core/errors.ts';
import type { Random } from '../core/random.ts';
import { messageOf } from '../core/error-message.ts';

/**
 * Small helpers shared by the Connxio management families (integrations, code components,
 * environment variables, security configurations): business-rule errors in ASP.NET's
 * `errors: {Field: [messages]}` shape, and Cosmos-style concurrency tokens.
 */

/** Collects business-rule violations keyed by ASP.NET field path (`SubIntegrations[0].OutboundConnections`). */
export class FieldErrors {
  readonly byField: Record<string, string[]> = {};

  add(field: string, message: string): void {
    (this.byField[field] ??= []).push(message);
  }

  get count(): number {
    return Object.keys(this.byField).length;
  }

  /** the first message, for the ProblemDetails `detail` */
  get first(): string | undefined {
    const field = Object.keys(this.byField)[0];
    return field === undefined ? undefined : `${field}: ${this.byField[field]![0]}`;
  }

  /** throws a 400 ProblemDetails with `errors` when any violation was recorded */
  throwIfAny(summary: string): void {
    if (this.count > 0) throw validationProblem(summary, this.byField);
  }
}

export function validationProblem(summary: string, byField: Record<string, string[]>): ApiError {
  const first = Object.entries(byField)[0];
  const detail = first ? `${summary} ${first[0]}: ${first[1][0]}` : summary;
  return new ApiError('bad_request', detail, { extra: { errors: byField } });
}

/** one-field 400 in the validation shape */
export function fieldProblem(field: string, message: string): ApiError {
  return validationProblem('The request did not pass validation.', { [field]: [message] });
}

/**
 * A Cosmos DB style `_etag`: a quoted token that changes on every write, e.g.
 * `"2b00c4f1-0000-0d00-0000-6650f2a10000"` (random part, fixed middle, write time in hex seconds).
 */
export function newEtag(random: Random, nowMs: number): string {
  const seconds = Math.floor(nowMs / 1000).toString(16).padStart(8, '0');
  return `"${random.bytes(4).toString('hex')}-0000-0d00-0000-${seconds}0000"`;
}

/** Compares two etags, tolerating a caller that dropped the surrounding quotes. */
export function sameEtag(a: string, b: string): boolean {
  const bare = (s: string) => s.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return bare(a) === bare(b);
}

/** Parses a JSON-in-a-string field (`connectionProperties`, transformation `properties`); undefined when empty. */
export function parseJsonString(value: string | null | undefined): { ok: true; value: unknown } | { ok: false; error: string } | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch (err) {
    return { ok: false, error: messageOf(err) };
  }
}

/** Every `[key, value]` pair of a parsed JSON value, at any depth. */
export function* walkEntries(value: unknown, depth = 0): Generator<[string, unknown]> {
  if (depth > 32 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) yield* walkEntries(item, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    yield [k, v];
    yield* walkEntries(v, depth + 1);
  }
}
