// All teams; admins create and delete them here.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/endpoints';
import type { Team } from '../api/types';
import { can } from '../auth/permissions';
import { useUser } from '../auth/session';
import { Dialog, DialogFooter } from '../components/Dialog';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { GatedButton } from '../components/Gated';
import { Table } from '../components/Table';
import { useAction } from '../lib/useAction';
import { useLoad } from '../lib/useLoad';

export function Teams() {
  const user = useUser();
  const teams = useLoad(() => api.teams(), []);
  const manage = can.manageTeams(user);
  const [deleting, setDeleting] = useState<Team | null>(null);

  return (
    <div>
      <div className="page-head">
        <h1>Teams</h1>
      </div>
      {manage.allowed && <CreateTeam />}
      <ErrorNotice error={teams.error} />
      {teams.loading && !teams.data && <Loading what="teams" />}
      {teams.data && teams.data.length === 0 && <p className="empty">No teams yet.</p>}
      {teams.data && teams.data.length > 0 && (
        <Table
          columns={['Team', 'Description', 'Slack channel', 'Reminders', manage.allowed && 'Actions']}
        >
              {teams.data.map((team) => (
                <tr key={team.id}>
                  <td data-label="Team">
                    <Link to={`/teams/${team.id}`}>{team.name}</Link>
                  </td>
                  <td data-label="Description">{team.description || '—'}</td>
                  <td data-label="Slack channel">{team.slack_channel_id ?? '—'}</td>
                  <td data-label="Reminders">
                    {team.notifications_enabled
                      ? `every ${team.reminder_frequency_minutes} min, ${team.reminder_start_hour}:00–${team.reminder_end_hour}:00 ${team.reminder_timezone}`
                      : 'off'}
                  </td>
                  {manage.allowed && (
                    <td data-label="Actions">
                      <GatedButton permission={manage} onClick={() => setDeleting(team)}>
                        Delete
                      </GatedButton>
                    </td>
                  )}
                </tr>
              ))}
        </Table>
      )}
      {deleting && (
        <DeleteTeam
          team={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            teams.reload();
          }}
        />
      )}
    </div>
  );
}

function CreateTeam() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const { run, busy, error } = useAction();

  function submit(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const team = await api.createTeam({ name: name.trim(), description: description.trim() });
      navigate(`/teams/${team.id}`);
    });
  }

  return (
    <form className="card row wrap" onSubmit={submit} aria-label="New team">
      <label>
        Team name
        <input value={name} required onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="grow">
        Description (used by triage)
        <input value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={busy || !name.trim()}>
        Create team
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}

function DeleteTeam({ team, onClose, onDeleted }: { team: Team; onClose: () => void; onDeleted: () => void }) {
  const { run, busy, error } = useAction(); // 409 while the team still owns open issues
  async function remove() {
    if (await run(() => api.deleteTeam(team.id))) onDeleted();
  }
  return (
    <Dialog title={`Delete ${team.name}?`} onClose={onClose}>
      <p>A team that still owns open issues cannot be deleted; move or close them first.</p>
      <DialogFooter error={error} onCancel={onClose}>
        <button type="button" className="danger" disabled={busy} onClick={remove}>
          Delete team
        </button>
      </DialogFooter>
    </Dialog>
  );
}
