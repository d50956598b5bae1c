import { useEffect, useState } from 'preact/hooks';
import { adminApi } from '../api/admin.ts';
import type { Clock, FaultAction, FaultRequest, FaultRule } from '../api/types.ts';
import { Page } from '../components/page.tsx';
import { usePolling } from '../components/poll.ts';
import { Badge, confirmAction, DataTable, Field, LoadError, Notice, Section, useAction, useAsync } from '../components/ui.tsx';

/** Fault rules (GET/POST/DELETE /__admin/faults) and the twin's clock (GET/PUT /__admin/clock, POST …/advance). */

export function FaultsPage() {
  return (
    <Page title="Faults and clock" lead="Make the twin fail on purpose, and move its time (token expiry, schedules). Both apply to every tenant.">
      <ClockSection />
      <FaultsSection />
    </Page>
  );
}

function describeAction(a: FaultAction): string {
  switch (a.type) {
    case 'status':
      return `answer ${a.status}${a.message ? ` “${a.message}”` : ''}`;
    case 'throttle':
      return `429, Retry-After ${a.retryAfterSeconds}s`;
    case 'delay':
      return `wait ${a.ms} ms`;
    case 'uniform-delay':
      return `wait ${a.minMs}–${a.maxMs} ms`;
    case 'connection-reset':
      return 'reset the connection';
    case 'empty-response':
      return 'close without a response';
  }
}

function FaultsSection() {
  const faults = useAsync(() => adminApi.faults(), []);
  const action = useAction();
  const remove = async (f: FaultRule) => {
    const ok = await action.run(() => adminApi.removeFault(f.id).then(() => true), 'Fault removed');
    if (ok) await faults.reload();
  };
  return (
    <>
      <Section
        title="Fault rules"
        actions={
          <>
            <button type="button" class="btn btn-small" onClick={faults.reload}>
              Refresh
            </button>
            <button
              type="button"
              class="btn btn-small btn-danger"
              disabled={!faults.data?.length}
              onClick={async () => {
                if (!(await confirmAction('Remove every fault rule?', 'The twin answers normally again.', 'Remove all'))) return;
                const ok = await action.run(() => adminApi.clearFaults().then(() => true), 'Every fault rule removed');
                if (ok) await faults.reload();
              }}
            >
              Remove all
            </button>
          </>
        }
      >
        {action.error && <Notice kind="error">{action.error}</Notice>}
        {faults.error ? (
          <LoadError error={faults.error} what="Fault rules" endpoint="GET /__admin/faults" onRetry={faults.reload} />
        ) : !faults.data ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <DataTable
            caption="Fault rules in match order"
            testid="faults"
            rows={faults.data}
            rowKey={(f) => f.id}
            empty="No fault rules: the twin answers normally."
            columns={[
              { header: 'Vendor', cell: (f) => <Badge>{f.vendor}</Badge> },
              { header: 'Operation', cell: (f) => f.operationId ?? <span class="muted">every operation</span> },
              { header: 'Action', cell: (f) => describeAction(f.action) },
              { header: 'Times', cell: (f) => (f.times === undefined ? 'until removed' : `${f.times} left`) },
              { header: 'Matched', cell: (f) => f.matched },
              {
                header: 'Actions',
                class: 'actions-col',
                cell: (f) => (
                  <button type="button" class="btn btn-small btn-danger" onClick={() => remove(f)} aria-label={`Remove the ${f.vendor} ${f.operationId ?? 'every operation'} fault`}>
                    Remove
                  </button>
                ),
              },
            ]}
          />
        )}
      </Section>
      <AddFault onAdded={faults.reload} />
    </>
  );
}

function AddFault(props: { onAdded: () => Promise<void> }) {
  const [vendor, setVendor] = useState<FaultRequest['vendor']>('synqly');
  const [operationId, setOperationId] = useState('');
  const [type, setType] = useState<FaultAction['type']>('status');
  const [status, setStatus] = useState('503');
  const [message, setMessage] = useState('');
  const [retryAfter, setRetryAfter] = useState('2');
  const [ms, setMs] = useState('1000');
  const [minMs, setMinMs] = useState('100');
  const [maxMs, setMaxMs] = useState('1000');
  const [times, setTimes] = useState('');
  const [known, setKnown] = useState<Array<{ operationId: string; method: string; path: string }>>([]);
  const action = useAction();

  // the operation field completes from the vendor's spec (the twin refuses an operationId the spec lacks)
  useEffect(() => {
    let current = true;
    adminApi.operations(vendor).then(
      (ops) => current && setKnown(ops),
      () => current && setKnown([]),
    );
    return () => {
      current = false;
    };
  }, [vendor]);

  const build = (): FaultAction => {
    switch (type) {
      case 'status':
        return { type, status: Number(status), ...(message.trim() ? { message: message.trim() } : {}) };
      case 'throttle':
        return { type, retryAfterSeconds: Number(retryAfter) };
      case 'delay':
        return { type, ms: Number(ms) };
      case 'uniform-delay':
        return { type, minMs: Number(minMs), maxMs: Number(maxMs) };
      default:
        return { type };
    }
  };

  return (
    <Section title="Add a fault rule">
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body: FaultRequest = { vendor, action: build(), ...(operationId.trim() ? { operationId: operationId.trim() } : {}), ...(times.trim() ? { times: Number(times) } : {}) };
          const ok = await action.run(() => adminApi.addFault(body), 'Fault rule added');
          if (ok) await props.onAdded();
        }}
      >
        <div class="form-row">
          <Field label="Vendor">
            {(id) => (
              <select id={id} value={vendor} onChange={(e) => setVendor(e.currentTarget.value as FaultRequest['vendor'])}>{/* the options are the union's values */}
                <option value="synqly">Synqly</option>
                <option value="connxio">Connxio</option>
                <option value="custom">Connxio Custom APIs</option>
              </select>
            )}
          </Field>
          <Field label="Operation id" hint="Empty: every operation of the vendor.">
            {(id, hint) => (
              <>
                <input id={id} aria-describedby={hint} value={operationId} placeholder="accounts_list" list={`${id}-operations`} autoComplete="off" onInput={(e) => setOperationId(e.currentTarget.value)} />
                <datalist id={`${id}-operations`} data-testid="operation-options">
                  {known.map((op) => (
                    <option key={op.operationId} value={op.operationId}>{`${op.method} ${op.path}`}</option>
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field label="Action">
            {(id) => (
              <select id={id} value={type} onChange={(e) => setType(e.currentTarget.value as FaultAction['type'])}>{/* the options are the union's values */}
                <option value="status">Answer an error status</option>
                <option value="throttle">Throttle (429 with Retry-After)</option>
                <option value="delay">Delay</option>
                <option value="uniform-delay">Random delay</option>
                <option value="connection-reset">Reset the connection</option>
                <option value="empty-response">Close without a response</option>
              </select>
            )}
          </Field>
        </div>
        <div class="form-row">
          <Field label="Times" hint="Empty: until removed.">
            {(id, hint) => <input id={id} aria-describedby={hint} type="number" min={1} size={6} value={times} onInput={(e) => setTimes(e.currentTarget.value)} />}
          </Field>
          {type === 'status' && (
            <>
              <Field label="Status">{(id) => <input id={id} type="number" min={400} max={599} required value={status} onInput={(e) => setStatus(e.currentTarget.value)} />}</Field>
              <Field label="Message">{(id) => <input id={id} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />}</Field>
            </>
          )}
          {type === 'throttle' && <Field label="Retry-After (seconds)">{(id) => <input id={id} type="number" min={0} required value={retryAfter} onInput={(e) => setRetryAfter(e.currentTarget.value)} />}</Field>}
          {type === 'delay' && <Field label="Delay (ms)">{(id) => <input id={id} type="number" min={0} max={60000} required value={ms} onInput={(e) => setMs(e.currentTarget.value)} />}</Field>}
          {type === 'uniform-delay' && (
            <>
              <Field label="Shortest delay (ms)">{(id) => <input id={id} type="number" min={0} max={60000} required value={minMs} onInput={(e) => setMinMs(e.currentTarget.value)} />}</Field>
              <Field label="Longest delay (ms)">{(id) => <input id={id} type="number" min={0} max={60000} required value={maxMs} onInput={(e) => setMaxMs(e.currentTarget.value)} />}</Field>
            </>
          )}
        </div>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <button type="submit" class="btn btn-primary" disabled={action.busy}>
          Add fault rule
        </button>
      </form>
    </Section>
  );
}

function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function ClockSection() {
  const [duration, setDuration] = useState('25h');
  const [at, setAt] = useState('');
  const action = useAction();
  const {
    data: clock,
    error,
    setData: setClock,
  } = usePolling(() => adminApi.clock(), [], { intervalMs: 5000, onData: (c) => setAt((old) => old || toLocalInput(c.now)) });

  const offsetMs = clock ? Date.parse(clock.now) - Date.now() : 0;
  const offsetText = Math.abs(offsetMs) < 2000 ? 'real time' : `${offsetMs > 0 ? '+' : '−'}${formatDuration(Math.abs(offsetMs))} from this computer's time`;

  const apply = async (fn: () => Promise<Clock>, message: string) => {
    const c = await action.run(fn, message);
    if (c) setClock(c);
  };

  return (
    <Section title="Clock">
      {error ? (
        <LoadError error={error} what="The clock" endpoint="GET /__admin/clock" />
      ) : !clock ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <p class="clock" data-testid="clock">
            Twin time: <time dateTime={clock.now}>{new Date(clock.now).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'medium' })}</time>{' '}
            <Badge tone={Math.abs(offsetMs) < 2000 ? 'ok' : 'warn'}>{offsetText}</Badge> {clock.frozen && <Badge tone="info">frozen</Badge>}
          </p>
          {action.error && <Notice kind="error">{action.error}</Notice>}
          <div class="clock-forms">
            <form
              class="form inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void apply(() => adminApi.advanceClock(duration.trim()), `Clock moved forward by ${duration}`);
              }}
            >
              <Field label="Move forward by" hint="e.g. 30m, 25h, 7d">
                {(id, hint) => <input id={id} aria-describedby={hint} required pattern="([0-9]+(\.[0-9]+)?(ms|s|m|h|d))+" value={duration} onInput={(e) => setDuration(e.currentTarget.value)} />}
              </Field>
              <button type="submit" class="btn btn-primary" disabled={action.busy}>
                Advance
              </button>
              <div class="quick" role="group" aria-label="Quick advance">
                {['1h', '25h', '7d'].map((d) => (
                  <button type="button" class="btn btn-small" onClick={() => apply(() => adminApi.advanceClock(d), `Clock moved forward by ${d}`)}>
                    +{d}
                  </button>
                ))}
              </div>
            </form>
            <form
              class="form inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void apply(() => adminApi.setClock(new Date(at).toISOString()), 'Clock set');
              }}
            >
              <Field label="Set to (your time zone)">{(id) => <input id={id} type="datetime-local" required value={at} onInput={(e) => setAt(e.currentTarget.value)} />}</Field>
              <button type="submit" class="btn" disabled={action.busy}>
                Set
              </button>
              <button type="button" class="btn" onClick={() => apply(() => adminApi.setClock(new Date().toISOString()), 'Clock back to real time')}>
                Back to real time
              </button>
            </form>
          </div>
        </>
      )}
    </Section>
  );
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`].filter(Boolean).join(' ') || `${s}s`;
}
