// The list's filters live in the URL: reading a shared link, and writing each change.
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { FixedSession } from '../auth/session';
import { ADMIN, listItem, PAYMENTS, stubFetch } from '../test/fixtures';
import { IssueList } from './IssueList';

function Where() {
  const location = useLocation();
  return <pre data-testid="where">{location.pathname + location.search}</pre>;
}

function showList(at: string, items = [listItem()]) {
  const stub = stubFetch({
    '/api/issues': { items, total: items.length, page: 1, per_page: 20 },
    '/api/teams': [{ id: PAYMENTS, name: 'Payments' }],
    '/api/members/assignable': [],
  });
  vi.spyOn(globalThis, 'fetch').mockImplementation(stub.fetch as typeof fetch);
  render(
    <FixedSession user={ADMIN}>
      <MemoryRouter initialEntries={[at]}>
        <Routes>
          <Route path="/issues" element={<IssueList />} />
        </Routes>
        <Where />
      </MemoryRouter>
    </FixedSession>,
  );
  return stub;
}

const where = () => screen.getByTestId('where').textContent;
const listCalls = (calls: string[]) => calls.filter((c) => c.startsWith('/api/issues'));

describe('the issue list and the URL', () => {
  it('asks the API for what a shared link says', async () => {
    const { calls } = showList(`/issues?status=open&priority=critical&team_id=${PAYMENTS}&search=refund&page=2`);
    await screen.findByText('Refunds API timing out');
    expect(listCalls(calls)).toEqual([
      `/api/issues?status=open&priority=critical&team_id=${PAYMENTS}&search=refund&page=2&per_page=20`,
    ]);
    expect((screen.getByRole('searchbox') as HTMLInputElement).value).toBe('refund');
    expect((screen.getByRole('combobox', { name: 'Status' }) as HTMLSelectElement).value).toBe('open');
  });

  it('writes each filter into the URL and starts again from page 1', async () => {
    const { calls } = showList('/issues?page=3');
    await screen.findByText('Refunds API timing out');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Priority' }), 'high');
    expect(where()).toBe('/issues?priority=high');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Mine' }));
    expect(where()).toBe('/issues?priority=high&mine=true');
    await userEvent.type(screen.getByRole('searchbox'), 'db down{Enter}');
    expect(where()).toBe('/issues?priority=high&mine=true&search=db+down');
    await waitFor(() =>
      expect(listCalls(calls).at(-1)).toBe('/api/issues?priority=high&mine=true&search=db+down&page=1&per_page=20'),
    );
  });

  it('asks the API to sort the whole list, from the first page', async () => {
    const { calls } = showList('/issues?page=3');
    await screen.findByText('Refunds API timing out');
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toContain('Oldest first');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Sort' }), 'oldest');
    expect(where()).toBe('/issues?sort=oldest');
    await waitFor(() => expect(listCalls(calls).at(-1)).toBe('/api/issues?sort=oldest&page=1&per_page=20'));
  });

  it('offers "open or in progress" and shows the resolved-since filter it was given', async () => {
    const { calls } = showList('/issues?resolved_since=2026-11-30T23%3A00%3A00Z');
    await screen.findByText('Refunds API timing out');
    expect(listCalls(calls)).toEqual(['/api/issues?resolved_since=2026-11-30T23%3A00%3A00Z&page=1&per_page=20']);
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'active');
    expect(where()).toBe('/issues?active=true&resolved_since=2026-11-30T23%3A00%3A00Z');
    expect((screen.getByRole('combobox', { name: 'Status' }) as HTMLSelectElement).value).toBe('active');
    await userEvent.click(screen.getByRole('button', { name: 'Show issues resolved at any time' }));
    expect(where()).toBe('/issues?active=true');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'open');
    expect(where()).toBe('/issues?status=open');
  });

  it('says so when nothing matches', async () => {
    showList('/issues?search=nothing', []);
    expect(await screen.findByText('No issues match these filters.')).toBeTruthy();
  });

  it('shows a loading state before the data arrives', () => {
    showList('/issues');
    expect(screen.getByRole('status').textContent).toContain('Loading issues');
  });
});
