import type { History } from '../api/types';
import { formatDateTime } from '../lib/format';
import { actionLabel, changeText } from '../lib/history';
import type { Names } from '../lib/history';

export function HistoryTimeline({ entries, names }: { entries: History[]; names: Names }) {
  if (entries.length === 0) return <p className="muted">No history yet.</p>;
  return (
    <ol className="timeline" aria-label="History, newest first">
      {entries.map((entry) => (
        <li key={entry.id}>
          <time dateTime={entry.created_at} className="muted small">
            {formatDateTime(entry.created_at)}
          </time>
          <div>
            <strong>{entry.performed_by}</strong> {actionLabel(entry.action)}
            {changeText(entry, names) && <span className="change"> {changeText(entry, names)}</span>}
          </div>
        </li>
      ))}
    </ol>
  );
}
