import { useState } from 'preact/hooks';
import type { SynqlyMember, SynqlyPermissionSet, SynqlyRole, Tenant } from '../api/types.ts';
import { synqly } from '../api/vendors.ts';
import { Page } from '../components/page.tsx';
import { Badge, confirmAction, DataTable, Field, LoadError, Notice, Section, Time, useAction, useAsync } from '../components/ui.tsx';

/** Synqly members and roles of the organization (GET/POST/DELETE /v1/members and /v1/roles). */

const BUILTIN_ROLES = ['root_administrator', 'administrator', 'viewer', 'member'];

export function SynqlyMembersPage(props: { tenant: Tenant }) {
  const { tenant } = props;
  const members = useAsync(() => synqly<{ result: SynqlyMember[] }>(tenant, '/v1/members', { query: { limit: 1000 } }).then((r) => r.result), [tenant.id]);
  const roles = useAsync(() => synqly<{ result: SynqlyRole[] }>(tenant, '/v1/roles', { query: { limit: 1000 } }).then((r) => r.result), [tenant.id]);
  const action = useAction();
  const roleNames = [...new Set([...BUILTIN_ROLES, ...(roles.data ?? []).map((r) => r.name)])];

  const removeMember = async (m: SynqlyMember) => {
    if (!(await confirmAction(`Delete member ${m.name}?`, `Member "${m.name}" and the tokens issued to it are deleted.`))) return;
    const ok = await action.run(() => synqly(tenant, `/v1/members/${encodeURIComponent(m.id)}`, { method: 'DELETE' }).then(() => true), `Member ${m.name} deleted`);
    if (ok) await members.reload();
  };
  const removeRole = async (r: SynqlyRole) => {
    if (!(await confirmAction(`Delete role ${r.name}?`, `Role "${r.name}" is deleted.`))) return;
    const ok = await action.run(() => synqly(tenant, `/v1/roles/${encodeURIComponent(r.id)}`, { method: 'DELETE' }).then(() => true), `Role ${r.name} deleted`);
    if (ok) await roles.reload();
  };

  return (
    <Page title="Synqly members and roles" lead={<>Organization <strong>{tenant.name}</strong>: who can sign in, and the roles bound to them.</>}>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <Section title="Members">
        {members.error ? (
          <LoadError error={members.error} what="Members" endpoint="GET /v1/members" onRetry={members.reload} />
        ) : !members.data ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <DataTable
            caption="Members"
            testid="members"
            rows={members.data}
            rowKey={(m) => m.id}
            empty="No members yet."
            columns={[
              { header: 'Name', cell: (m) => <strong>{m.name}</strong> },
              { header: 'Full name', cell: (m) => m.fullname },
              { header: 'Type', cell: (m) => m.type },
              { header: 'State', cell: (m) => <Badge tone={m.state === 'enabled' ? 'ok' : 'warn'}>{m.state}</Badge> },
              { header: 'Roles', cell: (m) => m.role_binding.map((r) => <Badge>{r}</Badge>) },
              { header: 'Last logon', cell: (m) => <Time iso={m.last_logon} /> },
              {
                header: 'Actions',
                class: 'actions-col',
                cell: (m) => (
                  <button type="button" class="btn btn-small btn-danger" onClick={() => removeMember(m)} aria-label={`Delete member ${m.name}`}>
                    Delete
                  </button>
                ),
              },
            ]}
          />
        )}
      </Section>
      {!members.error && <CreateMember tenant={tenant} roles={roleNames} onCreated={members.reload} />}
      <Section title="Roles">
        {roles.error ? (
          <LoadError error={roles.error} what="Roles" endpoint="GET /v1/roles" onRetry={roles.reload} />
        ) : !roles.data ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <DataTable
            caption="Roles"
            testid="roles"
            rows={roles.data}
            rowKey={(r) => r.id}
            empty="No custom roles yet; the built-in roles are root_administrator, administrator, viewer and member."
            columns={[
              { header: 'Name', cell: (r) => <strong>{r.name}</strong> },
              { header: 'Full name', cell: (r) => r.fullname },
              { header: 'Permission set', cell: (r) => <Badge tone="info">{r.permission_set}</Badge> },
              { header: 'Description', cell: (r) => r.description ?? <span class="muted">—</span> },
              {
                header: 'Actions',
                class: 'actions-col',
                cell: (r) =>
                  BUILTIN_ROLES.includes(r.name) ? (
                    <span class="muted">built-in</span>
                  ) : (
                    <button type="button" class="btn btn-small btn-danger" onClick={() => removeRole(r)} aria-label={`Delete role ${r.name}`}>
                      Delete
                    </button>
                  ),
              },
            ]}
          />
        )}
      </Section>
      {!roles.error && <CreateRole tenant={tenant} onCreated={roles.reload} />}
    </Page>
  );
}

function CreateMember(props: { tenant: Tenant; roles: string[]; onCreated: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [fullname, setFullname] = useState('');
  const [secret, setSecret] = useState('');
  const [type, setType] = useState('personal');
  const [bound, setBound] = useState<string[]>(['member']);
  const action = useAction();
  return (
    <Section title="Add a member" level={3}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { name: name.trim(), secret, type, role_binding: bound, ...(fullname.trim() ? { fullname: fullname.trim() } : {}) };
          const ok = await action.run(() => synqly(props.tenant, '/v1/members', { method: 'POST', body }), `Member ${body.name} added`);
          if (ok) {
            setName('');
            setFullname('');
            setSecret('');
            await props.onCreated();
          }
        }}
      >
        <div class="form-row">
          <Field label="Name" hint="An email for a person, any identifier for a service.">
            {(id, hint) => <input id={id} aria-describedby={hint} required value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Field label="Full name">{(id) => <input id={id} value={fullname} onInput={(e) => setFullname(e.currentTarget.value)} />}</Field>
          <Field label="Password" hint="8 to 71 characters.">
            {(id, hint) => (
              <input id={id} aria-describedby={hint} type="password" autocomplete="new-password" required minLength={8} maxLength={71} value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
            )}
          </Field>
          <Field label="Type">
            {(id) => (
              <select id={id} value={type} onChange={(e) => setType(e.currentTarget.value)}>
                <option value="personal">personal</option>
                <option value="service">service</option>
              </select>
            )}
          </Field>
        </div>
        <fieldset class="checkbox-group">
          <legend>Roles</legend>
          {props.roles.map((r) => (
            <label>
              <input type="checkbox" checked={bound.includes(r)} onChange={(e) => setBound(e.currentTarget.checked ? [...bound, r] : bound.filter((x) => x !== r))} /> {r}
            </label>
          ))}
        </fieldset>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <button type="submit" class="btn btn-primary" disabled={action.busy || bound.length === 0}>
          Add member
        </button>
      </form>
    </Section>
  );
}

function CreateRole(props: { tenant: Tenant; onCreated: () => Promise<void> }) {
  const sets = useAsync(() => synqly<{ result: SynqlyPermissionSet[] }>(props.tenant, '/v1/permissionsets').then((r) => r.result.map((s) => s.name)), [props.tenant.id]);
  const [name, setName] = useState('');
  const [fullname, setFullname] = useState('');
  const [description, setDescription] = useState('');
  const [permissionSet, setPermissionSet] = useState('viewer');
  const action = useAction();
  const options = sets.data ?? ['administrator', 'viewer', 'member', 'account-manager', 'connect-ui', 'token-issuer'];
  return (
    <Section title="Add a role" level={3}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { name: name.trim(), permission_set: permissionSet, ...(fullname.trim() ? { fullname: fullname.trim() } : {}), ...(description.trim() ? { description: description.trim() } : {}) };
          const ok = await action.run(() => synqly(props.tenant, '/v1/roles', { method: 'POST', body }), `Role ${body.name} added`);
          if (ok) {
            setName('');
            setFullname('');
            setDescription('');
            await props.onCreated();
          }
        }}
      >
        <div class="form-row">
          <Field label="Role name">{(id) => <input id={id} required value={name} onInput={(e) => setName(e.currentTarget.value)} />}</Field>
          <Field label="Full name">{(id) => <input id={id} value={fullname} onInput={(e) => setFullname(e.currentTarget.value)} />}</Field>
          <Field label="Permission set">
            {(id) => (
              <select id={id} value={permissionSet} onChange={(e) => setPermissionSet(e.currentTarget.value)}>
                {options.map((p) => (
                  <option value={p}>{p}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Description">{(id) => <input id={id} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />}</Field>
        </div>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <button type="submit" class="btn btn-primary" disabled={action.busy}>
          Add role
        </button>
      </form>
    </Section>
  );
}
