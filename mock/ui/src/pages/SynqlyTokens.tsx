import { useState } from 'preact/hooks';
import type { SynqlyCredentials, SynqlyRefreshToken, Tenant } from '../api/types.ts';
import { adoptSynqlyToken, credentialsFor, synqly } from '../api/vendors.ts';
import { Page } from '../components/page.tsx';
import { Badge, confirmAction, DataTable, Field, LoadError, Notice, SecretValue, Section, shortId, Time, useAction, useAsync } from '../components/ui.tsx';

/**
 * Synqly refresh tokens of the organization (GET /v1/tokens) with the vendor's lifecycle actions:
 * rotate (primary → secondary, new primary), reset (new primary, secondary removed), remove the
 * secondary, delete. New secrets are shown once. When the dashboard rotates or resets the token it
 * uses itself, it carries on with the new one.
 */

const PERMISSION_SETS = ['administrator', 'viewer', 'member', 'account-manager', 'connect-ui', 'token-issuer', 'mcp-integrations-use-only', 'mcp-management'];

export function SynqlyTokensPage(props: { tenant: Tenant }) {
  const { tenant } = props;
  const tokens = useAsync(() => synqly<{ result: SynqlyRefreshToken[] }>(tenant, '/v1/tokens', { query: { limit: 1000 } }).then((r) => r.result), [tenant.id]);
  const own = useAsync(() => credentialsFor<SynqlyCredentials>(tenant).then((c) => c.refresh_token_id), [tenant.id]);
  const [issued, setIssued] = useState<{ token: SynqlyRefreshToken; what: string } | undefined>(undefined);
  const action = useAction();

  const after = async (token: SynqlyRefreshToken | undefined, what: string) => {
    if (!token) return;
    const adopted = token.primary.access.secret ? adoptSynqlyToken(tenant, token.id, token.primary.access.secret) : false;
    setIssued({ token, what: adopted ? `${what} The dashboard now uses the new access token.` : what });
    await tokens.reload();
    requestAnimationFrame(() => document.getElementById('issued-panel')?.focus());
  };

  const rotate = async (t: SynqlyRefreshToken) => {
    const res = await action.run(
      () => synqly<{ result: SynqlyRefreshToken }>(tenant, `/v1/tokens/${encodeURIComponent(t.owner_id)}/${encodeURIComponent(t.id)}/rotate`, { method: 'PUT' }),
      `Token ${t.name} rotated`,
    );
    await after(res?.result, 'Rotated: the previous primary pair is now the secondary and still works until it is removed or expires.');
  };
  const reset = async (t: SynqlyRefreshToken) => {
    if (!(await confirmAction(`Reset ${t.name}?`, 'A new primary pair is issued and the secondary is removed; the old secrets stop working.', 'Reset'))) return;
    const res = await action.run(
      () => synqly<{ result: SynqlyRefreshToken }>(tenant, `/v1/tokens/${encodeURIComponent(t.owner_id)}/${encodeURIComponent(t.id)}/reset`, { method: 'PUT' }),
      `Token ${t.name} reset`,
    );
    await after(res?.result, 'Reset: a new primary pair; the old secrets no longer work.');
  };
  const removeSecondary = async (t: SynqlyRefreshToken) => {
    const ok = await action.run(() => synqly(tenant, `/v1/tokens/${encodeURIComponent(t.id)}/secondary`, { method: 'DELETE' }).then(() => true), `Secondary of ${t.name} removed`);
    if (ok) await tokens.reload();
  };
  const remove = async (t: SynqlyRefreshToken) => {
    if (!(await confirmAction(`Delete token ${t.name}?`, 'The refresh token and both of its pairs stop working at once.'))) return;
    const ok = await action.run(() => synqly(tenant, `/v1/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE' }).then(() => true), `Token ${t.name} deleted`);
    if (ok) await tokens.reload();
  };

  return (
    <Page title="Synqly tokens" lead={<>Organization <strong>{tenant.name}</strong>: refresh tokens (<code>GET /v1/tokens</code>). Lists never show secrets; a rotate or reset shows the new ones once.</>}>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {issued && (
        <section class="card card-highlight" id="issued-panel" tabIndex={-1} aria-labelledby="issued-title" data-testid="issued-panel">
          <div class="card-head">
            <h2 id="issued-title">New secrets of {issued.token.name}</h2>
            <button type="button" class="btn btn-small" onClick={() => setIssued(undefined)}>
              Hide
            </button>
          </div>
          <p class="hint">{issued.what}</p>
          <SecretValue label="Access token" value={issued.token.primary.access.secret} testid="issued-access" note={`Expires ${new Date(issued.token.primary.access.expires).toLocaleString()}`} />
          <SecretValue label="Refresh token" value={issued.token.primary.refresh.secret} />
        </section>
      )}
      <Section title="Refresh tokens" actions={<button type="button" class="btn btn-small" onClick={tokens.reload}>Refresh</button>}>
        {tokens.error ? (
          <LoadError error={tokens.error} what="Tokens" endpoint="GET /v1/tokens" onRetry={tokens.reload} />
        ) : !tokens.data ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <DataTable
            caption="Refresh tokens"
            testid="tokens"
            rows={tokens.data}
            rowKey={(t) => t.id}
            empty="No tokens."
            columns={[
              {
                header: 'Name',
                cell: (t) => (
                  <>
                    <strong>{t.name}</strong> {t.id === own.data && <Badge tone="info">used by this dashboard</Badge>}
                  </>
                ),
              },
              { header: 'Owner', cell: (t) => <>{t.owner_type} <code class="muted" title={t.owner_id}>{shortId(t.owner_id)}</code></> },
              { header: 'Type', cell: (t) => t.token_type },
              { header: 'Access expires', cell: (t) => <Time iso={t.primary.access.expires} /> },
              { header: 'Expires', cell: (t) => <Time iso={t.expires} /> },
              { header: 'Secondary', cell: (t) => (t.secondary ? <Badge tone="warn">yes</Badge> : <Badge>no</Badge>) },
              {
                header: 'Actions',
                class: 'actions-col',
                cell: (t) => (
                  <div class="row-actions">
                    <button type="button" class="btn btn-small" onClick={() => rotate(t)} aria-label={`Rotate ${t.name}`}>
                      Rotate
                    </button>
                    <button type="button" class="btn btn-small" onClick={() => reset(t)} aria-label={`Reset ${t.name}`}>
                      Reset
                    </button>
                    <button type="button" class="btn btn-small" onClick={() => removeSecondary(t)} disabled={!t.secondary} aria-label={`Remove the secondary of ${t.name}`}>
                      Remove secondary
                    </button>
                    <button type="button" class="btn btn-small btn-danger" onClick={() => remove(t)} aria-label={`Delete ${t.name}`}>
                      Delete
                    </button>
                  </div>
                ),
              },
            ]}
          />
        )}
      </Section>
      <CreateToken tenant={tenant} onCreated={(t) => after(t, 'A new ad-hoc token; its secrets are shown only now.')} />
    </Page>
  );
}

function CreateToken(props: { tenant: Tenant; onCreated: (t: SynqlyRefreshToken) => Promise<void> }) {
  const [name, setName] = useState('');
  const [permissionSet, setPermissionSet] = useState('viewer');
  const [ttl, setTtl] = useState('1h');
  const action = useAction();
  return (
    <Section title="Create an ad-hoc token">
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { ...(name.trim() ? { name: name.trim() } : {}), permission_set: permissionSet, resources: {}, token_ttl: ttl.trim() || undefined };
          const res = await action.run(() => synqly<{ result: SynqlyRefreshToken }>(props.tenant, '/v1/tokens', { method: 'POST', body }), 'Token created');
          if (res) {
            setName('');
            await props.onCreated(res.result);
          }
        }}
      >
        <div class="form-row">
          <Field label="Name" hint="Optional.">
            {(id, hint) => <input id={id} aria-describedby={hint} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Field label="Permission set">
            {(id) => (
              <select id={id} value={permissionSet} onChange={(e) => setPermissionSet(e.currentTarget.value)}>
                {PERMISSION_SETS.map((p) => (
                  <option value={p}>{p}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Access token TTL" hint="A duration such as 30m or 24h.">
            {(id, hint) => <input id={id} aria-describedby={hint} value={ttl} onInput={(e) => setTtl(e.currentTarget.value)} />}
          </Field>
        </div>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <button type="submit" class="btn btn-primary" disabled={action.busy}>
          Create token
        </button>
      </form>
    </Section>
  );
}
