"""Rows to Structs and back; the only place that knows both shapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from uuid import UUID

import msgspec
import sqlalchemy as sa

from argus_core.domain.history import HistoryAction, HistoryEntry
from argus_core.domain.issue import Categorization, Issue, Rca, Reporter, SlackRef
from argus_core.domain.people import User
from argus_core.domain.team import Member, ReminderSettings, Team
from argus_core.domain.values import MemberRole, Priority, Source, Status
from argus_core.queries import AssigneeName, IssueSummary, search_terms

S = TypeVar("S")


def team_values(team: Team) -> dict[str, Any]:
    r = team.reminders
    return {
        "id": team.id,
        "name": team.name,
        "name_key": team.name.casefold(),
        "description": team.description,
        "slack_channel_id": team.slack_channel_id,
        "reminders_enabled": r.enabled,
        "reminder_frequency_minutes": r.frequency_minutes,
        "reminder_per_priority": {p.value: m for p, m in r.per_priority.items()},
        "reminder_start_hour": r.start_hour,
        "reminder_end_hour": r.end_hour,
        "reminder_timezone": r.timezone,
        "created_at": team.created_at,
        "updated_at": team.updated_at,
    }


def to_team(row: sa.Row[Any]) -> Team:
    return Team(
        id=row.id,
        name=row.name,
        description=row.description,
        slack_channel_id=row.slack_channel_id,
        reminders=ReminderSettings(
            enabled=row.reminders_enabled,
            frequency_minutes=row.reminder_frequency_minutes,
            per_priority={Priority(p): m for p, m in row.reminder_per_priority.items()},
            start_hour=row.reminder_start_hour,
            end_hour=row.reminder_end_hour,
            timezone=row.reminder_timezone,
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


MEMBER_FIELDS = ("name", "slack_user_id", "email", "is_active", "notifications_muted")


def member_values(member: Member) -> dict[str, Any]:
    return {
        "id": member.id,
        "team_id": member.team_id,
        "role": member.role.value,
        "open_issue_count": member.open_issue_count,
        "total_assigned_count": member.total_assigned_count,
        "last_assigned_at": member.last_assigned_at,
        "created_at": member.created_at,
        **{f: getattr(member, f) for f in MEMBER_FIELDS},
    }


def to_member(row: sa.Row[Any]) -> Member:
    return Member(
        id=row.id,
        team_id=row.team_id,
        name=row.name,
        role=MemberRole(row.role),
        slack_user_id=row.slack_user_id,
        email=row.email,
        is_active=row.is_active,
        notifications_muted=row.notifications_muted,
        open_issue_count=row.open_issue_count,
        total_assigned_count=row.total_assigned_count,
        last_assigned_at=row.last_assigned_at,
        created_at=row.created_at,
    )


def search_text(title: str, description: str) -> str:
    """The words search matches, normalised the way queries are (leading space included).

    ``LIKE '% word%'`` on this column is a word-prefix match on any database, and
    PostgreSQL's full-text index is built from the same words.
    """
    return " " + " ".join(search_terms(f"{title} {description}"))


def issue_values(issue: Issue) -> dict[str, Any]:
    slack = issue.slack
    return {
        "id": issue.id,
        "number": issue.number,
        "title": issue.title,
        "description": issue.description,
        "search_text": search_text(issue.title, issue.description),
        "status": issue.status.value,
        "priority": issue.priority.value,
        "category": issue.category,
        "team_id": issue.team_id,
        "reporter_name": issue.reporter.name,
        "reporter_slack_id": issue.reporter.slack_user_id,
        "reporter_email": issue.reporter.email,
        "source": issue.source.value,
        "slack_channel_id": slack.channel_id if slack else None,
        "slack_channel_name": slack.channel_name if slack else None,
        "slack_thread_ts": slack.thread_ts if slack else None,
        "slack_message_ts": slack.message_ts if slack else None,
        "slack_permalink": slack.permalink if slack else None,
        "categorization": _json(issue.categorization),
        "rca": _json(issue.rca),
        "resolution_reason": issue.resolution_reason,
        "resolved_by": issue.resolved_by,
        "close_reason": issue.close_reason,
        "notifications_muted": issue.notifications_muted,
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "first_acknowledged_at": issue.first_acknowledged_at,
        "resolved_at": issue.resolved_at,
        "closed_at": issue.closed_at,
        "last_reminded_at": issue.last_reminded_at,
    }


def to_issue(row: sa.Row[Any], assignee_ids: Sequence[UUID]) -> Issue:
    """An issue from a row of the issues table."""
    slack = None
    if row.slack_channel_id and row.slack_thread_ts:
        slack = SlackRef(
            channel_id=row.slack_channel_id,
            thread_ts=row.slack_thread_ts,
            message_ts=row.slack_message_ts,
            channel_name=row.slack_channel_name,
            permalink=row.slack_permalink,
        )
    return Issue(
        id=row.id,
        number=row.number,
        title=row.title,
        description=row.description,
        status=Status(row.status),
        priority=Priority(row.priority),
        category=row.category,
        team_id=row.team_id,
        assignee_ids=tuple(assignee_ids),
        reporter=Reporter(
            name=row.reporter_name, slack_user_id=row.reporter_slack_id, email=row.reporter_email
        ),
        source=Source(row.source),
        slack=slack,
        categorization=_struct(row.categorization, Categorization),
        rca=_struct(row.rca, Rca),
        resolution_reason=row.resolution_reason,
        resolved_by=row.resolved_by,
        close_reason=row.close_reason,
        notifications_muted=row.notifications_muted,
        created_at=row.created_at,
        updated_at=row.updated_at,
        first_acknowledged_at=row.first_acknowledged_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        last_reminded_at=row.last_reminded_at,
    )


# [position, id, name, slack_user_id] for each assignee (see pages.ASSIGNEE_NAMES).
_NAMES = msgspec.json.Decoder(list[tuple[int, UUID, str, str | None]])


def assignee_names(encoded: str | None) -> tuple[AssigneeName, ...]:
    """The assignees of a list row, primary first."""
    if not encoded:
        return ()
    return tuple(
        AssigneeName(id=member_id, name=name, slack_user_id=slack_user_id)
        for _, member_id, name, slack_user_id in sorted(_NAMES.decode(encoded))
    )


def to_summary(row: sa.Row[Any]) -> IssueSummary:
    """A list row from the issues table joined with its team's and assignees' names."""
    return IssueSummary(
        id=row.id,
        number=row.number,
        title=row.title,
        status=Status(row.status),
        priority=Priority(row.priority),
        category=row.category,
        team_id=row.team_id,
        team_name=row.team_name,
        assignees=assignee_names(row.assignee_names),
        reporter_name=row.reporter_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def history_values(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "issue_id": entry.issue_id,
        "action": entry.action.value,
        "old_value": entry.old_value,
        "new_value": entry.new_value,
        "performed_by": entry.performed_by,
        "created_at": entry.created_at,
    }


def to_history(row: sa.Row[Any]) -> HistoryEntry:
    return HistoryEntry(
        id=row.id,
        issue_id=row.issue_id,
        action=HistoryAction(row.action),
        old_value=row.old_value,
        new_value=row.new_value,
        performed_by=row.performed_by,
        created_at=row.created_at,
    )


def user_values(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email.lower(),
        "name": user.name,
        "slack_user_id": user.slack_user_id,
        "is_admin": user.is_admin,
    }


def to_user(row: sa.Row[Any]) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        slack_user_id=row.slack_user_id,
        is_admin=row.is_admin,
    )


def _json(value: msgspec.Struct | None) -> dict[str, Any] | None:
    return None if value is None else msgspec.to_builtins(value)


def _struct(value: dict[str, Any] | None, kind: type[S]) -> S | None:
    return None if value is None else msgspec.convert(value, kind)
