/**
 * fetch with JSON in and out, and errors that carry the vendor's (or the control API's) own
 * message: Synqly's Problem, Connxio's ProblemDetails and the control API's RFC 7807 document all
 * end up as `HttpError.message`.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
    readonly url: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** the endpoint is missing on this twin (route unknown, or a spec operation without a handler) */
  get unavailable(): boolean {
    return (this.status === 501 || this.status === 404) && isNoRoute(this.body);
  }
}

function isNoRoute(body: unknown): boolean {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  return /no route for|not emulated|not implemented/i.test(text);
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** JSON body (objects and arrays) or form body (URLSearchParams) or raw text */
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

export interface Response<T> {
  status: number;
  body: T;
  headers: Headers;
}

export function withQuery(url: string, query: RequestOptions['query']): string {
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `${url}${url.includes('?') ? '&' : '?'}${text}` : url;
}

export async function http<T>(url: string, options: RequestOptions = {}): Promise<Response<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof URLSearchParams) {
    body = options.body;
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (typeof options.body === 'string') {
    body = options.body;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const target = withQuery(url, options.query);
  let res: globalThis.Response;
  try {
    res = await fetch(target, { method: options.method ?? 'GET', headers, body, signal: options.signal, credentials: 'omit', cache: 'no-store' });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new HttpError(0, `the twin did not answer (${err instanceof Error ? err.message : String(err)}); is it running?`, undefined, target);
  }
  const text = await res.text();
  let parsed: unknown = text;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!res.ok) throw new HttpError(res.status, errorMessage(res.status, parsed), parsed, target);
  // the caller names the answer's type: the twin's own APIs, typed by the generated schemas
  return { status: res.status, body: (text === '' ? undefined : parsed) as T, headers: res.headers };
}

/** whether a fetch (or a request of the twin) was aborted by its signal */
export function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'name' in err && err.name === 'AbortError';
}

/** the most useful sentence in an error body */
export function errorMessage(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const b: Partial<Record<string, unknown>> = body;
    const text = [b.detail, b.message, b.title, b.error].find((v): v is string => typeof v === 'string' && v.trim() !== '');
    const fieldErrors = b.errors && typeof b.errors === 'object' && !Array.isArray(b.errors) ? Object.entries(b.errors) : [];
    const extra = fieldErrors.length ? ` — ${fieldErrors.map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`).join('; ')}` : '';
    if (text) return `${status}: ${text}${extra}`;
  }
  if (typeof body === 'string' && body.trim()) return `${status}: ${body.trim().slice(0, 300)}`;
  return `${status}: request failed`;
}

export function describeError(err: unknown): string {
  if (err instanceof HttpError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
