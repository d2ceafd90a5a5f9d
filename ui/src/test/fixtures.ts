// Small, readable people and issues for component tests.
import type { Issue, IssueListItem, User } from '../api/types';

export const PAYMENTS = '11111111-1111-4111-8111-111111111111';
export const SEARCH = '22222222-2222-4222-8222-222222222222';
export const PRIYA_MEMBER = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

function user(name: string, over: Partial<User> = {}): User {
  return {
    id: `${name}-id`,
    email: `${name}@example.com`,
    name,
    slack_user_id: null,
    is_admin: false,
    roles: {},
    member_ids: [],
    ...over,
  };
}

export const ADMIN = user('admin', { is_admin: true });
export const MANAGER = user('maria', { roles: { [PAYMENTS]: 'manager' }, member_ids: ['m-maria'] });
export const OTHER_MANAGER = user('bob', { roles: { [SEARCH]: 'manager' }, member_ids: ['m-bob'] });
export const ASSIGNEE = user('priya', { roles: { [PAYMENTS]: 'agent' }, member_ids: [PRIYA_MEMBER] });
export const AGENT = user('omar', { roles: { [PAYMENTS]: 'agent' }, member_ids: ['m-omar'] });
export const VIEWER = user('vic');

export function listItem(over: Partial<IssueListItem> = {}): IssueListItem {
  return {
    id: 'issue-1',
    number: 1,
    title: 'Refunds API timing out',
    status: 'open',
    priority: 'high',
    category: 'payments',
    team_id: PAYMENTS,
    team_name: 'Payments',
    assigned_to: PRIYA_MEMBER,
    assignee_name: 'Priya Patel',
    assignees: [{ id: PRIYA_MEMBER, name: 'Priya Patel', slack_user_id: null }],
    reported_by_name: 'On-call bot',
    created_at: '2026-11-30T10:00:00Z',
    updated_at: '2026-11-30T10:00:00Z',
    ...over,
  };
}

export function issue(over: Partial<Issue> = {}): Issue {
  return {
    ...listItem(),
    description: 'Refunds fail for merchant 42.',
    source: 'web',
    reported_by_slack_id: null,
    reported_by_email: null,
    slack_channel_id: null,
    slack_channel_name: null,
    slack_thread_ts: null,
    slack_message_ts: null,
    slack_permalink: null,
    ai_categorization: null,
    ai_rca: null,
    ai_provider_used: null,
    resolution_reason: null,
    close_reason: null,
    resolved_at: null,
    resolved_by: null,
    closed_at: null,
    first_acknowledged_at: null,
    notifications_muted: false,
    last_reminder_sent_at: null,
    ...over,
  };
}

/** A fetch stub answering JSON by path (query ignored); records every URL asked for. */
export function stubFetch(answers: Record<string, unknown>) {
  const calls: string[] = [];
  const fetch = async (input: RequestInfo | URL) => {
    const target = String(input);
    calls.push(target);
    const path = target.split('?')[0] ?? target;
    if (!(path in answers)) return new Response('{}', { status: 404 });
    return new Response(JSON.stringify(answers[path]), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    });
  };
  return { fetch, calls };
}
