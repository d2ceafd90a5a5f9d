// A team's members: role, active flag, workload; add and remove.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../api/endpoints';
import type { Member, MemberPatch, MemberRole } from '../api/types';
import type { Permission } from '../auth/permissions';
import { ErrorNotice } from '../components/ErrorNotice';
import { GatedButton } from '../components/Gated';
import { Table } from '../components/Table';
import { useAction } from '../lib/useAction';

interface Props {
  teamId: string;
  members: Member[];
  manage: Permission;
  grantManager: Permission;
  onChanged: () => void;
}

export function MemberTable({ teamId, members, manage, grantManager, onChanged }: Props) {
  // e.g. 409: a member with open issues cannot be removed, only deactivated
  const action = useAction();
  const run = async (change: () => Promise<unknown>) => {
    if (await action.run(change)) onChanged();
  };
  const update = (member: Member, patch: MemberPatch) =>
    run(() => api.updateMember(member.id, patch));

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <ErrorNotice error={action.error} />
      {members.length === 0 && <p className="muted">Nobody yet.</p>}
      {members.length > 0 && (
        <Table
          columns={['Name', 'Email', 'Role', 'Open issues', 'Active', manage.allowed && 'Actions']}
        >
              {members.map((member) => (
                <tr key={member.id} className={member.is_active ? '' : 'inactive'}>
                  <td data-label="Name">{member.name}</td>
                  <td data-label="Email">{member.email ?? '—'}</td>
                  <td data-label="Role">
                    <select
                      aria-label={`Role of ${member.name}`}
                      value={member.role}
                      disabled={!manage.allowed || !grantManager.allowed}
                      title={grantManager.allowed ? undefined : grantManager.reason}
                      onChange={(e) => void update(member, { role: e.target.value as MemberRole })}
                    >
                      <option value="agent">Agent</option>
                      <option value="manager">Manager</option>
                    </select>
                  </td>
                  <td data-label="Open issues">{member.open_issue_count}</td>
                  <td data-label="Active">{member.is_active ? 'yes' : 'no'}</td>
                  {manage.allowed && (
                    <td data-label="Actions" className="row">
                      <GatedButton
                        permission={manage}
                        onClick={() => void update(member, { is_active: !member.is_active })}
                      >
                        {member.is_active ? 'Deactivate' : 'Activate'}
                      </GatedButton>
                      <GatedButton
                        permission={manage}
                        className="danger"
                        onClick={() => void run(() => api.removeMember(member.id))}
                      >
                        Remove
                      </GatedButton>
                    </td>
                  )}
                </tr>
              ))}
        </Table>
      )}
      {manage.allowed && (
        <AddMember teamId={teamId} grantManager={grantManager} onAdded={onChanged} />
      )}
    </section>
  );
}

function AddMember({
  teamId,
  grantManager,
  onAdded,
}: {
  teamId: string;
  grantManager: Permission;
  onAdded: () => void;
}) {
  const blank = { name: '', email: '', slack_user_id: '', role: 'agent' as MemberRole };
  const [form, setForm] = useState(blank);
  const { run, busy, error } = useAction();

  function submit(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      await api.addMember(teamId, {
        name: form.name.trim() || null,
        email: form.email.trim() || null,
        slack_user_id: form.slack_user_id.trim() || null,
        role: form.role,
      });
      setForm(blank);
      onAdded();
    });
  }

  return (
    <form onSubmit={submit} className="row wrap add-member" aria-label="Add a member">
      <label>
        Name
        <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </label>
      <label>
        Email
        <input
          type="email"
          value={form.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
        />
      </label>
      <label>
        Slack user id
        <input
          value={form.slack_user_id}
          onChange={(e) => setForm({ ...form, slack_user_id: e.target.value })}
        />
      </label>
      <label>
        Role
        <select
          value={form.role}
          onChange={(e) => setForm({ ...form, role: e.target.value as MemberRole })}
        >
          <option value="agent">Agent</option>
          <option value="manager" disabled={!grantManager.allowed}>
            Manager{grantManager.allowed ? '' : ' (admins only)'}
          </option>
        </select>
      </label>
      <button
        type="submit"
        className="primary"
        disabled={busy || (!form.name.trim() && !form.email.trim())}
      >
        Add member
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
