// The state of production at a glance; every figure links to the list behind it.
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import type { History, IssueListItem, Stats, TeamStats } from '../api/types';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { StatusBadge, PriorityBadge } from '../components/Badges';
import { ageText, waitingLevel } from '../lib/age';
import { formatDateTime, formatHours } from '../lib/format';
import { actionLabel, changeText } from '../lib/history';
import { useLoad } from '../lib/useLoad';

interface Overview {
  stats: Stats;
  teams: TeamStats[];
  recent: IssueListItem[];
  activity: History[];
}

/** The browser's time zone: "today" starts at its midnight. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Where each card leads: the list of exactly the issues its figure counts. */
export function cardLinks(stats: Pick<Stats, 'resolved_since'>) {
  const since = new URLSearchParams({ resolved_since: stats.resolved_since });
  return {
    open: '/issues?status=open',
    inProgress: '/issues?status=in_progress',
    critical: '/issues?active=true&priority=critical',
    resolvedToday: `/issues?${since}`,
    resolved: '/issues?status=resolved',
  };
}

async function loadOverview(): Promise<Overview> {
  const [stats, teams, page, activity] = await Promise.all([
    api.stats(browserTimeZone()),
    api.teamStats(),
    api.issues(new URLSearchParams({ per_page: '8' })),
    api.recentActivity(10),
  ]);
  return { stats, teams, recent: page.items, activity };
}

function StatCard({ label, value, to, hint }: { label: string; value: string; to: string; hint?: string }) {
  return (
    <Link className="stat-card" to={to}>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
      {hint && <span className="stat-hint">{hint}</span>}
    </Link>
  );
}

export function Dashboard() {
  const { data, error, loading } = useLoad(loadOverview, []);
  if (error) return <ErrorNotice error={error} />;
  if (loading || !data) return <Loading what="the dashboard" />;
  const { stats, teams, recent, activity } = data;
  const links = cardLinks(stats);
  return (
    <div className="dashboard">
      <div className="page-head">
        <h1>Dashboard</h1>
        <nav aria-label="Quick links" className="quick-links">
          <Link to="/issues">All issues</Link>
          <Link to={links.critical}>Critical</Link>
          <Link to="/issues?mine=true">My issues</Link>
        </nav>
      </div>
      <section className="stat-grid" aria-label="Figures">
        <StatCard label="Open" value={String(stats.open_issues)} to={links.open} />
        <StatCard
          label="In progress"
          value={String(stats.in_progress_issues)}
          to={links.inProgress}
        />
        <StatCard
          label="Critical"
          value={String(stats.critical_issues)}
          to={links.critical}
          hint="open or in progress"
        />
        <StatCard
          label="Resolved today"
          value={String(stats.resolved_today)}
          to={links.resolvedToday}
          hint={`${stats.resolved_issues} resolved in all`}
        />
        <StatCard
          label="Mean time to resolve"
          value={formatHours(stats.avg_resolution_hours)}
          to={links.resolved}
        />
      </section>
      <div className="columns">
        <section className="card" aria-labelledby="teams-title">
          <h2 id="teams-title">Teams</h2>
          {teams.length === 0 && <p className="muted">No teams yet.</p>}
          <ul className="team-bars">
            {teams.map((t) => (
              <TeamBar key={t.team_id} team={t} />
            ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="recent-title">
          <h2 id="recent-title">Recent issues</h2>
          {recent.length === 0 && <p className="muted">No issues yet.</p>}
          <ul className="recent">
            {recent.map((issue) => (
              <RecentIssue key={issue.id} issue={issue} />
            ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="activity-title">
          <h2 id="activity-title">Activity</h2>
          {activity.length === 0 && <p className="muted">Nothing has happened yet.</p>}
          <ol className="activity">
            {activity.map((entry) => (
              <li key={entry.id}>
                <strong>{entry.performed_by}</strong> {actionLabel(entry.action)}{' '}
                <span className="muted">{changeText(entry)}</span>{' '}
                <Link to={`/issues/${entry.issue_id}`}>view issue</Link>
                <div className="muted small">{formatDateTime(entry.created_at)}</div>
              </li>
            ))}
          </ol>
        </section>
      </div>
    </div>
  );
}

function TeamBar({ team }: { team: TeamStats }) {
  const total = team.open_count + team.resolved_count;
  const share = total ? Math.round((team.resolved_count / total) * 100) : 0;
  return (
    <li>
      <div className="row spread">
        <Link to={`/issues?team_id=${team.team_id}`}>{team.team_name}</Link>
        <span className="muted small">
          {team.open_count} open · {team.resolved_count} resolved
        </span>
      </div>
      <div
        className="bar"
        role="progressbar"
        aria-label={`${team.team_name}: ${share}% resolved`}
        aria-valuenow={share}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <span style={{ width: `${share}%` }} />
      </div>
    </li>
  );
}

function RecentIssue({ issue }: { issue: IssueListItem }) {
  const level = waitingLevel(issue);
  return (
    <li className={`recent-issue age-${level}`}>
      <Link to={`/issues/${issue.id}`}>
        #{issue.number} {issue.title}
      </Link>
      <div className="row small">
        <StatusBadge status={issue.status} />
        <PriorityBadge priority={issue.priority} />
        <span className="age" title={level === 'fresh' ? undefined : `Waiting over ${level === 'red' ? 48 : 24} h`}>
          {ageText(issue.created_at)}
        </span>
        <span className="muted">{issue.team_name ?? 'No team'}</span>
      </div>
    </li>
  );
}
