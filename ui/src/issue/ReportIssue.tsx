// Report an issue from the dashboard; without a team, triage picks one (and a priority).
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/endpoints';
import type { Priority, Team } from '../api/types';
import { Dialog, DialogFooter } from '../components/Dialog';
import { PriorityOptions, TeamOptions } from '../components/Options';
import { useAction } from '../lib/useAction';

export function ReportIssue({ teams, onClose }: { teams: Team[]; onClose: () => void }) {
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<Priority | ''>('');
  const [teamId, setTeamId] = useState('');
  const { run, busy, error } = useAction();

  function submit(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const issue = await api.reportIssue({
        title: title.trim(),
        description: description.trim(),
        priority: priority || null,
        team_id: teamId || null,
      });
      onClose();
      navigate(`/issues/${issue.id}`);
    });
  }

  return (
    <Dialog title="Report an issue" onClose={onClose}>
      <form onSubmit={submit}>
        <label className="block">
          What is wrong?
          <input
            data-autofocus
            required
            maxLength={300}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
        <label className="block">
          Details
          <textarea rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <div className="row wrap">
          <label className="grow">
            Priority
            <select value={priority} onChange={(e) => setPriority(e.target.value as Priority | '')}>
              <option value="">Let triage decide</option>
              <PriorityOptions />
            </select>
          </label>
          <label className="grow">
            Team
            <select value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              <option value="">Let triage decide</option>
              <TeamOptions teams={teams} />
            </select>
          </label>
        </div>
        <DialogFooter error={error} onCancel={onClose}>
          <button type="submit" className="primary" disabled={busy || !title.trim()}>
            Report
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
