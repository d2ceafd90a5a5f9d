// Pick any number of assignees, searching every team; the first picked is the primary
// one. The API only assigns members of the issue's own team, so people of other teams
// are listed (to find them) but cannot be ticked until the issue moves to their team.
import { useMemo, useState } from 'react';
import type { Assignable, Issue } from '../api/types';
import { Dialog, DialogFooter } from '../components/Dialog';
import { useAction } from '../lib/useAction';

interface Props {
  issue: Issue;
  people: Assignable[];
  onSave: (ids: string[]) => Promise<void>;
  onClose: () => void;
}

function matches(person: Assignable, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (!needle) return true;
  return [person.name, person.email ?? '', person.team_name].some((field) =>
    field.toLowerCase().includes(needle),
  );
}

export function AssignPicker({ issue, people, onSave, onClose }: Props) {
  const [chosen, setChosen] = useState<string[]>(() => issue.assignees.map((a) => a.id));
  const [filter, setFilter] = useState('');
  const { run, busy, error } = useAction();
  const shown = useMemo(() => people.filter((p) => matches(p, filter)), [people, filter]);
  const names = useMemo(() => {
    const known = new Map(issue.assignees.map((a) => [a.id, a.name]));
    for (const p of people) known.set(p.id, `${p.name} (${p.team_name})`);
    return known;
  }, [issue.assignees, people]);

  function toggle(id: string) {
    setChosen((now) => (now.includes(id) ? now.filter((x) => x !== id) : [...now, id]));
  }

  async function save() {
    if (await run(() => onSave(chosen))) onClose();
  }

  return (
    <Dialog title="Assignees" onClose={onClose}>
      <div className="chips" aria-label="Chosen assignees">
        {chosen.length === 0 && <span className="muted">Nobody: the issue stays unassigned.</span>}
        {chosen.map((id, n) => (
          <span key={id} className="chip selected">
            {names.get(id) ?? id}
            {n === 0 && <span className="muted small"> primary</span>}
            <button
              type="button"
              className="ghost"
              aria-label={`Remove ${names.get(id) ?? id}`}
              onClick={() => toggle(id)}
            >
              ×
            </button>
          </span>
        ))}
      </div>
      <label className="block">
        Find people in any team
        <input
          type="search"
          data-autofocus
          value={filter}
          placeholder="Name, email or team"
          onChange={(e) => setFilter(e.target.value)}
        />
      </label>
      <ul className="picker" aria-label="People">
        {shown.map((person) => {
          const outside = person.team_id !== issue.team_id && !chosen.includes(person.id);
          const reason = outside
            ? `Not in ${issue.team_name ?? 'the issue’s team'}: move the issue to ${person.team_name} first.`
            : undefined;
          return (
            <li key={person.id} title={reason}>
              <label className={`check${outside ? ' muted' : ''}`}>
                <input
                  type="checkbox"
                  checked={chosen.includes(person.id)}
                  disabled={outside}
                  aria-description={reason}
                  onChange={() => toggle(person.id)}
                />
                {person.name} <span className="muted">· {person.team_name}</span>
              </label>
            </li>
          );
        })}
        {shown.length === 0 && <li className="muted">Nobody matches.</li>}
      </ul>
      <DialogFooter error={error} onCancel={onClose}>
        <button type="button" className="primary" disabled={busy} onClick={save}>
          Save assignees
        </button>
      </DialogFooter>
    </Dialog>
  );
}
