// Every call the dashboard makes, typed by the OpenAPI schema's shapes.
import { request, url } from './client';
import type {
  Assignable,
  GoogleUrl,
  History,
  Issue,
  IssuePage,
  IssuePatch,
  NewIssue,
  Member,
  MemberIn,
  MemberPatch,
  SignedIn,
  Stats,
  Team,
  TeamDetail,
  TeamIn,
  TeamPatch,
  TeamStats,
  User,
} from './types';

const issue = (id: string) => ({ issue_id: id });

export const api = {
  devLogin: (email: string) =>
    request<SignedIn>('POST', url('/api/auth/dev-login'), { email }),
  googleUrl: () => request<GoogleUrl>('GET', url('/api/auth/google/url')),
  googleCallback: (code: string, state: string) =>
    request<SignedIn>('POST', url('/api/auth/google/callback'), { code, state }),
  me: () => request<User>('GET', url('/api/auth/me')),

  /** ``resolved_today`` counts from the last midnight in ``tz`` (an IANA zone name). */
  stats: (tz: string) =>
    request<Stats>('GET', url('/api/dashboard/stats', {}, new URLSearchParams({ tz }))),
  teamStats: () => request<TeamStats[]>('GET', url('/api/dashboard/team-stats')),
  recentActivity: (limit: number) =>
    request<History[]>(
      'GET',
      url('/api/dashboard/recent-activity', {}, new URLSearchParams({ limit: String(limit) })),
    ),

  issues: (query: URLSearchParams) => request<IssuePage>('GET', url('/api/issues', {}, query)),
  reportIssue: (issue: NewIssue) => request<Issue>('POST', url('/api/issues'), issue),
  issue: (id: string) => request<Issue>('GET', url('/api/issues/{issue_id}', issue(id))),
  updateIssue: (id: string, patch: IssuePatch) =>
    request<Issue>('PATCH', url('/api/issues/{issue_id}', issue(id)), patch),
  resolve: (id: string, reason: string) =>
    request<Issue>('POST', url('/api/issues/{issue_id}/resolve', issue(id)), { reason }),
  close: (id: string, reason: string) =>
    request<Issue>('POST', url('/api/issues/{issue_id}/close', issue(id)), { reason }),
  reopen: (id: string) => request<Issue>('POST', url('/api/issues/{issue_id}/reopen', issue(id))),
  history: (id: string) =>
    request<History[]>('GET', url('/api/issues/{issue_id}/history', issue(id))),
  rerunRca: (id: string) =>
    request<{ status: string }>('POST', url('/api/issues/{issue_id}/rca', issue(id))),
  /** EventSource cannot send headers: the stream takes the token in its query. */
  rcaStreamUrl: (id: string, token: string) =>
    url('/api/issues/{issue_id}/rca/stream', issue(id), new URLSearchParams({ token })),

  teams: () => request<Team[]>('GET', url('/api/teams')),
  team: (id: string) => request<TeamDetail>('GET', url('/api/teams/{team_id}', { team_id: id })),
  createTeam: (team: TeamIn) => request<Team>('POST', url('/api/teams'), team),
  updateTeam: (id: string, patch: TeamPatch) =>
    request<Team>('PATCH', url('/api/teams/{team_id}', { team_id: id }), patch),
  deleteTeam: (id: string) =>
    request<void>('DELETE', url('/api/teams/{team_id}', { team_id: id })),
  addMember: (teamId: string, member: MemberIn) =>
    request<Member>('POST', url('/api/teams/{team_id}/members', { team_id: teamId }), member),
  updateMember: (id: string, patch: MemberPatch) =>
    request<Member>('PATCH', url('/api/members/{member_id}', { member_id: id }), patch),
  removeMember: (id: string) =>
    request<void>('DELETE', url('/api/members/{member_id}', { member_id: id })),
  assignable: () => request<Assignable[]>('GET', url('/api/members/assignable')),
};
