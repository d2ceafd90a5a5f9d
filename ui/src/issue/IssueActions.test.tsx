// Role gating on the issue page: hidden for viewers, disabled with a reason otherwise.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { User } from '../api/types';
import { FixedSession } from '../auth/session';
import { AGENT, ASSIGNEE, MANAGER, VIEWER, issue } from '../test/fixtures';
import { IssueActions } from './IssueActions';

function show(user: User, apply = vi.fn(async () => {})) {
  render(
    <FixedSession user={user}>
      <IssueActions issue={issue()} teams={[]} people={[]} apply={apply} />
    </FixedSession>,
  );
  return apply;
}

const refused = (name: string) =>
  screen.getByRole('button', { name }).getAttribute('aria-disabled') === 'true';

describe('issue actions by role', () => {
  it('shows a viewer no edit actions at all', () => {
    show(VIEWER);
    expect(screen.queryAllByRole('button')).toHaveLength(0);
    expect(screen.queryByRole('combobox')).toBeNull();
  });

  it('lets a manager of the team do everything', () => {
    show(MANAGER);
    for (const name of ['Start work', 'Resolve…', 'Close…', 'Assign…']) expect(refused(name)).toBe(false);
  });

  it('lets an assignee resolve but not close, with the reason as tooltip', () => {
    show(ASSIGNEE);
    expect(refused('Resolve…')).toBe(false);
    expect(refused('Close…')).toBe(true);
    expect(screen.getByRole('button', { name: 'Close…' }).title).toBe(
      "Only the issue's team managers and admins can close it.",
    );
  });

  it('does nothing when a refused action is pressed', async () => {
    const apply = show(AGENT);
    expect(refused('Start work')).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Start work' }));
    expect(apply).not.toHaveBeenCalled();
  });

  it('shows the API refusal when it comes anyway', async () => {
    const apply = vi.fn(async () => {
      throw new Error('Only the issue’s assignees can change its status.');
    });
    show(MANAGER, apply);
    await userEvent.click(screen.getByRole('button', { name: 'Start work' }));
    expect((await screen.findByRole('alert')).textContent).toContain('can change its status');
  });
});
