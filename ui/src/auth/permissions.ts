// The role table of DESIGN.md §2, as the UI needs it to hide or disable what the API
// would refuse. The API stays the judge: a refusal it sends is still shown.
import type { Issue, User } from '../api/types';

/** Allowed, or the reason shown in the disabled control's tooltip. */
export type Permission = { allowed: true } | { allowed: false; reason: string };

const yes: Permission = { allowed: true };
const no = (reason: string): Permission => ({ allowed: false, reason });

type IssueScope = Pick<Issue, 'team_id' | 'assignees'>;

export function isManagerOf(user: User, teamId: string | null | undefined): boolean {
  return teamId != null && user.roles[teamId] === 'manager';
}

export function isAssignee(user: User, issue: IssueScope): boolean {
  return issue.assignees.some((a) => user.member_ids.includes(a.id));
}

export function isViewer(user: User): boolean {
  return !user.is_admin && Object.keys(user.roles).length === 0;
}

function managerOrAssignee(user: User, issue: IssueScope, reason: string): Permission {
  if (user.is_admin || isManagerOf(user, issue.team_id) || isAssignee(user, issue)) return yes;
  return no(reason);
}

function managerOnly(user: User, teamId: string | null | undefined, reason: string): Permission {
  return user.is_admin || isManagerOf(user, teamId) ? yes : no(reason);
}

export const can = {
  createIssue: (user: User): Permission =>
    isViewer(user) ? no('Viewers cannot create issues; ask an admin to add you to a team.') : yes,
  changeStatus: (user: User, issue: IssueScope) =>
    managerOrAssignee(
      user,
      issue,
      "Only the issue's assignees, its team's managers and admins can change its status.",
    ),
  resolve: (user: User, issue: IssueScope) =>
    managerOrAssignee(
      user,
      issue,
      "Only the issue's assignees, its team's managers and admins can resolve it.",
    ),
  close: (user: User, issue: IssueScope) =>
    managerOnly(user, issue.team_id, "Only the issue's team managers and admins can close it."),
  reassign: (user: User, issue: IssueScope) =>
    managerOnly(user, issue.team_id, "Only the issue's team managers and admins can reassign it."),
  rerunRca: (user: User, issue: IssueScope) =>
    managerOnly(
      user,
      issue.team_id,
      "Only the issue's team managers and admins can re-run its analysis.",
    ),
  manageTeam: (user: User, teamId: string) =>
    managerOnly(user, teamId, "Only the team's managers and admins can change it."),
  manageTeams: (user: User): Permission =>
    user.is_admin ? yes : no('Only admins can create or delete teams.'),
  grantManager: (user: User): Permission =>
    user.is_admin ? yes : no('Only admins can grant or remove the manager role.'),
};

/** Reopening is a status change. */
export const canReopen = can.changeStatus;
