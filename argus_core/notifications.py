"""What Slack is told about an event: pure text and the issue's card, composed from the
event and the issue.

Every message carries an idempotency key derived from the event, so a retried job finds
what it already posted instead of posting it again. The issue's *card* (its first reply
in the thread: number, title, priority, team, assignees, status, link and buttons) has
one key per issue instead: it is posted once and then updated in place as the issue
changes, so it always shows the issue as it is now.
"""

from __future__ import annotations

import enum
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
from argus_core.domain.values import SYSTEM_NAME, Priority, RcaState, Status


class CardAction(enum.StrEnum):
    """A button on the card; each one is a use case the role policy guards."""

    ACKNOWLEDGE = "acknowledge"
    """Start work: the issue becomes in progress."""
    RESOLVE = "resolve"
    """Ask "How was this fixed?", then resolve."""
    REASSIGN = "reassign"
    """Pick other assignees (moving the issue to their team if need be)."""


_ACTIONS: Mapping[Status, tuple[CardAction, ...]] = {
    Status.OPEN: (CardAction.ACKNOWLEDGE, CardAction.RESOLVE, CardAction.REASSIGN),
    Status.IN_PROGRESS: (CardAction.RESOLVE, CardAction.REASSIGN),
    Status.RESOLVED: (),
    Status.CLOSED: (),
}


class CardPerson(msgspec.Struct, frozen=True, kw_only=True):
    """Someone the card names: mentioned by chat id when they have one, else by name."""

    name: str
    chat_user_id: str | None = None


class IssueCard(msgspec.Struct, frozen=True, kw_only=True):
    """What the issue's card shows, decided here; the chat adapter only lays it out.

    ``revision`` grows with every change of the issue (its ``updated_at`` in
    microseconds), so a late job never replaces a newer card with an older one.
    """

    issue_id: UUID
    number: int
    title: str
    priority: Priority
    category: str
    status: Status
    team_name: str | None
    assignees: tuple[CardPerson, ...]
    link: str
    triaging: bool = False
    outcome: str | None = None
    """How it was fixed (resolved) or why it was closed."""
    actions: tuple[CardAction, ...] = ()
    revision: int = 0

    @property
    def key(self) -> str:
        """The card's one key, whatever event shows it: ``card:{issue_id}``."""
        return f"card:{self.issue_id}"

    @property
    def text(self) -> str:
        """The card as one plain sentence (notifications, screen readers, old clients)."""
        ref = f"#{self.number} {self.title}"
        if self.triaging:
            return f"Tracking {ref}: triaging... {self.link}"
        assigned = ", ".join(_named(p) for p in self.assignees) or "nobody yet"
        status = self.status.value.replace("_", " ")
        return (
            f"Tracking {ref} ({status}) — {self.priority.value} priority, team "
            f"{self.team_name or 'not set'}, assigned to {assigned}. {self.link}"
        )


def card_of(
    issue: Issue,
    members: Mapping[UUID, Member],
    *,
    team_name: str | None,
    link: str,
    triaging: bool = False,
) -> IssueCard:
    """The card of ``issue`` as it is now; ``triaging`` while its team is being worked
    out (then it offers no buttons yet: nobody is assigned)."""
    outcome = issue.close_reason if issue.status is Status.CLOSED else issue.resolution_reason
    return IssueCard(
        issue_id=issue.id,
        number=issue.number,
        title=issue.title,
        priority=issue.priority,
        category=issue.category,
        status=issue.status,
        team_name=team_name,
        assignees=tuple(
            CardPerson(name=m.name, chat_user_id=m.slack_user_id)
            for m in (members.get(i) for i in issue.assignee_ids)
            if m is not None
        ),
        link=link,
        triaging=triaging,
        outcome=outcome if not issue.status.is_active else None,
        actions=() if triaging else _ACTIONS[issue.status],
        revision=int(issue.updated_at.timestamp() * 1_000_000),
    )


class DirectMessage(msgspec.Struct, frozen=True, kw_only=True):
    """A DM to one Slack user."""

    user_id: str
    text: str
    key: str


class Notification(msgspec.Struct, frozen=True, kw_only=True):
    """Everything one event makes Argus say: the issue's card as it is now, a thread
    reply, DMs, the status emoji."""

    card: IssueCard | None = None
    thread_text: str | None = None
    thread_key: str = ""
    direct: tuple[DirectMessage, ...] = ()
    show_status: bool = False

    @property
    def is_empty(self) -> bool:
        return (
            self.card is None
            and self.thread_text is None
            and not self.direct
            and not self.show_status
        )


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
    """The notification for ``event`` about ``issue`` (as it is now).

    A report is announced by the card alone ("triaging..." while a report without a team
    waits for triage, whose own event then fills it in); every event that changes what
    the card shows brings the card up to date besides its own short message. What Argus
    itself decided (triage's priority, category, team and assignee) is only shown on the
    card, so a new report's thread holds one reply, not four; the assignee still gets
    their DM.
    """
    ref = f"#{issue.number} {issue.title}"
    key = f"{event.id}:thread"
    assignees = _mentions(issue.assignee_ids, members) or "nobody yet"

    def card(*, triaging: bool = False) -> IssueCard:
        return card_of(issue, members, team_name=team_name, link=link, triaging=triaging)

    match event:
        case IssueReported(needs_triage=needs_triage):
            # Triage may have finished before this job ran: then the card is complete.
            waiting = needs_triage and issue.categorization is None and issue.team_id is None
            return Notification(card=card(triaging=waiting), show_status=True)
        case IssueTriaged():
            return Notification(card=card(), show_status=True)
        case IssueAssigned(added=added, performed_by=by):
            text = f"You were assigned {ref} ({issue.priority.value}) by {by}. {link}"
            return Notification(
                card=card(),
                thread_text=None if by == SYSTEM_NAME else f"Assigned to {assignees} by {by}.",
                thread_key=key,
                direct=_direct(event, added, members, text),
            )
        case NoAssigneeAvailable(manager_ids=managers):
            text = f"Nobody in {team_name or 'your team'} could take {ref}. {link}"
            return Notification(direct=_direct(event, managers, members, text))
        case StatusChanged(old=old, new=new, reason=reason, performed_by=by):
            because = f" Reason: {reason}" if reason else ""
            text = f"Status {old.value} → {new.value} by {by}.{because}"
            return Notification(card=card(), thread_text=text, thread_key=key, show_status=True)
        case IssueUpdated(performed_by=by) | TeamChanged(performed_by=by) if by == SYSTEM_NAME:
            return Notification(card=card())  # triage's own choices: the card shows them
        case IssueUpdated(fields=fields, performed_by=by):
            return Notification(
                card=card(), thread_text=f"{by} changed {', '.join(fields)}.", thread_key=key
            )
        case TeamChanged(performed_by=by):
            return Notification(
                card=card(),
                thread_text=f"Moved to team {team_name or 'none'} by {by}.",
                thread_key=key,
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


def _named(person: CardPerson) -> str:
    return f"<@{person.chat_user_id}>" if person.chat_user_id else person.name


def _mentions(ids: tuple[UUID, ...], members: Mapping[UUID, Member]) -> str:
    names = []
    for member in (members.get(i) for i in ids):
        if member is not None:
            names.append(f"<@{member.slack_user_id}>" if member.slack_user_id else member.name)
    return ", ".join(names)
