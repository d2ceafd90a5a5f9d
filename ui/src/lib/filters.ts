// The issue list's filters, sorting and page live in the URL's query, so back/forward
// and a shared link show the same list. The API's own parameter names are used.
import type { IssueListItem, Priority, Status } from '../api/types';
import { PRIORITIES, STATUSES } from '../api/types';

export const SORTS = ['newest', 'oldest', 'priority', 'status', 'number'] as const;
export type Sort = (typeof SORTS)[number];
export const PER_PAGE_CHOICES = [20, 50, 100] as const;

export interface IssueFilters {
  status: Status | null;
  priority: Priority | null;
  team_id: string | null;
  assigned_to: string | null;
  mine: boolean;
  search: string;
  sort: Sort;
  page: number;
  per_page: number;
}

export const NO_FILTERS: IssueFilters = {
  status: null,
  priority: null,
  team_id: null,
  assigned_to: null,
  mine: false,
  search: '',
  sort: 'newest',
  page: 1,
  per_page: 20,
};

function oneOf<T extends string>(value: string | null, choices: readonly T[]): T | null {
  return value !== null && (choices as readonly string[]).includes(value) ? (value as T) : null;
}

function positive(value: string | null, fallback: number, max: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

/** Filters from the address bar; anything unknown or malformed falls back to the default. */
export function filtersFromQuery(query: URLSearchParams): IssueFilters {
  return {
    status: oneOf(query.get('status'), STATUSES),
    priority: oneOf(query.get('priority'), PRIORITIES),
    team_id: query.get('team_id') || null,
    assigned_to: query.get('assigned_to') || null,
    mine: query.get('mine') === 'true',
    search: query.get('search') ?? '',
    sort: oneOf(query.get('sort'), SORTS) ?? 'newest',
    page: positive(query.get('page'), 1, 1_000_000),
    per_page: positive(query.get('per_page'), 20, 100),
  };
}

/** The address bar's query: defaults are left out so links stay short. */
export function queryFromFilters(filters: IssueFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.priority) query.set('priority', filters.priority);
  if (filters.team_id) query.set('team_id', filters.team_id);
  if (filters.assigned_to) query.set('assigned_to', filters.assigned_to);
  if (filters.mine) query.set('mine', 'true');
  if (filters.search.trim()) query.set('search', filters.search.trim());
  if (filters.sort !== 'newest') query.set('sort', filters.sort);
  if (filters.page !== 1) query.set('page', String(filters.page));
  if (filters.per_page !== 20) query.set('per_page', String(filters.per_page));
  return query;
}

/** The API's query for these filters (it has no sort: the page is sorted here). */
export function apiQuery(filters: IssueFilters): URLSearchParams {
  const query = queryFromFilters(filters);
  query.delete('sort');
  query.set('page', String(filters.page));
  query.set('per_page', String(filters.per_page));
  return query;
}

/** A change of any filter starts again from the first page. */
export function withFilter(filters: IssueFilters, change: Partial<IssueFilters>): IssueFilters {
  const page = 'page' in change ? (change.page ?? 1) : 1;
  return { ...filters, ...change, page };
}

const PRIORITY_RANK: Record<Priority, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const STATUS_RANK: Record<Status, number> = { open: 0, in_progress: 1, resolved: 2, closed: 3 };

/** The page's rows in the chosen order (the API always answers newest first). */
export function sortIssues(items: readonly IssueListItem[], sort: Sort): IssueListItem[] {
  const rows = [...items];
  const newest = (a: IssueListItem, b: IssueListItem) => b.created_at.localeCompare(a.created_at);
  switch (sort) {
    case 'newest':
      return rows.sort(newest);
    case 'oldest':
      return rows.sort((a, b) => -newest(a, b));
    case 'priority':
      return rows.sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || newest(a, b));
    case 'status':
      return rows.sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || newest(a, b));
    case 'number':
      return rows.sort((a, b) => a.number - b.number);
  }
}
