import { useState } from 'preact/hooks';
import { adminApi } from '../api/admin.ts';
import type { JournalEntry, Stub, StubInput } from '../api/types.ts';
import { Page } from '../components/page.tsx';
import { Badge, confirmAction, DataTable, Field, LoadError, Notice, Section, useAction, useAsync, type Async } from '../components/ui.tsx';

/**
 * Response stubs (GET/POST/DELETE /__admin/stubs): the list in match order, a form to add one —
 * prefilled from a request-journal entry when opened with ?from=<entry id> — and removal.
 */

export function StubsPage(props: { query: URLSearchParams }) {
  const stubs = useAsync(() => adminApi.stubs(), []);
  const from = Number(props.query.get('from') ?? '');
  return (
    <Page title="Response stubs" lead="Answers you define, given instead of the stateful handler to matching requests (after auth, unless made to match before it). They change no state.">
      <StubsSection stubs={stubs} />
      <AddStub fromEntry={Number.isInteger(from) && from > 0 ? from : undefined} onAdded={stubs.reload} />
    </Page>
  );
}

function summary(s: Stub): string {
  const r = s.request ?? {};
  const parts = [
    ...Object.entries(r.params ?? {}).map(([k, p]) => `${k} ${describe(p)}`),
    ...Object.entries(r.query ?? {}).map(([k, p]) => `?${k} ${describe(p)}`),
    ...Object.entries(r.headers ?? {}).map(([k, p]) => `${k}: ${describe(p)}`),
    ...(r.body ?? []).map((p) => `${p.path ?? 'body'} ${describe(p)}`),
  ];
  return parts.join(', ') || 'any request';
}

function describe(p: { equals?: unknown; partial?: unknown; matches?: string; present?: boolean }): string {
  if ('equals' in p) return `= ${JSON.stringify(p.equals)}`;
  if (p.partial !== undefined) return `⊇ ${JSON.stringify(p.partial)}`;
  if (p.matches !== undefined) return `~ /${p.matches}/`;
  return p.present === false ? 'absent' : 'present';
}

function StubsSection(props: { stubs: Async<Stub[]> }) {
  const { stubs } = props;
  const action = useAction();
  const remove = async (s: Stub) => {
    const ok = await action.run(() => adminApi.removeStub(s.id).then(() => true), 'Stub removed');
    if (ok) await stubs.reload();
  };
  return (
    <Section
      title="Stubs in match order"
      actions={
        <>
          <button type="button" class="btn btn-small" onClick={stubs.reload}>
            Refresh
          </button>
          <button
            type="button"
            class="btn btn-small btn-danger"
            disabled={!stubs.data?.length}
            onClick={async () => {
              if (!(await confirmAction('Remove every stub?', 'The twin answers from its state again.', 'Remove all'))) return;
              const ok = await action.run(() => adminApi.clearStubs().then(() => true), 'Every stub removed');
              if (ok) await stubs.reload();
            }}
          >
            Remove all
          </button>
        </>
      }
    >
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {stubs.error ? (
        <LoadError error={stubs.error} what="Stubs" endpoint="GET /__admin/stubs" onRetry={stubs.reload} />
      ) : !stubs.data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <DataTable
          caption="Stubs, highest priority first, newest first among equals"
          testid="stubs"
          rows={stubs.data}
          rowKey={(s) => s.id}
          empty="No stubs: the twin answers from its state."
          columns={[
            { header: 'Name', cell: (s) => s.name ?? <span class="muted">—</span> },
            { header: 'Vendor', cell: (s) => <Badge>{s.vendor}</Badge> },
            { header: 'Operation', cell: (s) => s.operationId },
            { header: 'Matches', cell: (s) => `${summary(s)}${s.tenant ? ` (tenant ${s.tenant})` : ''}${s.beforeAuth ? ' — before auth' : ''}` },
            { header: 'Answers', cell: (s) => `${s.response.status}${s.response.envelope ? ' in the envelope' : ''}` },
            { header: 'Priority', cell: (s) => s.priority ?? 0 },
            { header: 'Times', cell: (s) => (s.times === undefined ? 'until removed' : `${s.times} left`) },
            { header: 'Matched', cell: (s) => s.matched },
            {
              header: 'Actions',
              class: 'actions-col',
              cell: (s) => (
                <button type="button" class="btn btn-small btn-danger" onClick={() => remove(s)} aria-label={`Remove the stub of ${s.operationId}${s.name ? ` (${s.name})` : ''}`}>
                  Remove
                </button>
              ),
            },
          ]}
        />
      )}
    </Section>
  );
}

/** the stub that answers a request like this journal entry exactly as the twin did */
function stubFromEntry(e: JournalEntry): StubInput | undefined {
  if (!e.operationId || (e.vendor !== 'synqly' && e.vendor !== 'connxio' && e.vendor !== 'custom')) return undefined;
  const contentType = e.responseHeaders?.['content-type'];
  return {
    name: `from request #${e.id}`,
    vendor: e.vendor,
    operationId: e.operationId,
    response: { status: e.status, ...(e.responseBody !== undefined ? { body: e.responseBody } : {}), ...(contentType ? { headers: { 'content-type': contentType } } : {}) },
  };
}

function AddStub(props: { fromEntry?: number; onAdded: () => Promise<void> }) {
  const entry = useAsync(() => (props.fromEntry ? adminApi.requests({ since: props.fromEntry - 1, limit: 1000 }).then((all) => all.find((e) => e.id === props.fromEntry)) : Promise.resolve(undefined)), [props.fromEntry]);
  const template = entry.data ? stubFromEntry(entry.data) : undefined;
  const example: StubInput = { vendor: 'synqly', operationId: 'accounts_list', response: { status: 200, envelope: true, body: [] } };
  const [text, setText] = useState<string | undefined>(undefined);
  const action = useAction();
  const value = text ?? JSON.stringify(template ?? example, null, 2);
  return (
    <Section title={template ? `Add a stub from request #${props.fromEntry}` : 'Add a stub'}>
      {props.fromEntry && entry.data === undefined && !entry.error && entry.loading === false && <Notice kind="warning">Request #{props.fromEntry} is no longer in the journal.</Notice>}
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          let body: StubInput;
          try {
            body = JSON.parse(value) as StubInput; // the twin validates the stub and answers with what is wrong
          } catch (err) {
            action.setError(`The stub is not JSON: ${err instanceof Error ? err.message : String(err)}`);
            return;
          }
          const ok = await action.run(() => adminApi.addStub(body), 'Stub added');
          if (ok) {
            setText(undefined);
            await props.onAdded();
          }
        }}
      >
        <Field label="Stub (JSON, as POST /__admin/stubs takes it)" hint="vendor, operationId, optional request predicates (params, query, headers, body), response {status, body, envelope}, times, priority, unchecked.">
          {(id, describedBy) => <textarea id={id} aria-describedby={describedBy} rows={14} spellcheck={false} value={value} onInput={(e) => setText(e.currentTarget.value)} data-testid="stub-json" />}
        </Field>
        <button type="submit" class="btn btn-primary" disabled={action.busy}>
          Add stub
        </button>
      </form>
    </Section>
  );
}
