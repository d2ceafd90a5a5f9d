// History actions (API-COMPAT.md) in the words a person would use.
import { PRIORITY_LABELS, STATUS_LABELS } from './format';
import type { History, Priority, Status } from '../api/types';

// argus_core.domain.history.HistoryAction; `updated_<field>` is handled below.
const ACTIONS: Record<string, string> = {
  created: 'reported the issue',
  assigned: 'changed the assignees',
  resolved: 'resolved the issue',
  resolution_notes: 'noted how it was fixed',
  close_reason: 'gave the reason for closing',
  auto_resolve_reason: 'resolved it automatically',
  reminder_sent: 'sent a reminder',
  categorized: 'triaged the issue',
  updated_ai_rca: 'updated the root-cause analysis',
};

const FIELDS: Record<string, string> = {
  status: 'status',
  priority: 'priority',
  team_id: 'team',
  team: 'team',
  title: 'title',
  description: 'description',
  category: 'category',
  assigned_to: 'assignee',
  assignees: 'assignees',
  notifications_muted: 'notifications',
};

/** "changed status", "reported the issue"; unknown actions are spelled out, not hidden. */
export function actionLabel(action: string): string {
  const known = ACTIONS[action];
  if (known) return known;
  if (action.startsWith('updated_')) {
    const field = action.slice('updated_'.length);
    return `changed ${FIELDS[field] ?? field.replaceAll('_', ' ')}`;
  }
  return action.replaceAll('_', ' ');
}

/** Ids (teams, members) to names, where the page knows them. */
export type Names = Readonly<Record<string, string>>;

function valueText(value: string | null, names: Names): string | null {
  if (value == null || value === '') return null;
  return names[value] ?? STATUS_LABELS[value as Status] ?? PRIORITY_LABELS[value as Priority] ?? value;
}

/** "Open → In progress", or the single value, or nothing. */
export function changeText(entry: History, names: Names = {}): string {
  const before = valueText(entry.old_value, names);
  const after = valueText(entry.new_value, names);
  if (before && after) return `${before} → ${after}`;
  return after ?? before ?? '';
}
