import { Fragment, type AnchorHTMLAttributes, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { describeError, HttpError, isAbort } from '../api/http.ts';
import type { Tenant } from '../api/types.ts';
import { CredentialsUnavailable, rememberCredentials } from '../api/vendors.ts';
import { BASE, navigate } from '../router.ts';

/** Small accessible building blocks shared by the pages. */

// ---- announcements (one polite live region for the whole app)

const announcers = new Set<(text: string) => void>();

export function announce(text: string): void {
  for (const a of announcers) a(text);
}

export function LiveRegion() {
  const [text, setText] = useState('');
  useEffect(() => {
    const a = (t: string) => {
      // clear first so the same message twice is read twice
      setText('');
      setTimeout(() => setText(t), 50);
    };
    announcers.add(a);
    return () => void announcers.delete(a);
  }, []);
  return (
    <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
      {text}
    </div>
  );
}

// ---- data loading

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const controller = useRef<AbortController | undefined>(undefined);
  const run = useCallback(async () => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await load(c.signal);
      if (!c.signal.aborted) setState({ data, error: undefined, loading: false });
    } catch (error) {
      if (!c.signal.aborted && !isAbort(error)) setState({ data: undefined, error, loading: false });
    }
  }, deps);
  useEffect(() => {
    void run();
    return () => controller.current?.abort();
  }, [run]);
  return { ...state, reload: run };
}

// ---- links

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { href, onClick, ...rest } = props;
  const internal = href.startsWith(`${BASE}/`) || href === BASE;
  return (
    <a
      href={href}
      {...rest}
      onClick={(e) => {
        if (typeof onClick === 'function') onClick(e);
        if (!internal || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    />
  );
}

// ---- notices

export function Notice(props: { kind?: 'info' | 'error' | 'success' | 'warning'; title?: string; children?: ComponentChildren; testid?: string }) {
  const kind = props.kind ?? 'info';
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : undefined} data-testid={props.testid}>
      {props.title && <p class="notice-title">{props.title}</p>}
      {props.children}
    </div>
  );
}

/** What a page shows when a load failed: the endpoint missing on this twin, credentials gone, or the error. */
export function LoadError(props: { error: unknown; what: string; endpoint?: string; onRetry?: () => void }) {
  const { error } = props;
  if (error instanceof HttpError && error.unavailable) return <Unavailable what={props.what} endpoint={props.endpoint} detail={error.message} />;
  if (error instanceof CredentialsUnavailable) {
    return (
      <Notice kind="warning" title="Credentials not available">
        <p>{error.message}</p>
        <p>
          Resetting the tenant on the <Link href={`${BASE}/tenants`}>Tenants</Link> page restores its credentials (and discards its changes)
          {error.tenant.vendor === 'synqly' ? ', or use a token you have:' : '.'}
        </p>
        {error.tenant.vendor === 'synqly' && <UseTokenForm tenant={error.tenant} />}
      </Notice>
    );
  }
  return (
    <Notice kind="error" title={`Could not load ${props.what}`}>
      <p>{describeError(error)}</p>
      {props.onRetry && (
        <button type="button" class="btn" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </Notice>
  );
}

/** a token the user has (from a rotate elsewhere, say): kept like derived credentials, then the page reloads */
function UseTokenForm(props: { tenant: Tenant }) {
  const [token, setToken] = useState('');
  const id = useId();
  return (
    <form
      class="inline-form form"
      onSubmit={(e) => {
        e.preventDefault();
        rememberCredentials(props.tenant.id, { organization_id: props.tenant.id, organization_name: props.tenant.name, token: token.trim() });
        location.reload();
      }}
    >
      <div class="field grow">
        <label for={id}>Synqly token for {props.tenant.name}</label>
        <input id={id} type="password" autocomplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
      </div>
      <button type="submit" class="btn">
        Use this token
      </button>
    </form>
  );
}

export function Unavailable(props: { what: string; endpoint?: string; detail?: string }) {
  return (
    <div class="notice notice-unavailable" data-testid="unavailable">
      <p class="notice-title">Not available on this twin</p>
      <p>
        {props.what} {props.endpoint ? <>needs <code>{props.endpoint}</code>, which</> : 'is something'} this twin does not serve yet.
      </p>
      {props.detail && <p class="muted small">{props.detail}</p>}
    </div>
  );
}

// ---- forms

export function Field(props: { label: string; hint?: string; children: (id: string, describedBy?: string) => ComponentChildren; class?: string }) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  return (
    <div class={`field ${props.class ?? ''}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, hintId)}
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

export function Switch(props: { checked: boolean; label: string; onChange: (next: boolean) => void; disabled?: boolean; showLabel?: boolean; testid?: string }) {
  return (
    <button
      type="button"
      role="switch"
      class="switch"
      aria-checked={props.checked}
      aria-label={props.showLabel ? undefined : props.label}
      disabled={props.disabled}
      data-testid={props.testid}
      onClick={() => props.onChange(!props.checked)}
    >
      <span class="switch-track" aria-hidden="true">
        <span class="switch-thumb" />
      </span>
      {props.showLabel ? <span class="switch-label">{props.label}</span> : <span class="switch-state" aria-hidden="true">{props.checked ? 'On' : 'Off'}</span>}
    </button>
  );
}

/** Runs an action with a busy flag, announces success and shows failures. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = useCallback(async <T,>(fn: () => Promise<T>, success?: string): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await fn();
      if (success) announce(success);
      return result;
    } catch (err) {
      const message = describeError(err);
      setError(message);
      announce(`Failed: ${message}`);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

// ---- secrets and copying

export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection copy
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

export function CopyButton(props: { text: string; label: string; testid?: string; class?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class={`btn btn-small ${props.class ?? ''}`}
      aria-label={props.label}
      data-testid={props.testid}
      onClick={async () => {
        const ok = await copyText(props.text);
        setDone(ok);
        announce(ok ? 'Copied to the clipboard' : 'Copying failed: select the text and copy it by hand');
        setTimeout(() => setDone(false), 2000);
      }}
    >
      {done ? 'Copied' : 'Copy'}
    </button>
  );
}

/** A secret shown once (new key, new token): read-only, selectable, with a copy button. */
export function SecretValue(props: { label: string; value: string; testid?: string; note?: string }) {
  const id = useId();
  return (
    <div class="secret">
      <label for={id}>{props.label}</label>
      <div class="secret-row">
        <input id={id} class="mono" readOnly value={props.value} data-testid={props.testid} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={props.value} label={`Copy ${props.label}`} />
      </div>
      {props.note && <p class="hint">{props.note}</p>}
    </div>
  );
}

// ---- confirmation dialog (native <dialog>: focus trapped, Escape closes, focus returns)

interface ConfirmRequest {
  title: string;
  message: string;
  action: string;
  resolve: (ok: boolean) => void;
}

let showConfirm: ((r: ConfirmRequest) => void) | undefined;

export function confirmAction(title: string, message: string, action = 'Delete'): Promise<boolean> {
  return new Promise((resolve) => {
    if (!showConfirm) return resolve(window.confirm(message));
    showConfirm({ title, message, action, resolve });
  });
}

export function ConfirmHost() {
  const ref = useRef<HTMLDialogElement>(null);
  const [request, setRequest] = useState<ConfirmRequest | undefined>(undefined);
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    showConfirm = (r) => {
      opener.current = document.activeElement;
      setRequest(r);
    };
    return () => {
      showConfirm = undefined;
    };
  }, []);
  useEffect(() => {
    if (request && ref.current && !ref.current.open) ref.current.showModal();
  }, [request]);
  const close = (ok: boolean) => {
    request?.resolve(ok);
    setRequest(undefined);
    ref.current?.close();
    // HTML and SVG elements have focus(); the Element type does not say so
    (opener.current as HTMLElement | null)?.focus?.();
  };
  const titleId = useId();
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={titleId} onCancel={(e) => (e.preventDefault(), close(false))}>
      {request && (
        <form method="dialog" onSubmit={(e) => (e.preventDefault(), close(true))}>
          <h2 id={titleId}>{request.title}</h2>
          <p>{request.message}</p>
          <div class="actions">
            <button type="button" class="btn" onClick={() => close(false)} autofocus>
              Cancel
            </button>
            <button type="submit" class="btn btn-danger">
              {request.action}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

// ---- tables (real table semantics; stacked as cards on narrow screens, roles kept explicitly)

export interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
  /** hide the header visually (actions) */
  class?: string;
}

/** `detail`: what to show in a full-width row right under a row (e.g. the row's opened details), or nothing */
export function DataTable<T>(props: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  empty: ComponentChildren;
  testid?: string;
  captionVisible?: boolean;
  detail?: (row: T) => ComponentChildren | undefined;
}) {
  if (props.rows.length === 0) {
    return (
      <p class="empty" data-testid={props.testid ? `${props.testid}-empty` : undefined}>
        {props.empty}
      </p>
    );
  }
  return (
    <div class="table-wrap">
      <table class="data" role="table" data-testid={props.testid}>
        <caption class={props.captionVisible ? '' : 'visually-hidden'}>{props.caption}</caption>
        <thead role="rowgroup">
          <tr role="row">
            {props.columns.map((c) => (
              <th role="columnheader" scope="col" class={c.class}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {props.rows.map((row) => {
            const detail = props.detail?.(row);
            return (
              <Fragment key={props.rowKey(row)}>
                <tr role="row" data-row={props.rowKey(row)}>
                  {props.columns.map((c) => (
                    <td role="cell" data-label={c.header} class={c.class}>
                      <div class="cell">{c.cell(row)}</div>
                    </td>
                  ))}
                </tr>
                {detail !== undefined && (
                  <tr role="row" class="row-detail">
                    <td role="cell" colSpan={props.columns.length}>
                      {detail}
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function Time(props: { iso: string | undefined }) {
  if (!props.iso) return <span class="muted">—</span>;
  const d = new Date(props.iso);
  return (
    <time dateTime={props.iso} title={props.iso}>
      {Number.isNaN(d.getTime()) ? props.iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })}
    </time>
  );
}

export function Badge(props: { children: ComponentChildren; tone?: 'ok' | 'off' | 'warn' | 'info' | 'neutral' }) {
  return <span class={`badge badge-${props.tone ?? 'neutral'}`}>{props.children}</span>;
}

export function StatusCode(props: { status: number }) {
  const tone = props.status === 0 ? 'warn' : props.status < 300 ? 'ok' : props.status < 400 ? 'info' : props.status < 500 ? 'warn' : 'off';
  return <Badge tone={tone}>{props.status === 0 ? 'dropped' : props.status}</Badge>;
}

export function Json(props: { value: unknown; label: string }) {
  const text = typeof props.value === 'string' ? props.value : JSON.stringify(props.value, null, 2);
  return (
    <pre class="json" tabIndex={0} aria-label={props.label}>
      {text === undefined ? '(none)' : text}
    </pre>
  );
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string; level?: 2 | 3 }) {
  const headingId = useId();
  const H = props.level === 3 ? 'h3' : 'h2';
  return (
    <section class="card" aria-labelledby={headingId} id={props.id}>
      <div class="card-head">
        <H id={headingId}>{props.title}</H>
        {props.actions && <div class="card-actions">{props.actions}</div>}
      </div>
      {props.children}
    </section>
  );
}

/** a URL path that wraps only after its slashes */
export function PathText(props: { path: string }) {
  const parts = props.path.split('/');
  return (
    <code class="path">
      {parts.map((p, i) => (
        <>
          {i > 0 && '/'}
          {i > 0 && <wbr />}
          {p}
        </>
      ))}
    </code>
  );
}

export function shortId(id: string | undefined | null): string {
  if (!id) return '—';
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}
