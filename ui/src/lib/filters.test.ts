import { describe, expect, it } from 'vitest';
import { NO_FILTERS, apiQuery, filtersFromQuery, queryFromFilters, withFilter } from './filters';

describe('issue filters in the URL', () => {
  it('read back exactly what was written', () => {
    const filters = {
      ...NO_FILTERS,
      status: 'in_progress' as const,
      active: true,
      resolved_since: '2026-11-30T23:00:00Z',
      priority: 'critical' as const,
      team_id: 't1',
      assigned_to: 'm1',
      mine: true,
      search: 'refund api',
      sort: 'oldest' as const,
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
    const query = new URLSearchParams(
      'status=broken&priority=urgent&page=-2&per_page=9999&sort=priority&active=1&resolved_since=2026-12-01T00:00:00',
    );
    expect(filtersFromQuery(query)).toEqual({ ...NO_FILTERS, per_page: 100 });
  });

  it('send the API its own parameter names, the sort included', () => {
    const query = apiQuery({ ...NO_FILTERS, mine: true, sort: 'oldest', search: 'db' });
    expect(Object.fromEntries(query)).toEqual({
      mine: 'true',
      search: 'db',
      sort: 'oldest',
      page: '1',
      per_page: '20',
    });
    expect(apiQuery(NO_FILTERS).has('sort')).toBe(false); // newest first: the API's default
  });

  it('keep the links of the dashboard cards as they are', () => {
    for (const link of [
      'active=true&priority=critical',
      'resolved_since=2026-11-30T23%3A00%3A00Z',
      'status=resolved&resolved_since=2026-12-01T00%3A00%3A00%2B01%3A00&sort=oldest',
    ]) {
      expect(queryFromFilters(filtersFromQuery(new URLSearchParams(link))).toString()).toBe(link);
    }
    expect(filtersFromQuery(new URLSearchParams('active=true&priority=critical'))).toEqual({
      ...NO_FILTERS,
      active: true,
      priority: 'critical',
    });
  });

  it('go back to the first page when a filter changes', () => {
    const on3 = { ...NO_FILTERS, page: 3 };
    expect(withFilter(on3, { status: 'open' }).page).toBe(1);
    expect(withFilter(on3, { page: 4 }).page).toBe(4);
  });
});
