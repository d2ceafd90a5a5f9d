// Every issue, filtered, searched, sorted and paged: all of it in the URL's query.
import { useLayoutEffect, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/endpoints';
import type { Assignable, IssuePage, Team } from '../api/types';
import { can } from '../auth/permissions';
import { useUser } from '../auth/session';
import { PriorityBadge, StatusBadge } from '../components/Badges';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { PriorityOptions, StatusOptions, TeamOptions } from '../components/Options';
import { Table } from '../components/Table';
import { ReportIssue } from '../issue/ReportIssue';
import { ageText, waitingLevel } from '../lib/age';
import {
  PER_PAGE_CHOICES,
  SORTS,
  apiQuery,
  filtersFromQuery,
  queryFromFilters,
  withFilter,
} from '../lib/filters';
import { formatDateTime } from '../lib/format';
import type { IssueFilters, Sort } from '../lib/filters';
import { useLoad } from '../lib/useLoad';

const SORT_LABELS: Record<Sort, string> = {
  newest: 'Newest first',
  oldest: 'Oldest first',
};

/** The Status select's value for ``active=true`` (open or in progress). */
const ACTIVE = 'active';

/** Performance marks the e2e run reads: from the page's data arriving to its rows in the DOM. */
export const RENDER_MEASURE = 'issue-list-render';
const DATA_MARK = 'issue-list-data';

async function loadPage(filters: IssueFilters): Promise<IssuePage> {
  const page = await api.issues(apiQuery(filters));
  performance.mark(DATA_MARK);
  return page;
}

export function IssueList() {
  const [query, setQuery] = useSearchParams();
  const filters = useMemo(() => filtersFromQuery(query), [query]);
  const key = apiQuery(filters).toString();
  const page = useLoad(() => loadPage(filters), [key]);
  const choices = useLoad(() => Promise.all([api.teams(), api.assignable()]), []);
  const user = useUser();
  const [reporting, setReporting] = useState(false);

  function change(next: Partial<IssueFilters>) {
    setQuery(queryFromFilters(withFilter(filters, next)));
  }

  return (
    <div>
      <div className="page-head">
        <h1>Issues</h1>
        {page.data && (
          <span className="muted" aria-live="polite">
            {page.data.total} {page.data.total === 1 ? 'issue' : 'issues'}
          </span>
        )}
        {can.createIssue(user).allowed && (
          <button type="button" className="primary" onClick={() => setReporting(true)}>
            Report an issue
          </button>
        )}
      </div>
      {reporting && (
        <ReportIssue teams={choices.data?.[0] ?? []} onClose={() => setReporting(false)} />
      )}
      <Filters
        filters={filters}
        teams={choices.data?.[0] ?? []}
        people={choices.data?.[1] ?? []}
        onChange={change}
      />
      <ErrorNotice error={page.error} />
      {page.loading && !page.data && <Loading what="issues" />}
      {page.data && <Rows page={page.data} stale={page.loading} />}
      {page.data && <Pager page={page.data} onPage={(n) => change({ page: n })} />}
    </div>
  );
}

interface FiltersProps {
  filters: IssueFilters;
  teams: Team[];
  people: Assignable[];
  onChange: (change: Partial<IssueFilters>) => void;
}

function Filters({ filters, teams, people, onChange }: FiltersProps) {
  const [search, setSearch] = useState(filters.search);
  useLayoutEffect(() => setSearch(filters.search), [filters.search]); // back/forward

  function submit(event: FormEvent) {
    event.preventDefault();
    onChange({ search });
  }

  return (
    <div className="filters">
      <form role="search" onSubmit={submit} className="row grow">
        <label className="grow">
          <span className="sr-only">Search issues</span>
          <input
            type="search"
            placeholder="Search titles and descriptions"
            value={search}
            maxLength={200}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <button type="submit">Search</button>
      </form>
      <label>
        Status
        <select
          value={filters.status ?? (filters.active ? ACTIVE : '')}
          onChange={(e) =>
            onChange(
              e.target.value === ACTIVE
                ? { status: null, active: true }
                : { status: (e.target.value || null) as IssueFilters['status'], active: false },
            )
          }
        >
          <option value="">Any</option>
          <option value={ACTIVE}>Open or in progress</option>
          <StatusOptions />
        </select>
      </label>
      {filters.resolved_since && (
        <span className="filter-chip">
          Resolved since {formatDateTime(filters.resolved_since)}
          <button
            type="button"
            aria-label="Show issues resolved at any time"
            onClick={() => onChange({ resolved_since: null })}
          >
            ×
          </button>
        </span>
      )}
      <label>
        Priority
        <select
          value={filters.priority ?? ''}
          onChange={(e) =>
            onChange({ priority: (e.target.value || null) as IssueFilters['priority'] })
          }
        >
          <option value="">Any</option>
          <PriorityOptions />
        </select>
      </label>
      <label>
        Team
        <select
          value={filters.team_id ?? ''}
          onChange={(e) => onChange({ team_id: e.target.value || null })}
        >
          <option value="">Any</option>
          <TeamOptions teams={teams} />
        </select>
      </label>
      <label>
        Assignee
        <select
          value={filters.assigned_to ?? ''}
          onChange={(e) => onChange({ assigned_to: e.target.value || null })}
        >
          <option value="">Anyone</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.team_name})
            </option>
          ))}
        </select>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={filters.mine}
          onChange={(e) => onChange({ mine: e.target.checked })}
        />
        Mine
      </label>
      <label>
        Sort
        <select
          value={filters.sort}
          onChange={(e) => onChange({ sort: e.target.value as Sort })}
        >
          {SORTS.map((s) => (
            <option key={s} value={s}>
              {SORT_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Per page
        <select
          value={filters.per_page}
          onChange={(e) => onChange({ per_page: Number(e.target.value) })}
        >
          {PER_PAGE_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

const COLUMNS = ['#', 'Title', 'Status', 'Priority', 'Team', 'Assignees', 'Age'] as const;

function Rows({ page, stale }: { page: IssuePage; stale: boolean }) {
  const rows = page.items;
  useLayoutEffect(() => {
    // The rows are in the DOM now: measure from the data's arrival (if it was marked).
    if (performance.getEntriesByName(DATA_MARK).length === 0) return;
    performance.measure(RENDER_MEASURE, { start: DATA_MARK, detail: { rows: rows.length } });
    performance.clearMarks(DATA_MARK);
  }, [rows]);

  if (rows.length === 0) {
    return (
      <div className="empty">
        <p>No issues match these filters.</p>
        <Link to="/issues">Clear all filters</Link>
      </div>
    );
  }
  return (
    <Table columns={COLUMNS} className="issues" busy={stale}>
          {rows.map((issue) => {
            const level = waitingLevel(issue);
            return (
              <tr key={issue.id}>
                <td data-label="#">{issue.number}</td>
                <td data-label="Title">
                  <Link to={`/issues/${issue.id}`}>{issue.title}</Link>
                </td>
                <td data-label="Status">
                  <StatusBadge status={issue.status} />
                </td>
                <td data-label="Priority">
                  <PriorityBadge priority={issue.priority} />
                </td>
                <td data-label="Team">{issue.team_name ?? '—'}</td>
                <td data-label="Assignees">
                  {issue.assignees.map((a) => a.name).join(', ') || '—'}
                </td>
                <td data-label="Age" className={`age-${level}`}>
                  {ageText(issue.created_at)}
                </td>
              </tr>
            );
          })}
    </Table>
  );
}

function Pager({ page, onPage }: { page: IssuePage; onPage: (page: number) => void }) {
  const pages = Math.max(1, Math.ceil(page.total / page.per_page));
  if (pages === 1) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={page.page <= 1} onClick={() => onPage(page.page - 1)}>
        Previous
      </button>
      <span>
        Page {page.page} of {pages}
      </span>
      <button type="button" disabled={page.page >= pages} onClick={() => onPage(page.page + 1)}>
        Next
      </button>
    </nav>
  );
}
