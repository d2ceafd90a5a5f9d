// The role table of DESIGN.md §2, row by row.
import { describe, expect, it } from 'vitest';
import type { User } from '../api/types';
import {
  ADMIN,
  AGENT,
  ASSIGNEE,
  MANAGER,
  OTHER_MANAGER,
  PAYMENTS,
  VIEWER,
  issue,
} from '../test/fixtures';
import { can } from './permissions';

const PEOPLE: Record<string, User> = {
  admin: ADMIN,
  manager: MANAGER,
  other_manager: OTHER_MANAGER,
  assignee: ASSIGNEE,
  agent: AGENT,
  viewer: VIEWER,
};
const theIssue = issue(); // Payments, assigned to Priya

function allowed(check: (user: User) => { allowed: boolean }): string[] {
  return Object.entries(PEOPLE)
    .filter(([, user]) => check(user).allowed)
    .map(([role]) => role);
}

describe('the role table', () => {
  it('lets members but not viewers create issues', () => {
    expect(allowed(can.createIssue)).toEqual(['admin', 'manager', 'other_manager', 'assignee', 'agent']);
  });

  it('lets admins, own-team managers and assignees change status and resolve', () => {
    expect(allowed((u) => can.changeStatus(u, theIssue))).toEqual(['admin', 'manager', 'assignee']);
    expect(allowed((u) => can.resolve(u, theIssue))).toEqual(['admin', 'manager', 'assignee']);
  });

  it('lets only admins and own-team managers close, reassign and re-run the analysis', () => {
    expect(allowed((u) => can.close(u, theIssue))).toEqual(['admin', 'manager']);
    expect(allowed((u) => can.reassign(u, theIssue))).toEqual(['admin', 'manager']);
    expect(allowed((u) => can.rerunRca(u, theIssue))).toEqual(['admin', 'manager']);
  });

  it('lets admins and the team manager manage members; only admins manage teams', () => {
    expect(allowed((u) => can.manageTeam(u, PAYMENTS))).toEqual(['admin', 'manager']);
    expect(allowed(can.manageTeams)).toEqual(['admin']);
    expect(allowed(can.grantManager)).toEqual(['admin']);
  });

  it('gives the reason the API would give', () => {
    const refusal = can.close(AGENT, theIssue);
    expect(refusal).toEqual({
      allowed: false,
      reason: "Only the issue's team managers and admins can close it.",
    });
  });
});
