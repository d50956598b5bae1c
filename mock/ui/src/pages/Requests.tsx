import { useEffect, useRef, useState } from 'preact/hooks';
import { adminApi } from '../api/admin.ts';
import { describeError, isAbort } from '../api/http.ts';
import type { JournalEntry } from '../api/types.ts';
import { Page } from '../components/page.tsx';
import { Badge, confirmAction, DataTable, Field, Json, Link, LoadError, Notice, PathText, Section, StatusCode, Switch, useAction } from '../components/ui.tsx';
import { setQuery } from '../router.ts';

/**
 * The request journal (GET /__admin/requests): every request each listener answered, newest first,
 * secrets already redacted by the twin. Filters go to the control API; "live" polls for entries
 * newer than the newest shown.
 */

const POLL_MS = 1500;
const PAGE_ROWS = 50;

interface Filters {
  vendor: string;
  method: string;
  status: string;
  operationId: string;
  path: string;
  hideAdmin: boolean;
  hideDashboard: boolean;
}

/** the dashboard's own vendor calls carry X-Apitwin-Client: dashboard (api/vendors.ts), which the journal keeps */
const fromDashboard = (e: JournalEntry) => e.requestHeaders?.['x-apitwin-client'] === 'dashboard';

export function RequestsPage(props: { query: URLSearchParams }) {
  const [filters, setFilters] = useState<Filters>({
    vendor: props.query.get('vendor') ?? '',
    method: props.query.get('method') ?? '',
    status: props.query.get('status') ?? '',
    operationId: props.query.get('operationId') ?? '',
    path: props.query.get('path') ?? '',
    hideAdmin: props.query.get('admin') !== 'show',
    hideDashboard: props.query.get('dashboard') === 'hide',
  });
  const [live, setLive] = useState(props.query.get('live') !== 'off');
  const [entries, setEntries] = useState<JournalEntry[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [selected, setSelected] = useState<JournalEntry | undefined>(undefined);
  const action = useAction();
  const newest = useRef(0);

  const serverQuery = () => ({
    vendor: filters.vendor || undefined,
    method: filters.method || undefined,
    status: /^\d+$/.test(filters.status) ? Number(filters.status) : undefined,
    operationId: filters.operationId.trim() || undefined,
    path: filters.path.trim() || undefined,
    limit: 200,
  });
  const visible = (e: JournalEntry) => !(filters.hideAdmin && !filters.vendor && e.vendor === 'admin') && !(filters.hideDashboard && e.vendor !== 'admin' && fromDashboard(e));

  // full load whenever the filters change
  useEffect(() => {
    setQuery({
      vendor: filters.vendor,
      method: filters.method,
      status: filters.status,
      operationId: filters.operationId,
      path: filters.path,
      admin: filters.hideAdmin ? undefined : 'show',
      dashboard: filters.hideDashboard ? 'hide' : undefined,
      live: live ? undefined : 'off',
    });
    const c = new AbortController();
    const t = setTimeout(async () => {
      try {
        const list = await adminApi.requests(serverQuery(), c.signal);
        newest.current = list[0]?.id ?? newest.current;
        setEntries(list);
        setError(undefined);
      } catch (err) {
        if (!isAbort(err)) setError(err);
      }
    }, 200);
    return () => {
      clearTimeout(t);
      c.abort();
    };
  }, [filters.vendor, filters.method, filters.status, filters.operationId, filters.path, filters.hideAdmin, filters.hideDashboard, live]);

  // live: only what is newer than the newest entry seen
  useEffect(() => {
    if (!live) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        const fresh = await adminApi.requests({ ...serverQuery(), since: newest.current || undefined });
        if (!stopped && fresh.length > 0) {
          newest.current = Math.max(newest.current, fresh[0]!.id);
          setEntries((old) => [...fresh, ...(old ?? [])].slice(0, 1000));
        }
      } catch {
        // shown on the next full load
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [live, filters.vendor, filters.method, filters.status, filters.operationId, filters.path]);

  const set = (patch: Partial<Filters>) => setFilters({ ...filters, ...patch });
  const [shown, setShown] = useState(PAGE_ROWS);
  const matching = (entries ?? []).filter(visible);
  const rows = matching.slice(0, shown);

  const detailOf = (entry: JournalEntry) => (
    <section class="card" id="entry-detail" tabIndex={-1} aria-labelledby="entry-detail-title" data-testid="entry-detail">
      <div class="card-head">
        <h3 id="entry-detail-title">
          Request {entry.id}: {entry.method} {entry.path}
        </h3>
        <button type="button" class="btn btn-small" onClick={() => setSelected(undefined)}>
          Close
        </button>
      </div>
      <p>
        {entry.listener} listener · {entry.operationId ?? 'no operation'} · status <StatusCode status={entry.status} /> · {entry.durationMs} ms · <time dateTime={entry.at}>{entry.at}</time>
      </p>
      <div class="detail-grid">
        <div>
          <h4>Request headers</h4>
          <Json value={entry.requestHeaders ?? {}} label="Request headers" />
          {entry.query && Object.keys(entry.query).length > 0 && (
            <>
              <h4>Query</h4>
              <Json value={entry.query} label="Query" />
            </>
          )}
          <h4>Request body</h4>
          <Json value={entry.requestBody ?? '(none)'} label="Request body" />
        </div>
        <div>
          <h4>Response headers</h4>
          <Json value={entry.responseHeaders ?? {}} label="Response headers" />
          <h4>Response body</h4>
          <Json value={entry.responseBody ?? '(none)'} label="Response body" />
        </div>
      </div>
    </section>
  );

  const open = (e: JournalEntry) => {
    if (selected?.id === e.id) return setSelected(undefined);
    setSelected(e);
    requestAnimationFrame(() => document.getElementById('entry-detail')?.focus());
  };

  return (
    <Page
      title="Request journal"
      lead="Every request the twin answered on any listener, newest first. Secrets (authorization headers, keys, tokens, passwords) are redacted by the twin before they are kept."
      actions={
        <button
          type="button"
          class="btn btn-danger"
          onClick={async () => {
            if (!(await confirmAction('Clear the request journal?', 'Every entry is removed from the twin.', 'Clear'))) return;
            const ok = await action.run(() => adminApi.clearRequests().then(() => true), 'Request journal cleared');
            if (ok) {
              setEntries([]);
              setSelected(undefined);
            }
          }}
        >
          Clear journal
        </button>
      }
    >
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <Section title="Filters">
        <form class="filters" role="search" aria-label="Request journal" onSubmit={(e) => e.preventDefault()}>
          <div class="form-row">
            <Field label="Vendor">
              {(id) => (
                <select id={id} value={filters.vendor} onChange={(e) => set({ vendor: e.currentTarget.value })}>
                  <option value="">All</option>
                  <option value="synqly">Synqly</option>
                  <option value="connxio">Connxio</option>
                  <option value="custom">Connxio Custom APIs</option>
                  <option value="admin">Control API</option>
                </select>
              )}
            </Field>
            <Field label="Method">
              {(id) => (
                <select id={id} value={filters.method} onChange={(e) => set({ method: e.currentTarget.value })}>
                  <option value="">Any</option>
                  {['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => (
                    <option value={m}>{m}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Status">{(id) => <input id={id} inputMode="numeric" pattern="[0-9]*" size={5} value={filters.status} onInput={(e) => set({ status: e.currentTarget.value })} />}</Field>
            <Field label="Operation id">{(id) => <input id={id} value={filters.operationId} onInput={(e) => set({ operationId: e.currentTarget.value })} />}</Field>
            <Field label="Path contains">{(id) => <input id={id} value={filters.path} onInput={(e) => set({ path: e.currentTarget.value })} />}</Field>
          </div>
          <div class="switches">
            <label class="checkbox">
              <input type="checkbox" checked={filters.hideAdmin} onChange={(e) => set({ hideAdmin: e.currentTarget.checked })} /> Hide control-API calls
            </label>
            <label class="checkbox">
              <input type="checkbox" checked={filters.hideDashboard} onChange={(e) => set({ hideDashboard: e.currentTarget.checked })} /> Hide the dashboard's own API calls
            </label>
            <Switch checked={live} label="Live (new requests appear as they arrive)" showLabel onChange={setLive} testid="live" />
          </div>
        </form>
      </Section>
      <Section title="Requests">
        {error ? (
          <LoadError error={error} what="The request journal" endpoint="GET /__admin/requests" />
        ) : !entries ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <DataTable
            caption="Requests, newest first"
            testid="requests"
            rows={rows}
            rowKey={(e) => String(e.id)}
            detail={(e) => (selected?.id === e.id ? detailOf(e) : undefined)}
            empty="No requests match."
            columns={[
              { header: '#', cell: (e) => e.id },
              { header: 'Time', cell: (e) => <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time> },
              { header: 'Vendor', cell: (e) => <Badge>{e.vendor}</Badge> },
              { header: 'Method', cell: (e) => <span class={`method method-${e.method.toLowerCase()}`}>{e.method}</span> },
              { header: 'Path', cell: (e) => <PathText path={e.path} /> },
              { header: 'Operation', cell: (e) => e.operationId ?? <span class="muted">—</span> },
              { header: 'Status', cell: (e) => <StatusCode status={e.status} /> },
              { header: 'Time taken', cell: (e) => `${e.durationMs} ms` },
              {
                header: 'Details',
                class: 'actions-col',
                cell: (e) => (
                  <>
                    <button type="button" class="btn btn-small" aria-label={`Details of request ${e.id}: ${e.method} ${e.path}`} aria-expanded={selected?.id === e.id} aria-controls="entry-detail" onClick={() => open(e)}>
                      Details
                    </button>
                    {e.operationId && e.vendor !== 'admin' && (
                      <Link class="btn btn-small" href={`/__ui/stubs?from=${e.id}`} aria-label={`Make a stub of request ${e.id}'s answer`}>
                        Stub it
                      </Link>
                    )}
                    {e.stub && <Badge tone="info">stub</Badge>}
                  </>
                ),
              },
            ]}
          />
        )}
        {matching.length > rows.length && (
          <p class="more">
            <span class="muted">
              Showing {rows.length} of {matching.length}.
            </span>{' '}
            <button type="button" class="btn btn-small" onClick={() => setShown(shown + PAGE_ROWS)}>
              Show {Math.min(PAGE_ROWS, matching.length - rows.length)} more
            </button>
          </p>
        )}
      </Section>
      {error !== undefined && entries && <p class="muted">{describeError(error)}</p>}
    </Page>
  );
}
