// The <option>s of the selects that pick a status, a priority or a team.
import type { Team } from '../api/types';
import { PRIORITIES, STATUSES } from '../api/types';
import { PRIORITY_LABELS, STATUS_LABELS } from '../lib/format';

export function StatusOptions() {
  return STATUSES.map((s) => (
    <option key={s} value={s}>
      {STATUS_LABELS[s]}
    </option>
  ));
}

export function PriorityOptions() {
  return PRIORITIES.map((p) => (
    <option key={p} value={p}>
      {PRIORITY_LABELS[p]}
    </option>
  ));
}

export function TeamOptions({ teams }: { teams: readonly Team[] }) {
  return teams.map((t) => (
    <option key={t.id} value={t.id}>
      {t.name}
    </option>
  ));
}
