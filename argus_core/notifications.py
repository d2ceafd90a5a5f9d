"""What Slack is told about an event: pure text, composed from the event and the issue.

Every message carries an idempotency key derived from the event, so a retried job finds
what it already posted instead of posting it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

import msgspec

from argus_core.domain.events import (
    DomainEvent,
    IssueAssigned,
    IssueReported,
    IssueTriaged,
    IssueUpdated,
    NoAssigneeAvailable,
    RcaFinished,
    RcaRequested,
    ReminderDue,
    StatusChanged,
    TeamChanged,
)
from argus_core.domain.issue import Issue
from argus_core.domain.team import Member
from argus_core.domain.values import RcaState


class DirectMessage(msgspec.Struct, frozen=True, kw_only=True):
    """A DM to one Slack user."""

    user_id: str
    text: str
    key: str


class Notification(msgspec.Struct, frozen=True, kw_only=True):
    """Everything one event makes Argus say: a thread reply, DMs, the status emoji."""

    thread_text: str | None = None
    thread_key: str = ""
    direct: tuple[DirectMessage, ...] = ()
    show_status: bool = False

    @property
    def is_empty(self) -> bool:
        return self.thread_text is None and not self.direct and not self.show_status


def members_needed(event: DomainEvent, issue: Issue) -> set[UUID]:
    """The members :func:`compose` names or writes to for ``event``."""
    wanted = set(issue.assignee_ids)
    if isinstance(event, IssueAssigned):
        wanted |= set(event.added)
    elif isinstance(event, NoAssigneeAvailable):
        wanted |= set(event.manager_ids)
    return wanted


def compose(
    event: DomainEvent,
    issue: Issue,
    members: Mapping[UUID, Member],
    *,
    team_name: str | None,
    link: str,
) -> Notification:
    """The notification for ``event`` about ``issue`` (as it is now)."""
    ref = f"#{issue.number} {issue.title}"
    key = f"{event.id}:thread"
    assignees = _mentions(issue.assignee_ids, members) or "nobody yet"
    match event:
        case IssueReported() | IssueTriaged():
            text = (
                f"Tracking {ref} — {issue.priority.value} priority, team "
                f"{team_name or 'not set'}, assigned to {assignees}. {link}"
            )
            return Notification(thread_text=text, thread_key=key, show_status=True)
        case IssueAssigned(added=added, performed_by=by):
            text = f"You were assigned {ref} ({issue.priority.value}) by {by}. {link}"
            return Notification(
                thread_text=f"Assigned to {assignees} by {by}.",
                thread_key=key,
                direct=_direct(event, added, members, text),
            )
        case NoAssigneeAvailable(manager_ids=managers):
            text = f"Nobody in {team_name or 'your team'} could take {ref}. {link}"
            return Notification(direct=_direct(event, managers, members, text))
        case StatusChanged(old=old, new=new, reason=reason, performed_by=by):
            because = f" Reason: {reason}" if reason else ""
            text = f"Status {old.value} → {new.value} by {by}.{because}"
            return Notification(thread_text=text, thread_key=key, show_status=True)
        case IssueUpdated(fields=fields, performed_by=by):
            return Notification(thread_text=f"{by} changed {', '.join(fields)}.", thread_key=key)
        case TeamChanged(performed_by=by):
            return Notification(
                thread_text=f"Moved to team {team_name or 'none'} by {by}.", thread_key=key
            )
        case ReminderDue():
            text = f"Reminder: {ref} is still {issue.status.value}. {assignees}, any news? {link}"
            return Notification(thread_text=text, thread_key=key)
        case RcaRequested():
            return Notification()  # the RCA job reports on its own
        case RcaFinished(state=RcaState.COMPLETED, source="fallback"):
            return Notification()  # generic manual steps: on the dashboard, not in the thread
        case RcaFinished(state=RcaState.COMPLETED, source=source, summary=summary):
            text = f"Root-cause analysis ({source or 'unknown source'}): {summary} {link}"
            return Notification(thread_text=text, thread_key=key)
        case RcaFinished(summary=summary):
            text = f"The root-cause analysis of {ref} did not finish: {summary}"
            return Notification(thread_text=text, thread_key=key)
    return Notification()  # pragma: no cover - every event type is matched above


def _direct(
    event: DomainEvent, ids: tuple[UUID, ...], members: Mapping[UUID, Member], text: str
) -> tuple[DirectMessage, ...]:
    """``text`` to each of ``ids`` who has a Slack id and has not muted notifications."""
    return tuple(
        DirectMessage(user_id=member.slack_user_id, text=text, key=f"{event.id}:dm:{member.id}")
        for member in (members.get(i) for i in ids)
        if member and member.slack_user_id and not member.notifications_muted
    )


def _mentions(ids: tuple[UUID, ...], members: Mapping[UUID, Member]) -> str:
    names = []
    for member in (members.get(i) for i in ids):
        if member is not None:
            names.append(f"<@{member.slack_user_id}>" if member.slack_user_id else member.name)
    return ", ".join(names)
