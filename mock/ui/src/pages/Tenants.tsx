import { useState } from 'preact/hooks';
import { adminApi } from '../api/admin.ts';
import { hrefOn } from '../api/listeners.ts';
import type { ConnxioCredentials, Tenant, TenantWithCredentials, Vendor } from '../api/types.ts';
import { credentialsFor, CredentialsUnavailable, forgetCredentials, rememberCredentials } from '../api/vendors.ts';
import { Page } from '../components/page.tsx';
import { Badge, confirmAction, DataTable, Field, Link, Notice, SecretValue, Section, shortId, Time, useAction, useAsync } from '../components/ui.tsx';
import { pathFor } from '../router.ts';
import { useAppState } from '../state.tsx';

/** Tenants: Synqly organizations and Connxio companies (with their subscriptions), create/reset/delete. */

export function TenantsPage() {
  const state = useAppState();
  const [shown, setShown] = useState<TenantWithCredentials | undefined>(undefined);
  const [shownNote, setShownNote] = useState<string>('');
  const action = useAction();
  const orgs = state.tenants.filter((t) => t.vendor === 'synqly');
  const companies = state.tenants.filter((t) => t.vendor === 'connxio');

  const show = (t: TenantWithCredentials, note: string) => {
    rememberCredentials(t.id, t.credentials);
    setShown(t);
    setShownNote(note);
    requestAnimationFrame(() => document.getElementById('credentials-panel')?.focus());
  };

  const reveal = async (t: Tenant) => {
    const credentials = await action.run(() => credentialsFor(t, true));
    if (credentials) show({ ...t, credentials }, 'Derived again from the tenant\'s profile and seed.');
  };
  const reset = async (t: Tenant) => {
    if (!(await confirmAction(`Reset ${t.name}?`, `Every change to ${t.vendor === 'synqly' ? 'organization' : 'company'} "${t.name}" is discarded: it is created again from its profile and seed, with the credentials it started with.`, 'Reset'))) return;
    const fresh = await action.run(() => adminApi.resetTenant(t.id), `${t.name} was reset`);
    if (fresh) {
      show(fresh, 'Re-created from its profile and seed: these are the credentials it started with; secrets issued since no longer work.');
      await state.reloadTenants();
    }
  };
  const remove = async (t: Tenant) => {
    if (!(await confirmAction(`Delete ${t.name}?`, `The ${t.vendor === 'synqly' ? 'organization' : 'company'} "${t.name}" and all of its data are deleted.`))) return;
    const ok = await action.run(async () => {
      await adminApi.deleteTenant(t.id);
      return true;
    }, `${t.name} was deleted`);
    if (ok) {
      forgetCredentials(t.id);
      if (shown?.id === t.id) setShown(undefined);
      await state.reloadTenants();
    }
  };

  const actions = (t: Tenant) => (
    <div class="row-actions">
      <button type="button" class="btn btn-small" onClick={() => reveal(t)} aria-label={`Show credentials of ${t.name}`}>
        Credentials
      </button>
      <button type="button" class="btn btn-small" onClick={() => reset(t)} aria-label={`Reset ${t.name}`}>
        Reset
      </button>
      <button type="button" class="btn btn-small btn-danger" onClick={() => remove(t)} aria-label={`Delete ${t.name}`}>
        Delete
      </button>
    </div>
  );

  return (
    <Page title="Tenants" lead="Each tenant is an isolated Synqly organization or Connxio company with its own credentials. Created, reset and deleted through the control API.">
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {shown && <CredentialsPanel tenant={shown} note={shownNote} onClose={() => setShown(undefined)} />}
      <Section title="Synqly organizations">
        <DataTable
          caption="Synqly organizations"
          testid="synqly-tenants"
          rows={orgs}
          rowKey={(t) => t.id}
          empty="No Synqly organization yet."
          columns={[
            { header: 'Name', cell: (t) => <Link href={hrefOn('synqly', pathFor('synqly-accounts', { tenant: t.name }))}>{t.name}</Link> },
            { header: 'Organization id', cell: (t) => <code title={t.id}>{shortId(t.id)}</code> },
            { header: 'Profile', cell: (t) => <Badge>{t.profile}</Badge> },
            { header: 'Created', cell: (t) => <Time iso={t.created_at} /> },
            { header: 'Actions', cell: actions, class: 'actions-col' },
          ]}
        />
      </Section>
      <Section title="Connxio companies and subscriptions">
        <DataTable
          caption="Connxio companies"
          testid="connxio-tenants"
          rows={companies}
          rowKey={(t) => t.id}
          empty="No Connxio company yet."
          columns={[
            { header: 'Name', cell: (t) => <Link href={hrefOn('connxio', pathFor('connxio-api-keys', { tenant: t.name }))}>{t.name}</Link> },
            { header: 'Company id', cell: (t) => <code title={t.id}>{shortId(t.id)}</code> },
            { header: 'Subscriptions', cell: (t) => <Subscriptions tenant={t} /> },
            { header: 'Profile', cell: (t) => <Badge>{t.profile}</Badge> },
            { header: 'Created', cell: (t) => <Time iso={t.created_at} /> },
            { header: 'Actions', cell: actions, class: 'actions-col' },
          ]}
        />
      </Section>
      <CreateTenant onCreated={async (t) => (show(t, 'Shown once: the twin keeps only hashes of these secrets.'), await state.reloadTenants())} />
    </Page>
  );
}

function Subscriptions(props: { tenant: Tenant }) {
  const subs = useAsync(async () => (await credentialsFor<ConnxioCredentials>(props.tenant)).subscriptions, [props.tenant.id]);
  if (subs.loading) return <span class="muted">…</span>;
  if (subs.error instanceof CredentialsUnavailable) return <span class="muted">unknown (credentials rotated)</span>;
  if (subs.error || !subs.data) return <span class="muted">unknown</span>;
  return (
    <ul class="plain-list">
      {subs.data.map((s) => (
        <li>
          {s.name} <code class="muted" title={s.id}>{shortId(s.id)}</code>
        </li>
      ))}
    </ul>
  );
}

function CredentialsPanel(props: { tenant: TenantWithCredentials; note: string; onClose: () => void }) {
  const { tenant } = props;
  const credentials = tenant.credentials;
  return (
    <section class="card card-highlight" id="credentials-panel" tabIndex={-1} aria-labelledby="credentials-title" data-testid="credentials-panel">
      <div class="card-head">
        <h2 id="credentials-title">Credentials of {tenant.name}</h2>
        <button type="button" class="btn btn-small" onClick={props.onClose}>
          Hide
        </button>
      </div>
      <p class="hint">{props.note}</p>
      {'token' in credentials ? (
        <SecretValue label="Synqly administrator token (SYNQLY_TOKEN)" value={credentials.token} testid="synqly-token" />
      ) : (
        <>
          <SecretValue label="Connxio API key (CONNXIO_API_KEY)" value={credentials.api_key} testid="connxio-key" />
          <SecretValue label="OAuth client id (CONNXIO_CLIENT_ID)" value={credentials.oauth.client_id} />
          <SecretValue label="OAuth client secret (CONNXIO_CLIENT_SECRET)" value={credentials.oauth.client_secret} />
        </>
      )}
    </section>
  );
}

function CreateTenant(props: { onCreated: (t: TenantWithCredentials) => Promise<void> }) {
  const [vendor, setVendor] = useState<Vendor>('synqly');
  const [name, setName] = useState('');
  const [profile, setProfile] = useState<'empty' | 'demo'>('empty');
  const action = useAction();
  return (
    <Section title="Create a tenant">
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const created = await action.run(() => adminApi.createTenant({ vendor, name: name.trim() || undefined, profile }), 'Tenant created');
          if (created) {
            setName('');
            await props.onCreated(created);
          }
        }}
      >
        <fieldset class="radio-group">
          <legend>Vendor</legend>
          <label>
            <input type="radio" name="vendor" value="synqly" checked={vendor === 'synqly'} onChange={() => setVendor('synqly')} /> Synqly organization
          </label>
          <label>
            <input type="radio" name="vendor" value="connxio" checked={vendor === 'connxio'} onChange={() => setVendor('connxio')} /> Connxio company
          </label>
        </fieldset>
        <div class="form-row">
          <Field label="Name" hint="Lower case letters, digits, - _ . ~; generated when empty.">
            {(id, hint) => (
              <input id={id} aria-describedby={hint} value={name} pattern="[a-z0-9_.~\-]{1,100}" onInput={(e) => setName(e.currentTarget.value)} />
            )}
          </Field>
          <Field label="Profile">
            {(id) => (
              <select id={id} value={profile} onChange={(e) => setProfile(e.currentTarget.value as 'empty' | 'demo')}>{/* the options are the union's values */}
                <option value="empty">empty: credentials only</option>
                <option value="demo">demo: with sample data</option>
              </select>
            )}
          </Field>
        </div>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <button type="submit" class="btn btn-primary" disabled={action.busy}>
          Create tenant
        </button>
      </form>
    </Section>
  );
}
