import { useEffect, useState } from 'preact/hooks';
import { adminApi } from '../api/admin.ts';
import { hrefOn, LISTENER_LABEL } from '../api/listeners.ts';
import type { ConnxioIntegration, DeliveredMessage, Tenant } from '../api/types.ts';
import { connxio } from '../api/vendors.ts';
import { Page } from '../components/page.tsx';
import { usePolling } from '../components/poll.ts';
import { Badge, confirmAction, DataTable, Field, Json, LoadError, Notice, Section, shortId, Switch, useAction, useAsync } from '../components/ui.tsx';
import { integrationLabel, isApiTriggered } from './ConnxioIntegrations.tsx';
import { setQuery } from '../router.ts';
import { useAppState } from '../state.tsx';

/** The Connxio message journal (GET /__admin/connxio/messages): messages accepted for integrations. */

const POLL_MS = 2000;

export function MessagesPage(props: { query: URLSearchParams }) {
  const state = useAppState();
  const companies = state.tenants.filter((t) => t.vendor === 'connxio');
  const [companyId, setCompanyId] = useState(props.query.get('companyId') ?? '');
  const [integrationId, setIntegrationId] = useState(props.query.get('integrationId') ?? '');
  const [channel, setChannel] = useState(props.query.get('channel') ?? '');
  const [live, setLive] = useState(props.query.get('live') !== 'off');
  const [selected, setSelected] = useState<DeliveredMessage | undefined>(undefined);
  const action = useAction();

  useEffect(() => {
    setQuery({ companyId, integrationId, channel, live: live ? undefined : 'off' });
  }, [companyId, integrationId, channel, live]);
  const load = () => adminApi.messages({ companyId: companyId || undefined, integrationId: integrationId.trim() || undefined, channel: channel || undefined, limit: 200 });
  const {
    data: messages,
    error,
    setData: setMessages,
  } = usePolling(
    load,
    [companyId, integrationId, channel],
    { intervalMs: POLL_MS, live, firstDelayMs: 150 },
  );

  const companyName = (id: string) => companies.find((c) => c.id === id)?.name ?? shortId(id);
  const open = (m: DeliveredMessage) => {
    setSelected(m);
    requestAnimationFrame(() => document.getElementById('message-detail')?.focus());
  };

  return (
    <Page
      title="Message journal"
      lead="Messages the twin accepted for Connxio integrations, through the Messaging API and Custom APIs, newest first."
      actions={
        <button
          type="button"
          class="btn btn-danger"
          onClick={async () => {
            if (!(await confirmAction('Clear the message journal?', companyId ? `The messages of ${companyName(companyId)} are removed.` : 'Every message is removed.', 'Clear'))) return;
            const ok = await action.run(() => adminApi.clearMessages({ companyId: companyId || undefined }).then(() => true), 'Message journal cleared');
            if (ok) {
              setMessages([]);
              setSelected(undefined);
            }
          }}
        >
          Clear
        </button>
      }
    >
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <Section title="Filters">
        <form class="filters" role="search" aria-label="Message journal" onSubmit={(e) => e.preventDefault()}>
          <div class="form-row">
            <Field label="Company">
              {(id) => (
                <select id={id} value={companyId} onChange={(e) => setCompanyId(e.currentTarget.value)}>
                  <option value="">All</option>
                  {companies.map((c) => (
                    <option value={c.id}>{c.name}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Integration id">{(id) => <input id={id} class="mono" value={integrationId} onInput={(e) => setIntegrationId(e.currentTarget.value)} />}</Field>
            <Field label="Channel">
              {(id) => (
                <select id={id} value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
                  <option value="">Any</option>
                  <option value="message">message</option>
                  <option value="batch">batch</option>
                  <option value="eventgrid">eventgrid</option>
                  <option value="custom-api">custom-api</option>
                  <option value="resend">resend</option>
                </select>
              )}
            </Field>
          </div>
          <Switch checked={live} label="Live (refresh every 2 seconds)" showLabel onChange={setLive} />
        </form>
      </Section>
      {companies.length > 0 && (
        <Section title="Send a test message">
          <SendTestMessage companies={companies} companyId={companyId} onSent={() => void load().then(setMessages, () => undefined)} />
        </Section>
      )}
      <Section title="Messages">
        {error ? (
          <LoadError error={error} what="The message journal" endpoint="GET /__admin/connxio/messages" />
        ) : !messages ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <DataTable
            caption="Messages, newest first"
            testid="messages"
            rows={messages}
            rowKey={(m) => String(m.id)}
            empty="No messages yet. Send one to an API-triggered integration (POST /v2/messages/{integrationId}) or call a Custom API."
            columns={[
              { header: '#', cell: (m) => m.id },
              { header: 'Time', cell: (m) => <time dateTime={m.at}>{new Date(m.at).toLocaleTimeString()}</time> },
              { header: 'Company', cell: (m) => companyName(m.companyId) },
              { header: 'Integration', cell: (m) => <code title={m.integrationId}>{shortId(m.integrationId)}</code> },
              { header: 'Channel', cell: (m) => <Badge tone={m.channel === 'custom-api' ? 'info' : 'neutral'}>{m.channel}</Badge> },
              { header: 'Via', cell: (m) => (m.customApi ? <code>{`${m.customApi.method} ${m.customApi.path}`}</code> : m.apiVersion ?? '—') },
              { header: 'Auth', cell: (m) => m.auth },
              { header: 'Body', cell: (m) => <code class="preview">{m.body.length > 60 ? `${m.body.slice(0, 60)}…` : m.body}</code> },
              {
                header: 'Details',
                class: 'actions-col',
                cell: (m) => (
                  <button type="button" class="btn btn-small" aria-label={`Details of message ${m.id}`} aria-controls="message-detail" onClick={() => open(m)}>
                    Details
                  </button>
                ),
              },
            ]}
          />
        )}
      </Section>
      {selected && (
        <section class="card" id="message-detail" tabIndex={-1} aria-labelledby="message-detail-title">
          <div class="card-head">
            <h2 id="message-detail-title">Message {selected.id}</h2>
            <button type="button" class="btn btn-small" onClick={() => setSelected(undefined)}>
              Close
            </button>
          </div>
          <dl class="facts">
            <div>
              <dt>Interchange id</dt>
              <dd>
                <code>{selected.interchangeId}</code>
              </dd>
            </div>
            <div>
              <dt>Integration</dt>
              <dd>
                <code>{selected.integrationId}</code>
              </dd>
            </div>
            <div>
              <dt>Content type</dt>
              <dd>{selected.contentType ?? '—'}</dd>
            </div>
            <div>
              <dt>Encoding</dt>
              <dd>{selected.messageEncoding}</dd>
            </div>
            <div>
              <dt>Synchronous</dt>
              <dd>{selected.synchronous ? 'yes' : 'no'}</dd>
            </div>
          </dl>
          <h3>Body</h3>
          <Json value={selected.body} label="Message body" />
          <h3>User properties (cx-* headers)</h3>
          <Json value={selected.preDefinedUserProperties} label="User properties" />
          {selected.customApi && (
            <>
              <h3>Custom API</h3>
              <Json value={selected.customApi} label="Custom API route" />
            </>
          )}
        </section>
      )}
    </Page>
  );
}

/**
 * A test message to one of a company's API-triggered integrations, sent as a client would:
 * POST /v2/messages/{integrationId} on the Connxio listener with the company's key and a bearer.
 */
function SendTestMessage(props: { companies: Tenant[]; companyId: string; onSent: () => void }) {
  const state = useAppState();
  const onConnxio = state.listeners?.current === 'connxio';
  const [tenantId, setTenantId] = useState(props.companyId || props.companies[0]?.id || '');
  const tenant = props.companies.find((c) => c.id === tenantId);
  const integrations = useAsync(
    async () => (onConnxio && tenant ? (await connxio<ConnxioIntegration[]>(tenant, '/v2/integrations')).filter(isApiTriggered) : []),
    [tenantId, onConnxio],
  );
  const [integrationId, setIntegrationId] = useState('');
  const [contentType, setContentType] = useState('application/json');
  const [body, setBody] = useState('{\n  "hello": "from the dashboard"\n}');
  const action = useAction();
  const chosen = integrationId || integrations.data?.[0]?.id || '';

  useEffect(() => {
    if (props.companyId) setTenantId(props.companyId);
  }, [props.companyId]);

  if (!onConnxio) {
    const href = hrefOn('connxio', location.pathname + location.search);
    return (
      <p class="muted">
        Messages are sent through the Connxio API, on the {LISTENER_LABEL.connxio}.{' '}
        {href.startsWith('/') ? null : <a href={href}>Open the message journal there to send one.</a>}
      </p>
    );
  }
  return (
    <form
      class="form"
      aria-label="Send a test message"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!tenant || !chosen) return;
        const sent = await action.run(
          () => connxio(tenant, `/v2/messages/${encodeURIComponent(chosen)}`, { method: 'POST', body, headers: { 'content-type': contentType } }).then(() => true),
          'Test message sent',
        );
        if (sent) props.onSent();
      }}
    >
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <div class="form-row">
        <Field label="Company to send as">
          {(id) => (
            <select id={id} value={tenantId} onChange={(e) => (setTenantId(e.currentTarget.value), setIntegrationId(''))}>
              {props.companies.map((c) => (
                <option value={c.id}>{c.name}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Integration to send to">
          {(id) => (
            <select id={id} value={chosen} disabled={!integrations.data?.length} onChange={(e) => setIntegrationId(e.currentTarget.value)}>
              {(integrations.data ?? []).map((i) => (
                <option value={i.id}>{integrationLabel(i)}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Content type">{(id) => <input id={id} value={contentType} onInput={(e) => setContentType(e.currentTarget.value)} />}</Field>
      </div>
      {integrations.error ? (
        <LoadError error={integrations.error} what="The company's integrations" endpoint="GET /v2/integrations" />
      ) : integrations.data && integrations.data.length === 0 ? (
        <p class="muted">This company has no API-triggered integration to send to.</p>
      ) : null}
      <Field label="Message body">{(id) => <textarea id={id} class="mono" rows={4} value={body} onInput={(e) => setBody(e.currentTarget.value)} />}</Field>
      <div>
        <button type="submit" class="btn btn-primary" disabled={action.busy || !chosen}>
          Send test message
        </button>
      </div>
    </form>
  );
}
