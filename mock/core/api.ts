import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { ApiError } from './errors.ts';
import type { Clock } from './clock.ts';
import type { Random } from './random.ts';
import type { Store } from './store/store.ts';
import type { FaultRules, FaultVendor } from './faults.ts';
import type { RateLimits } from './rate-limits.ts';
import type { SharedClock, SharedFaultRules, SharedRateLimits } from './shared-settings.ts';
import type { MessageJournal } from './message-journal.ts';
import type { RequestJournal } from './request-journal.ts';
import type { ApiSpec, OperationSpec } from './spec.ts';
import type { Validator } from './validation.ts';

/**
 * What the pipeline (pipeline.ts, steps.ts) and an API agree on: the twin's environment, the
 * request as the pipeline describes it, the handler's context and result, and the API's
 * description (VendorApi). The core knows no API by name: what differs between APIs is a field here.
 */

export interface TwinEnv {
  store: Store;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** in memory, or in a shared store (then changes and `times` are transactions: see shared-settings.ts) */
  faults: FaultRules | SharedFaultRules;
  /** set on a shared store: clock moves go through it, so every replica applies them */
  sharedClock?: SharedClock;
  /** per-credential rate limits set through the control API (none when omitted) */
  rateLimits?: RateLimits | SharedRateLimits;
  requests: RequestJournal;
  /** messages accepted for delivery to integrations (Connxio) */
  messages: MessageJournal;
  validator: Validator;
  /**
   * set when part of the twin loads after its start (the request path's libraries: ajv, see
   * deferred-validator.ts, and find-my-way, see loadRouting in pipeline.ts): the wait a request has
   * before its first step, undefined once loaded
   */
  prepare?: () => Promise<void> | undefined;
  limits: { bodyBytes: number };
}

export interface RequestInfo {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** the header lines as sent, names in their own case (Node's `req.rawHeaders`: name, value, name, value, …) */
  rawHeaders?: readonly string[];
  listener: string;
  /** set once the route is known */
  operationId?: string;
  /** raw (unvalidated) path parameters, set once the route is known */
  params?: Record<string, string>;
  /** the peer address */
  remoteAddress?: string;
  /** the local port the request arrived on */
  localPort?: number;
  /**
   * What the API's `authenticate` noted about the call for the API's own observer, before the
   * handler ran (Synqly: the resources the path named, for the audit event); opaque to the pipeline.
   */
  noted?: unknown;
  /**
   * The body's bytes as sent, on the handler's copy (`ctx.request`) only. The dispatcher's own
   * RequestInfo declares it (undefined) so that copy, `{ ...info, rawBody }`, adds no property:
   * V8 (Node 20) gives an object spread that then gains a new property a hidden class of its
   * own every time, several µs per request.
   */
  rawBody?: Buffer;
}

/** What an API's observer learns after each routed call (for audit logs and the like). */
export interface CallRecord<P> {
  operation: OperationSpec;
  request: RequestInfo;
  /** undefined when the caller was not authenticated */
  principal: P | undefined;
  status: number;
  requestBody: unknown;
  responseBody: unknown;
}

export interface HandlerContext<P> {
  operation: OperationSpec;
  /** path parameters, validated */
  params: Record<string, unknown>;
  /** query parameters, validated and coerced */
  query: Record<string, unknown>;
  /** header parameters declared by the spec, validated, lower-cased names */
  headers: Record<string, unknown>;
  /** parsed and validated body (undefined when none was sent) */
  body: unknown;
  principal: P;
  env: TwinEnv;
  request: RequestInfo & { rawBody?: Buffer };
}

export interface HandlerResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export type Handler<P> = (ctx: HandlerContext<P>) => HandlerResult | Promise<HandlerResult>;
export type OperationTable<P> = Record<string, Handler<P>>;

// ---- handlers typed by their operation (the `operations` type generated from a spec: mock/generated/)

type NoParameters = Record<string, never>;
/** one kind of parameter (path, query, header) of an operation's generated type; none = an empty object */
type ParametersOf<O, K extends 'path' | 'query' | 'header'> = O extends { parameters: infer Ps } ? (K extends keyof Ps ? NonNullable<Ps[K]> : NoParameters) : NoParameters;
/** the request body of an operation's generated type (any of its media types); undefined when it takes none or it is optional */
export type BodyOf<O> = O extends { requestBody?: infer B } ? (B extends { content: infer C } ? C[keyof C] : undefined) : undefined;

/**
 * The handler context of one operation: path parameters, query and body typed as its generated
 * type says (the pipeline validated and coerced them against the same spec).
 */
export interface TypedHandlerContext<P, O> extends HandlerContext<P> {
  params: ParametersOf<O, 'path'>;
  query: ParametersOf<O, 'query'>;
  body: BodyOf<O>;
}

export type TypedHandler<P, O> = (ctx: TypedHandlerContext<P, O>) => HandlerResult | Promise<HandlerResult>;

/** a handler table whose handlers are typed by the operation they are keyed by */
export type TypedOperationTable<P, Ops> = { [Id in keyof Ops]?: TypedHandler<P, Ops[Id]> };

/**
 * A typed handler table as the pipeline holds it (every handler over the plain HandlerContext).
 * Sound because the pipeline calls each handler only for its own operation, with the params,
 * query and body validated against that operation's schema.
 */
export function operationTable<P, Ops>(table: TypedOperationTable<P, Ops>): OperationTable<P> {
  return table as OperationTable<P>; // erases the per-operation context types (see above)
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface VendorApi<P> {
  /** the API's name in the request journal and rate-limit rules */
  name: string;
  /**
   * The vendor this API emulates, as the control API's fault rules and stubs name it; omitted =
   * the twin's own API (the control API), which takes no faults or stubs (it stays reachable to
   * clear them).
   */
  vendor?: FaultVendor;
  /**
   * Operations whose calls the request journal leaves out (the control API's read of the journal
   * itself: a dashboard polling it would fill it with copies of itself).
   */
  unjournaled?: ReadonlySet<string>;
  spec: ApiSpec;
  handlers: OperationTable<P>;
  /** resolves the caller, or throws 401/403/402 ApiErrors */
  authenticate(request: RequestInfo, op: OperationSpec): P | Promise<P>;
  renderError(err: ApiError, request: RequestInfo): RenderedError;
  /** the spec media type that a request's Content-Type maps to, or undefined (→ 415) */
  mediaTypeFor?(contentType: string, op: OperationSpec): string | undefined;
  /**
   * Reads a body the generic parser leaves as text into the value validation and the handler see
   * (Connxio: the DataContract XML form of a JSON body), with the spec media type it is validated
   * as; undefined = the parsed body as it is. Throws an ApiError (400) for a body it cannot read.
   */
  decodeBody?(parsed: unknown, mediaType: string, op: OperationSpec): { body: unknown; mediaType: string } | undefined;
  /**
   * How the vendor's framework binds query parameters, applied before validation (Connxio: ASP.NET,
   * which matches names ignoring case and reads `True`/`FALSE` as booleans); omitted = as sent.
   */
  bindQuery?(query: Record<string, unknown>, op: OperationSpec): Record<string, unknown>;
  /** path prefixes every spec path is also served under (Connxio: '/api') */
  extraPrefixes?: string[];
  caseSensitive?: boolean;
  ignoreTrailingSlash?: boolean;
  /** headers added to every response of this API (CORS, for instance) */
  responseHeaders?: Record<string, string>;
  /**
   * The CORS grant of a preflight (OPTIONS on a known path, answered 204 with Allow); omitted =
   * none, so a browser on another origin is refused as by a server without CORS.
   */
  preflightHeaders?(request: RequestInfo, allow: readonly string[]): Record<string, string>;
  /** the vendor's success envelope for a stub marked `envelope` (Synqly: `{"result": …}`); omitted = none */
  successEnvelope?(body: unknown): unknown;
  /** the tenant (Synqly organization, Connxio company) of an authenticated caller, for stubs that name one */
  tenantOf?(principal: P): string | undefined;
  /** the credential a rate limit counts calls of (a token, an API key), once authenticated */
  rateLimitKey?(principal: P): string | undefined;
  /** called after every routed call has been answered; must not throw */
  observe?(call: CallRecord<P>): void;
}
