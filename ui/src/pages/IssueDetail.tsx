// One issue: what it is, who has it, what happened to it, and why it broke.
import { useCallback, useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/endpoints';
import type { Issue } from '../api/types';
import { PriorityBadge, StatusBadge } from '../components/Badges';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { HistoryTimeline } from '../issue/HistoryTimeline';
import { IssueActions } from '../issue/IssueActions';
import { RcaPanel } from '../issue/RcaPanel';
import { formatDateTime } from '../lib/format';
import { useLoad } from '../lib/useLoad';

export function IssueDetail() {
  const { id = '' } = useParams();
  const issue = useLoad(() => api.issue(id), [id]);
  const history = useLoad(() => api.history(id), [id]);
  const choices = useLoad(() => Promise.all([api.teams(), api.assignable()]), []);
  const [teams, people] = choices.data ?? [[], []];
  const names = useMemo(() => {
    const known: Record<string, string> = {};
    for (const t of teams) known[t.id] = t.name;
    for (const p of people) known[p.id] = p.name;
    return known;
  }, [teams, people]);

  const { setData: setIssue } = issue;
  const { reload: reloadHistory } = history;
  const apply = useCallback(
    async (change: () => Promise<Issue>) => {
      setIssue(await change());
      reloadHistory();
    },
    [setIssue, reloadHistory],
  );

  if (issue.error) return <ErrorNotice error={issue.error} />;
  if (!issue.data) return <Loading what="the issue" />;
  const current = issue.data;

  return (
    <article className="issue-detail">
      <p className="muted small">
        <Link to="/issues">Issues</Link> / #{current.number}
      </p>
      <h1>
        <span className="muted">#{current.number}</span> {current.title}
      </h1>
      <div className="toolbar">
        <StatusBadge status={current.status} />
        <PriorityBadge priority={current.priority} />
        <span>
          Team: <strong>{current.team_name ?? 'none'}</strong>
        </span>
        <span>
          Assignees:{' '}
          <strong data-testid="assignees">
            {current.assignees.map((a) => a.name).join(', ') || 'nobody'}
          </strong>
        </span>
        {current.slack_permalink && (
          <a href={current.slack_permalink} target="_blank" rel="noreferrer">
            Slack thread ↗
          </a>
        )}
      </div>
      <IssueActions issue={current} teams={teams} people={people} apply={apply} />
      <div className="columns wide-first">
        <div>
          <section className="card" aria-labelledby="about-title">
            <h2 id="about-title">Report</h2>
            <p className="pre">{current.description || 'No description.'}</p>
            <dl className="facts">
              <dt>Category</dt>
              <dd>{current.category}</dd>
              <dt>Source</dt>
              <dd>{current.source}</dd>
              <dt>Reported by</dt>
              <dd>{current.reported_by_name ?? current.reported_by_email ?? '—'}</dd>
              <dt>Reported</dt>
              <dd>{formatDateTime(current.created_at)}</dd>
              {current.resolution_reason && (
                <>
                  <dt>How it was fixed</dt>
                  <dd>{current.resolution_reason}</dd>
                </>
              )}
              {current.close_reason && (
                <>
                  <dt>Why it was closed</dt>
                  <dd>{current.close_reason}</dd>
                </>
              )}
              {current.ai_categorization && (
                <>
                  <dt>Triage</dt>
                  <dd>
                    {current.ai_categorization.reasoning}{' '}
                    <span className="muted">({current.ai_categorization.provider})</span>
                  </dd>
                </>
              )}
            </dl>
          </section>
          <RcaPanel key={current.id} issue={current} />
        </div>
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">History</h2>
          <ErrorNotice error={history.error} />
          {history.data ? (
            <HistoryTimeline entries={history.data} names={names} />
          ) : (
            <Loading what="history" />
          )}
        </section>
      </div>
    </article>
  );
}
