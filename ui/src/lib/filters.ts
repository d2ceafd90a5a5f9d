// The issue list's filters, sorting and page live in the URL's query, so back/forward
// and a shared link show the same list. The API's own parameter names are used, and the
// API sorts: only the orders its indexes serve are offered (docs/dashboard.md).
import type { Priority, Status } from '../api/types';
import { PRIORITIES, STATUSES } from '../api/types';

export const SORTS = ['newest', 'oldest'] as const;
export type Sort = (typeof SORTS)[number];
export const PER_PAGE_CHOICES = [20, 50, 100] as const;

export interface IssueFilters {
  status: Status | null;
  /** Open or in progress (what the Critical card counts). */
  active: boolean;
  /** An ISO 8601 instant: issues resolved at or after it ("Resolved today"). */
  resolved_since: string | null;
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
  active: false,
  resolved_since: null,
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

function instant(value: string | null): string | null {
  // With its offset (or Z), as the API requires; anything else is dropped.
  return value && /(Z|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : null;
}

function positive(value: string | null, fallback: number, max: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

/** Filters from the address bar; anything unknown or malformed falls back to the default. */
export function filtersFromQuery(query: URLSearchParams): IssueFilters {
  return {
    status: oneOf(query.get('status'), STATUSES),
    active: query.get('active') === 'true',
    resolved_since: instant(query.get('resolved_since')),
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
  if (filters.active) query.set('active', 'true');
  if (filters.resolved_since) query.set('resolved_since', filters.resolved_since);
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

/** The API's query for these filters, sort included (the API orders the whole list). */
export function apiQuery(filters: IssueFilters): URLSearchParams {
  const query = queryFromFilters(filters);
  query.set('page', String(filters.page));
  query.set('per_page', String(filters.per_page));
  return query;
}

/** A change of any filter starts again from the first page. */
export function withFilter(filters: IssueFilters, change: Partial<IssueFilters>): IssueFilters {
  const page = 'page' in change ? (change.page ?? 1) : 1;
  return { ...filters, ...change, page };
}
