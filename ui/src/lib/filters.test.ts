import { describe, expect, it } from 'vitest';
import { listItem } from '../test/fixtures';
import {
  NO_FILTERS,
  apiQuery,
  filtersFromQuery,
  queryFromFilters,
  sortIssues,
  withFilter,
} from './filters';

describe('issue filters in the URL', () => {
  it('read back exactly what was written', () => {
    const filters = {
      ...NO_FILTERS,
      status: 'in_progress' as const,
      priority: 'critical' as const,
      team_id: 't1',
      assigned_to: 'm1',
      mine: true,
      search: 'refund api',
      sort: 'priority' as const,
      page: 3,
      per_page: 50,
    };
    expect(filtersFromQuery(queryFromFilters(filters))).toEqual(filters);
  });

  it('leave defaults out so shared links stay short', () => {
    expect(queryFromFilters(NO_FILTERS).toString()).toBe('');
    expect(queryFromFilters({ ...NO_FILTERS, search: '  ' }).toString()).toBe('');
  });

  it('ignore values the API would refuse', () => {
    const query = new URLSearchParams('status=broken&priority=urgent&page=-2&per_page=9999&sort=x');
    expect(filtersFromQuery(query)).toEqual({ ...NO_FILTERS, per_page: 100 });
  });

  it('send the API its own parameter names, never the sort', () => {
    const query = apiQuery({ ...NO_FILTERS, mine: true, sort: 'oldest', search: 'db' });
    expect(Object.fromEntries(query)).toEqual({
      mine: 'true',
      search: 'db',
      page: '1',
      per_page: '20',
    });
  });

  it('go back to the first page when a filter changes', () => {
    const on3 = { ...NO_FILTERS, page: 3 };
    expect(withFilter(on3, { status: 'open' }).page).toBe(1);
    expect(withFilter(on3, { page: 4 }).page).toBe(4);
  });
});

describe('sorting a page', () => {
  const rows = [
    listItem({ id: 'a', number: 1, priority: 'low', status: 'closed', created_at: '2026-11-01T00:00:00Z' }),
    listItem({ id: 'b', number: 2, priority: 'critical', status: 'open', created_at: '2026-11-03T00:00:00Z' }),
    listItem({ id: 'c', number: 3, priority: 'high', status: 'in_progress', created_at: '2026-11-02T00:00:00Z' }),
  ];
  const ids = (sorted: typeof rows) => sorted.map((r) => r.id).join('');

  it('orders by age, priority, status or number', () => {
    expect(ids(sortIssues(rows, 'newest'))).toBe('bca');
    expect(ids(sortIssues(rows, 'oldest'))).toBe('acb');
    expect(ids(sortIssues(rows, 'priority'))).toBe('bca');
    expect(ids(sortIssues(rows, 'status'))).toBe('bca');
    expect(ids(sortIssues(rows, 'number'))).toBe('abc');
  });
});
