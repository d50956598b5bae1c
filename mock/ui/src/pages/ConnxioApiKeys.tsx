import { useState } from 'preact/hooks';
import { adminApi } from '../api/admin.ts';
import type { ApiKey, ConnxioCredentials, ConnxioSubscription, Tenant } from '../api/types.ts';
import { connxio, credentialsFor } from '../api/vendors.ts';
import { Page } from '../components/page.tsx';
import { Badge, confirmAction, CopyButton, DataTable, Field, Link, LoadError, Notice, SecretValue, Section, Switch, Time, useAction, useAsync } from '../components/ui.tsx';
import { pathFor } from '../router.ts';

/**
 * Connxio API keys, the vendor's portal page (Administration → API Keys), through the control
 * API: create with scopes and a subscription, the Active slider, regenerate, delete, copy. The twin
 * keeps only hashes, so a value can be copied only when this browser has seen it (created or
 * regenerated here, or the tenant's own key).
 */

export const SCOPES = ['Management', 'Messaging', 'Webhook'] as const;

const valuesKey = (tenantId: string) => `apitwin.keyValues.${tenantId}`;

export function knownKeyValues(tenantId: string): Record<string, string> {
  return JSON.parse(localStorage.getItem(valuesKey(tenantId)) ?? '{}') as Record<string, string>; // written by this page only
}

export function rememberKeyValue(tenantId: string, keyId: string, value: string): void {
  localStorage.setItem(valuesKey(tenantId), JSON.stringify({ ...knownKeyValues(tenantId), [keyId]: value }));
}

/** The company's subscriptions: from the Connxio API, or from the tenant's credentials when that fails. */
export function useSubscriptions(tenant: Tenant) {
  return useAsync(async () => {
    try {
      return await connxio<ConnxioSubscription[]>(tenant, '/v2/subscriptions');
    } catch {
      return (await credentialsFor<ConnxioCredentials>(tenant)).subscriptions;
    }
  }, [tenant.id]);
}

export function ConnxioApiKeysPage(props: { tenant: Tenant }) {
  const { tenant } = props;
  const keys = useAsync(async () => {
    const list = await adminApi.apiKeys(tenant.id);
    // the tenant's own key: its value is part of the tenant's credentials
    const c = await credentialsFor<ConnxioCredentials>(tenant).catch(() => undefined);
    if (c) {
      const own = list.find((k) => !k.customApiId && k.subscriptionId === c.api_key_subscription_id && c.api_key.endsWith(k.key_hint));
      if (own) rememberKeyValue(tenant.id, own.id, c.api_key);
    }
    return list;
  }, [tenant.id]);
  const subs = useSubscriptions(tenant);
  const own = useAsync(() => credentialsFor<ConnxioCredentials>(tenant).then((c) => c.api_key_subscription_id), [tenant.id]);
  const [fresh, setFresh] = useState<{ key: ApiKey; value: string; what: string } | undefined>(undefined);
  const action = useAction();
  const values = knownKeyValues(tenant.id);
  const subName = (id: string) => subs.data?.find((s) => s.id === id)?.name ?? id.slice(0, 8);

  const showValue = (key: ApiKey, value: string, what: string) => {
    rememberKeyValue(tenant.id, key.id, value);
    setFresh({ key, value, what });
    requestAnimationFrame(() => document.getElementById('key-value-panel')?.focus());
  };

  const toggle = async (k: ApiKey, active: boolean) => {
    const ok = await action.run(() => adminApi.setApiKeyActive(tenant.id, k.id, active), `Key ${k.name} ${active ? 'activated' : 'deactivated'}`);
    if (ok) await keys.reload();
  };
  const regenerate = async (k: ApiKey) => {
    if (!(await confirmAction(`Regenerate ${k.name}?`, 'The key gets a new value; the old value is refused (401) at once.', 'Regenerate'))) return;
    const res = await action.run(() => adminApi.regenerateApiKey(tenant.id, k.id), `Key ${k.name} regenerated`);
    if (res) {
      showValue(res, res.key, 'The new value, shown once. The old value no longer works.');
      await keys.reload();
    }
  };
  const remove = async (k: ApiKey) => {
    if (!(await confirmAction(`Delete ${k.name}?`, 'Requests with this key are refused (401) at once.'))) return;
    const ok = await action.run(() => adminApi.deleteApiKey(tenant.id, k.id).then(() => true), `Key ${k.name} deleted`);
    if (ok) {
      if (fresh?.key.id === k.id) setFresh(undefined);
      await keys.reload();
    }
  };

  return (
    <Page title="Connxio API keys" lead={<>Company <strong>{tenant.name}</strong>. Keys authenticate every Connxio call (<code>Connxio-Api-Key</code>) together with a bearer, or alone in webhook mode.</>}>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {fresh && (
        <section class="card card-highlight" id="key-value-panel" tabIndex={-1} aria-labelledby="key-value-title" data-testid="key-value-panel">
          <div class="card-head">
            <h2 id="key-value-title">Key {fresh.key.name}</h2>
            <button type="button" class="btn btn-small" onClick={() => setFresh(undefined)}>
              Hide
            </button>
          </div>
          <SecretValue label={`Value of ${fresh.key.name}`} value={fresh.value} testid="new-key-value" note={fresh.what} />
        </section>
      )}
      <Section title="Keys" actions={<button type="button" class="btn btn-small" onClick={keys.reload}>Refresh</button>}>
        {keys.error ? (
          <LoadError error={keys.error} what="API keys" endpoint="GET /__admin/connxio/companies/{companyId}/api-keys" onRetry={keys.reload} />
        ) : !keys.data ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <DataTable
            caption="API keys"
            testid="api-keys"
            rows={keys.data}
            rowKey={(k) => k.id}
            empty="No API keys yet."
            columns={[
              {
                header: 'Name',
                cell: (k) => (
                  <>
                    <strong>{k.name}</strong> {k.customApiId && <Badge tone="info">Custom API</Badge>}
                  </>
                ),
              },
              { header: 'Key', cell: (k) => <code aria-label={`ending in ${k.key_hint}`}>••••{k.key_hint}</code> },
              { header: 'Scopes', cell: (k) => k.scopes.map((s) => <Badge>{s}</Badge>) },
              { header: 'Subscription', cell: (k) => subName(k.subscriptionId) },
              {
                header: 'Active',
                cell: (k) =>
                  k.customApiId ? (
                    <Badge tone={k.active ? 'ok' : 'off'}>{k.active ? 'active' : 'inactive'}</Badge>
                  ) : (
                    <Switch checked={k.active} label={`Active: ${k.name}`} onChange={(v) => toggle(k, v)} testid={`active-${k.id}`} />
                  ),
              },
              { header: 'Created', cell: (k) => <Time iso={k.created} /> },
              {
                header: 'Actions',
                class: 'actions-col',
                cell: (k) =>
                  k.customApiId ? (
                    <Link href={pathFor('connxio-custom-api', { tenant: tenant.name, id: k.customApiId })}>Managed by its Custom API</Link>
                  ) : (
                    <div class="row-actions">
                      {values[k.id] ? (
                        <CopyButton text={values[k.id]!} label={`Copy the value of ${k.name}`} />
                      ) : (
                        <button type="button" class="btn btn-small" disabled title="The twin keeps only a hash; regenerate the key to see a value" aria-label={`Copy the value of ${k.name} (not known: regenerate to get one)`}>
                          Copy
                        </button>
                      )}
                      <button type="button" class="btn btn-small" onClick={() => regenerate(k)} aria-label={`Regenerate ${k.name}`}>
                        Regenerate
                      </button>
                      <button type="button" class="btn btn-small btn-danger" onClick={() => remove(k)} aria-label={`Delete ${k.name}`}>
                        Delete
                      </button>
                    </div>
                  ),
              },
            ]}
          />
        )}
      </Section>
      {!keys.error && (
        <CreateKey
          subscriptions={subs.data ?? []}
          defaultSubscriptionId={own.data}
          onCreate={async (body) => {
            const res = await action.run(() => adminApi.createApiKey(tenant.id, body), `Key ${body.name} created`);
            if (res) {
              showValue(res, res.key, 'Shown once: the twin keeps only a hash. Copy it now.');
              await keys.reload();
            }
            return Boolean(res);
          }}
        />
      )}
    </Page>
  );
}

function CreateKey(props: { subscriptions: ConnxioSubscription[]; defaultSubscriptionId?: string; onCreate: (body: { name: string; scopes: string[]; subscriptionId: string }) => Promise<boolean> }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['Management']);
  const [subscriptionId, setSubscriptionId] = useState('');
  const [busy, setBusy] = useState(false);
  const chosen = subscriptionId || props.subscriptions.find((s) => s.id === props.defaultSubscriptionId)?.id || props.subscriptions[0]?.id || '';
  return (
    <Section title="Create an API key">
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const ok = await props.onCreate({ name: name.trim(), scopes, subscriptionId: chosen });
          setBusy(false);
          if (ok) {
            // the next key starts from scratch: name and scopes both reset
            setName('');
            setScopes(['Management']);
          }
        }}
      >
        <div class="form-row">
          <Field label="Key name" hint="Who uses it, e.g. the partner's name.">
            {(id, hint) => <input id={id} aria-describedby={hint} required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Field label="Subscription">
            {(id) => (
              <select id={id} required value={chosen} onChange={(e) => setSubscriptionId(e.currentTarget.value)}>
                {props.subscriptions.map((s) => (
                  <option value={s.id}>{s.name}</option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <fieldset class="checkbox-group">
          <legend>Scopes (at least one)</legend>
          {SCOPES.map((s) => (
            <label>
              <input type="checkbox" name="scope" value={s} checked={scopes.includes(s)} onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} /> {s}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="btn btn-primary" disabled={busy || scopes.length === 0 || !chosen}>
          Create key
        </button>
      </form>
    </Section>
  );
}
