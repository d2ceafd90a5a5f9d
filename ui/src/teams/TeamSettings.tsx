// A team's description, Slack channel and reminder settings (DESIGN.md §7: the
// frequency is every priority's interval unless a per-priority interval overrides it).
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../api/endpoints';
import type { Priority, Team, TeamPatch } from '../api/types';
import { PRIORITIES } from '../api/types';
import type { Permission } from '../auth/permissions';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../lib/useAction';
import { PRIORITY_LABELS } from '../lib/format';

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

interface Props {
  team: Team;
  permission: Permission;
  onSaved: (team: Team) => void;
}

export function TeamSettings({ team, permission, onSaved }: Props) {
  const [form, setForm] = useState(() => ({
    description: team.description,
    slack_channel_id: team.slack_channel_id ?? '',
    notifications_enabled: team.notifications_enabled,
    reminder_frequency_minutes: team.reminder_frequency_minutes,
    reminder_start_hour: team.reminder_start_hour,
    reminder_end_hour: team.reminder_end_hour,
    reminder_timezone: team.reminder_timezone,
    intervals: Object.fromEntries(
      PRIORITIES.map((p) => [p, team.reminder_intervals[p]?.toString() ?? '']),
    ) as Record<Priority, string>,
  }));
  const { run, busy, error } = useAction();
  const [saved, setSaved] = useState(false);
  const locked = !permission.allowed;

  function set<K extends keyof typeof form>(key: K, value: (typeof form)[K]) {
    setForm((now) => ({ ...now, [key]: value }));
    setSaved(false);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const intervals: Record<string, number> = {};
    for (const p of PRIORITIES) if (form.intervals[p].trim()) intervals[p] = Number(form.intervals[p]);
    const patch: TeamPatch = {
      description: form.description,
      slack_channel_id: form.slack_channel_id.trim() || null,
      notifications_enabled: form.notifications_enabled,
      reminder_frequency_minutes: form.reminder_frequency_minutes,
      reminder_start_hour: form.reminder_start_hour,
      reminder_end_hour: form.reminder_end_hour,
      reminder_timezone: form.reminder_timezone,
      reminder_intervals: intervals,
    };
    setSaved(await run(async () => onSaved(await api.updateTeam(team.id, patch))));
  }

  const hour = (key: 'reminder_start_hour' | 'reminder_end_hour', label: string) => (
    <label>
      {label}
      <input
        type="number"
        min={0}
        max={key === 'reminder_end_hour' ? 24 : 23}
        value={form[key]}
        onChange={(e) => set(key, Number(e.target.value))}
      />
    </label>
  );

  return (
    <form className="card" onSubmit={submit} aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <fieldset disabled={locked} title={locked ? permission.reason : undefined}>
        <label className="block">
          Description (triage reads it to route reports)
          <textarea
            rows={2}
            value={form.description}
            onChange={(e) => set('description', e.target.value)}
          />
        </label>
        <label className="block">
          Slack channel id
          <input
            value={form.slack_channel_id}
            placeholder="C0123456789"
            onChange={(e) => set('slack_channel_id', e.target.value)}
          />
        </label>
        <fieldset className="group">
          <legend>Reminders</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={form.notifications_enabled}
              onChange={(e) => set('notifications_enabled', e.target.checked)}
            />
            Remind assignees of stale issues
          </label>
          <div className="row wrap">
            <label>
              Every (minutes)
              <input
                type="number"
                min={1}
                value={form.reminder_frequency_minutes}
                onChange={(e) => set('reminder_frequency_minutes', Number(e.target.value))}
              />
            </label>
            {PRIORITIES.map((p) => (
              <label key={p}>
                {PRIORITY_LABELS[p]} (minutes)
                <input
                  type="number"
                  min={1}
                  placeholder="same"
                  value={form.intervals[p]}
                  onChange={(e) => set('intervals', { ...form.intervals, [p]: e.target.value })}
                />
              </label>
            ))}
          </div>
          <div className="row wrap">
            {hour('reminder_start_hour', 'Working hours from')}
            {hour('reminder_end_hour', 'until')}
            <label>
              Time zone
              <input
                list="time-zones"
                value={form.reminder_timezone}
                onChange={(e) => set('reminder_timezone', e.target.value)}
              />
              <datalist id="time-zones">
                {ZONES.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
            </label>
          </div>
        </fieldset>
        <div className="row end">
          {saved && <span role="status">Saved.</span>}
          <button type="submit" className="primary" disabled={busy}>
            Save settings
          </button>
        </div>
      </fieldset>
      <ErrorNotice error={error} />
    </form>
  );
}
