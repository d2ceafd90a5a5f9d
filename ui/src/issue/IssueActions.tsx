// What can be done to an issue, each action gated by the role table.
import { useState } from 'react';
import { api } from '../api/endpoints';
import type { Assignable, Issue, Priority, Status, Team } from '../api/types';
import { can, canReopen, isViewer } from '../auth/permissions';
import { useUser } from '../auth/session';
import { ErrorNotice } from '../components/ErrorNotice';
import { GatedButton } from '../components/Gated';
import { PriorityOptions, TeamOptions } from '../components/Options';
import { isActive } from '../lib/age';
import { useAction } from '../lib/useAction';
import { AssignPicker } from './AssignPicker';
import { CLOSE_TEMPLATES, RESOLVE_TEMPLATES, ReasonDialog } from './ReasonDialog';

interface Props {
  issue: Issue;
  teams: Team[];
  people: Assignable[];
  /** Run a change and show the issue as the API answered; throws the API's refusal. */
  apply: (change: () => Promise<Issue>) => Promise<void>;
}

type Open = 'resolve' | 'close' | 'assign' | null;

export function IssueActions({ issue, teams, people, apply }: Props) {
  const user = useUser();
  const [open, setOpen] = useState<Open>(null);
  const { run, error } = useAction();
  if (isViewer(user)) return null; // a viewer may look, never change (DESIGN.md §2)

  const active = isActive(issue.status);
  const status = can.changeStatus(user, issue);
  const reassign = can.reassign(user, issue);
  // Toolbar changes show a refusal here; dialogs show it inside themselves.
  const act = (change: () => Promise<Issue>) => void run(() => apply(change));
  const move = (to: Status) => act(() => api.updateIssue(issue.id, { status: to }));

  return (
    <>
    <ErrorNotice error={error} />
    <div className="actions" aria-label="Issue actions" role="toolbar">
      {issue.status === 'open' && (
        <GatedButton permission={status} onClick={() => move('in_progress')}>
          Start work
        </GatedButton>
      )}
      {issue.status === 'in_progress' && (
        <GatedButton permission={status} onClick={() => move('open')}>
          Back to open
        </GatedButton>
      )}
      {active && (
        <GatedButton
          permission={can.resolve(user, issue)}
          className="primary"
          onClick={() => setOpen('resolve')}
        >
          Resolve…
        </GatedButton>
      )}
      {active && (
        <GatedButton permission={can.close(user, issue)} onClick={() => setOpen('close')}>
          Close…
        </GatedButton>
      )}
      {!active && (
        <GatedButton
          permission={canReopen(user, issue)}
          onClick={() => act(() => api.reopen(issue.id))}
        >
          Reopen
        </GatedButton>
      )}
      <GatedButton permission={reassign} onClick={() => setOpen('assign')}>
        Assign…
      </GatedButton>
      <label title={reassign.allowed ? undefined : reassign.reason}>
        Team
        <select
          value={issue.team_id ?? ''}
          disabled={!reassign.allowed}
          onChange={(e) =>
            act(() => api.updateIssue(issue.id, { team_id: e.target.value || null }))
          }
        >
          <option value="">No team</option>
          <TeamOptions teams={teams} />
        </select>
      </label>
      <label title={status.allowed ? undefined : status.reason}>
        Priority
        <select
          value={issue.priority}
          disabled={!status.allowed}
          onChange={(e) =>
            act(() => api.updateIssue(issue.id, { priority: e.target.value as Priority }))
          }
        >
          <PriorityOptions />
        </select>
      </label>
      {open === 'resolve' && (
        <ReasonDialog
          title={`Resolve #${issue.number}`}
          question="How was this fixed?"
          confirm="Resolve"
          templates={RESOLVE_TEMPLATES}
          onSubmit={(reason) => apply(() => api.resolve(issue.id, reason))}
          onClose={() => setOpen(null)}
        />
      )}
      {open === 'close' && (
        <ReasonDialog
          title={`Close #${issue.number}`}
          question="Why are you closing this?"
          confirm="Close issue"
          templates={CLOSE_TEMPLATES}
          onSubmit={(reason) => apply(() => api.close(issue.id, reason))}
          onClose={() => setOpen(null)}
        />
      )}
      {open === 'assign' && (
        <AssignPicker
          issue={issue}
          people={people}
          onSave={(ids) => apply(() => api.updateIssue(issue.id, { assignees: ids }))}
          onClose={() => setOpen(null)}
        />
      )}
    </div>
    </>
  );
}
