"""Turn the core's Structs into wire shapes, with the names the wire adds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from argus_core.domain.history import HistoryEntry
from argus_core.domain.issue import Issue, Rca, RcaProgress
from argus_core.domain.people import Actor, ApiToken
from argus_core.domain.team import Member, Team
from argus_core.ports import UnitOfWork
from argus_core.queries import IssueSummary
from argus_web.api import schemas as s


class Names:
    """Team and member names needed to present a set of issues (two small queries)."""

    def __init__(self, teams: Mapping[UUID, str], members: Mapping[UUID, Member]) -> None:
        self.teams = teams
        self.members = members

    @classmethod
    async def load(cls, uow: UnitOfWork, issues: Iterable[Issue]) -> Names:
        issues = list(issues)
        member_ids = {m for i in issues for m in i.assignee_ids}
        async with uow:
            teams = {t.id: t.name for t in await uow.teams.list()}
            members = {m.id: m for m in await uow.members.get_many(member_ids)}
        return cls(teams, members)

    def assignees(self, issue: Issue) -> list[s.AssigneeOut]:
        return [
            s.AssigneeOut(id=m.id, name=m.name, slack_user_id=m.slack_user_id)
            for m in (self.members.get(i) for i in issue.assignee_ids)
            if m is not None
        ]


def list_item(issue: IssueSummary) -> s.IssueListItem:
    assignees = [
        s.AssigneeOut(id=a.id, name=a.name, slack_user_id=a.slack_user_id) for a in issue.assignees
    ]
    return s.IssueListItem(
        id=issue.id,
        number=issue.number,
        title=issue.title,
        status=issue.status,
        priority=issue.priority,
        category=issue.category,
        team_id=issue.team_id,
        assigned_to=assignees[0].id if assignees else None,
        assignees=assignees,
        reported_by_name=issue.reporter_name,
        created_at=issue.created_at,
        updated_at=issue.updated_at,
        assignee_name=assignees[0].name if assignees else None,
        team_name=issue.team_name,
    )


def issue_out(issue: Issue, names: Names) -> s.IssueOut:
    assignees = names.assignees(issue)
    c = issue.categorization
    slack = issue.slack
    return s.IssueOut(
        **_list_fields(issue, names, assignees),
        description=issue.description,
        source=issue.source.value,
        reported_by_slack_id=issue.reporter.slack_user_id,
        reported_by_email=issue.reporter.email,
        slack_channel_id=slack.channel_id if slack else None,
        slack_channel_name=slack.channel_name if slack else None,
        slack_thread_ts=slack.thread_ts if slack else None,
        slack_message_ts=slack.message_ts if slack else None,
        slack_permalink=slack.permalink if slack else None,
        ai_categorization=None
        if c is None
        else s.CategorizationOut(
            title=c.title,
            category=c.category,
            priority=c.priority.value,
            team_name=c.team_name,
            reasoning=c.reasoning,
            provider=c.provider,
            confidence=c.confidence,
        ),
        ai_rca=None if issue.rca is None else rca_out(issue.rca),
        ai_provider_used=issue.rca.provider if issue.rca else None,
        resolution_reason=issue.resolution_reason,
        close_reason=issue.close_reason,
        resolved_at=issue.resolved_at,
        resolved_by=issue.resolved_by,
        closed_at=issue.closed_at,
        first_acknowledged_at=issue.first_acknowledged_at,
        notifications_muted=issue.notifications_muted,
        last_reminder_sent_at=issue.last_reminded_at,
    )


async def present(uow: UnitOfWork, issue: Issue) -> s.IssueOut:
    """One issue on the wire, with its team and assignee names."""
    return issue_out(issue, await Names.load(uow, [issue]))


def _list_fields(issue: Issue, names: Names, assignees: list[s.AssigneeOut]) -> dict[str, Any]:
    return {
        "id": issue.id,
        "number": issue.number,
        "title": issue.title,
        "status": issue.status,
        "priority": issue.priority,
        "category": issue.category,
        "team_id": issue.team_id,
        "assigned_to": issue.primary_assignee_id,
        "assignees": assignees,
        "reported_by_name": issue.reporter.name,
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "assignee_name": assignees[0].name if assignees else None,
        "team_name": names.teams.get(issue.team_id) if issue.team_id else None,
    }


def rca_out(rca: Rca) -> s.RcaOut:
    return s.RcaOut(
        status=rca.state.value,
        summary=rca.summary,
        full_report=rca.full_report,
        root_causes=[
            s.RootCauseOut(cause=r.cause, probability=r.probability) for r in rca.root_causes
        ],
        investigation_steps=list(rca.investigation_steps),
        suggested_fixes=list(rca.suggested_fixes),
        related_systems=list(rca.related_systems),
        source=rca.source,
        tools_called=list(rca.tools_called),
        tool_details=[],
        provider=rca.provider,
        sections=dict(rca.sections),
        progress=[progress_out(p) for p in rca.progress],
    )


def history_out(entries: Sequence[HistoryEntry]) -> list[s.HistoryOut]:
    return [
        s.HistoryOut(
            id=e.id,
            issue_id=e.issue_id,
            action=e.action.value,
            old_value=e.old_value,
            new_value=e.new_value,
            performed_by=e.performed_by,
            created_at=e.created_at,
        )
        for e in entries
    ]


def member_out(m: Member) -> s.MemberOut:
    return s.MemberOut(
        id=m.id,
        team_id=m.team_id,
        name=m.name,
        slack_user_id=m.slack_user_id,
        email=m.email,
        role=m.role,
        is_active=m.is_active,
        notifications_muted=m.notifications_muted,
        open_issue_count=m.open_issue_count,
        total_assigned_count=m.total_assigned_count,
        created_at=m.created_at,
    )


def _team_fields(t: Team) -> dict[str, Any]:
    r = t.reminders
    return {
        "id": t.id,
        "name": t.name,
        "description": t.description,
        "slack_channel_id": t.slack_channel_id,
        "reminder_frequency_minutes": r.frequency_minutes,
        "reminder_start_hour": r.start_hour,
        "reminder_end_hour": r.end_hour,
        "reminder_timezone": r.timezone,
        "reminder_intervals": {p.value: m for p, m in r.per_priority.items()},
        "notifications_enabled": r.enabled,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    }


def team_out(t: Team) -> s.TeamOut:
    return s.TeamOut(**_team_fields(t))


def team_detail_out(t: Team, members: Sequence[Member]) -> s.TeamDetailOut:
    return s.TeamDetailOut(**_team_fields(t), members=[member_out(m) for m in members])


def user_out(actor: Actor, slack_user_id: str | None = None) -> s.UserOut:
    return s.UserOut(
        id=actor.user_id,
        email=actor.email,
        name=actor.name,
        slack_user_id=slack_user_id,
        is_admin=actor.is_admin,
        roles={str(team): role for team, role in actor.roles.items()},
        member_ids=sorted(actor.member_ids),
    )


def token_out(t: ApiToken) -> s.TokenOut:
    return s.TokenOut(
        id=t.id,
        name=t.name,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
        revoked_at=t.revoked_at,
    )


def progress_out(step: RcaProgress) -> s.ProgressOut:
    return s.ProgressOut(stage=step.stage, message=step.message, tool=step.tool)
