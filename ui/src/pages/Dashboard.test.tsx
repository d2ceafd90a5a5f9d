// The cards: each figure links to the list of exactly what it counts.
import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { FixedSession } from '../auth/session';
import { ADMIN, stubFetch } from '../test/fixtures';
import { Dashboard, browserTimeZone } from './Dashboard';

const STATS = {
  total_issues: 40,
  open_issues: 10,
  in_progress_issues: 5,
  resolved_issues: 20,
  critical_issues: 3,
  avg_resolution_hours: 4.5,
  resolved_today: 2,
  resolved_since: '2026-11-30T23:00:00Z',
};

describe('the dashboard cards', () => {
  it('ask for today in the browser’s time zone and link to what they count', async () => {
    const stub = stubFetch({
      '/api/dashboard/stats': STATS,
      '/api/dashboard/team-stats': [],
      '/api/issues': { items: [], total: 0, page: 1, per_page: 8 },
      '/api/dashboard/recent-activity': [],
    });
    vi.spyOn(globalThis, 'fetch').mockImplementation(stub.fetch as typeof fetch);
    render(
      <FixedSession user={ADMIN}>
        <MemoryRouter>
          <Dashboard />
        </MemoryRouter>
      </FixedSession>,
    );
    const today = await screen.findByRole('link', { name: /^2 ?Resolved today/ });
    expect(today.getAttribute('href')).toBe('/issues?resolved_since=2026-11-30T23%3A00%3A00Z');
    expect(screen.getByRole('link', { name: /^3 ?Critical/ }).getAttribute('href')).toBe(
      '/issues?active=true&priority=critical',
    );
    const tz = new URLSearchParams({ tz: browserTimeZone() }).toString();
    expect(stub.calls).toContain(`/api/dashboard/stats?${tz}`);
  });
});
