"""How an issue changes: transitions, edits, assignment, reminders.

Every function here is pure: it takes an issue and returns a :class:`Change` holding the
new issue, the history entries, the workload deltas and the events the change implies.
Use cases persist a change as one unit, so counters and history move exactly once,
whichever path (API, Slack button, auto-resolve) made the change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from uuid import UUID

import msgspec

from argus_core.domain.errors import Conflict
from argus_core.domain.events import (
    DomainEvent,
    IssueAssigned,
    IssueTriaged,
    IssueUpdated,
    ReminderDue,
    StatusChanged,
    TeamChanged,
)
from argus_core.domain.history import HistoryAction, HistoryEntry
from argus_core.domain.issue import Categorization, Issue
from argus_core.domain.values import Priority, Status
from argus_core.validation import clean_description, clean_reason, clean_title

TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}
"""Allowed status moves; going back to ``open`` from resolved or closed is a reopen."""


class WorkloadDelta(msgspec.Struct, frozen=True, kw_only=True):
    """How one member's counters move; adapters apply it atomically (no read-modify-write)."""

    member_id: UUID
    open_delta: int = 0
    assigned_delta: int = 0
    assigned_at: datetime | None = None


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """The full effect of one change to an issue."""

    issue: Issue
    history: tuple[HistoryEntry, ...] = ()
    workload: tuple[WorkloadDelta, ...] = ()
    events: tuple[DomainEvent, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when nothing was recorded (a no-op request)."""
        return not self.history

    def then(self, later: Change) -> Change:
        """Combine with a change made on top of this one."""
        return Change(
            issue=later.issue,
            history=self.history + later.history,
            workload=self.workload + later.workload,
            events=self.events + later.events,
        )


def history_entry(
    issue: Issue,
    action: HistoryAction,
    old: object,
    new: object,
    *,
    by: str,
    now: datetime,
) -> HistoryEntry:
    """One audit-trail line with values rendered as text."""
    return HistoryEntry(
        id=uuid.uuid4(),
        issue_id=issue.id,
        action=action,
        old_value=_text(old),
        new_value=_text(new),
        performed_by=by,
        created_at=now,
    )


def transition(
    issue: Issue,
    new_status: Status,
    *,
    by: str,
    now: datetime,
    reason: str | None = None,
    automatic: bool = False,
) -> Change:
    """Move ``issue`` to ``new_status``.

    Resolve asks "How was this fixed?" and close "Why are you closing this?": both need
    a reason. Reopening clears the resolution. The first move away from ``open`` records
    the acknowledgement time. Moving to the same status changes nothing.
    """
    old_status = issue.status
    if new_status is old_status:
        return Change(issue=issue)
    if new_status not in TRANSITIONS[old_status]:
        raise Conflict(f"An issue that is {old_status.value} cannot become {new_status.value}.")
    updates: dict[str, object] = {"status": new_status, "updated_at": now}
    if issue.first_acknowledged_at is None and old_status is Status.OPEN:
        updates["first_acknowledged_at"] = now
    history: list[HistoryEntry] = []
    if new_status is Status.RESOLVED:
        reason = clean_reason(reason, question="How was this fixed?")
        updates |= {"resolved_at": now, "resolved_by": by, "resolution_reason": reason}
        notes = HistoryAction.AUTO_RESOLVE_REASON if automatic else HistoryAction.RESOLUTION_NOTES
        history += [
            history_entry(issue, HistoryAction.RESOLVED, old_status, new_status, by=by, now=now),
            history_entry(issue, notes, None, reason, by=by, now=now),
        ]
    elif new_status is Status.CLOSED:
        reason = clean_reason(reason, question="Why are you closing this?")
        updates |= {"closed_at": now, "close_reason": reason}
        history += [
            history_entry(
                issue, HistoryAction.UPDATED_STATUS, old_status, new_status, by=by, now=now
            ),
            history_entry(issue, HistoryAction.CLOSE_REASON, None, reason, by=by, now=now),
        ]
    else:
        reason = None
        if new_status is Status.OPEN:
            updates |= {
                "resolved_at": None,
                "resolved_by": None,
                "resolution_reason": None,
                "closed_at": None,
                "close_reason": None,
            }
        history.append(
            history_entry(
                issue, HistoryAction.UPDATED_STATUS, old_status, new_status, by=by, now=now
            )
        )
    changed = msgspec.structs.replace(issue, **updates)
    workload: tuple[WorkloadDelta, ...] = ()
    if old_status.is_active != new_status.is_active:
        step = 1 if new_status.is_active else -1
        workload = tuple(WorkloadDelta(member_id=m, open_delta=step) for m in issue.assignee_ids)
    event = StatusChanged(
        issue_id=issue.id,
        occurred_at=now,
        old=old_status,
        new=new_status,
        reason=reason,
        performed_by=by,
        automatic=automatic,
    )
    return Change(issue=changed, history=tuple(history), workload=workload, events=(event,))


def assign(
    issue: Issue,
    assignee_ids: Iterable[UUID],
    *,
    names: Mapping[UUID, str],
    by: str,
    now: datetime,
) -> Change:
    """Set the whole assignee list (first = primary); duplicates are dropped.

    Newly assigned people gain one open issue (if the issue is active) and one assignment;
    removed people lose the open issue.
    """
    new_ids = tuple(dict.fromkeys(assignee_ids))
    old_ids = issue.assignee_ids
    if new_ids == old_ids:
        return Change(issue=issue)
    added = tuple(m for m in new_ids if m not in old_ids)
    removed = tuple(m for m in old_ids if m not in new_ids)
    step = 1 if issue.status.is_active else 0
    workload = tuple(
        WorkloadDelta(member_id=m, open_delta=step, assigned_delta=1, assigned_at=now)
        for m in added
    ) + tuple(WorkloadDelta(member_id=m, open_delta=-step) for m in removed if step)
    changed = msgspec.structs.replace(issue, assignee_ids=new_ids, updated_at=now)
    entry = history_entry(
        issue,
        HistoryAction.ASSIGNED,
        _names(old_ids, names),
        _names(new_ids, names),
        by=by,
        now=now,
    )
    event = IssueAssigned(
        issue_id=issue.id,
        occurred_at=now,
        assignee_ids=new_ids,
        added=added,
        removed=removed,
        performed_by=by,
    )
    return Change(issue=changed, history=(entry,), workload=workload, events=(event,))


def move_to_team(
    issue: Issue,
    team_id: UUID | None,
    *,
    names: Mapping[UUID, str],
    by: str,
    now: datetime,
) -> Change:
    """Give the issue to another team; its assignees (members of the old team) are removed."""
    if team_id == issue.team_id:
        return Change(issue=issue)
    unassigned = assign(issue, (), names=names, by=by, now=now)
    moved = msgspec.structs.replace(unassigned.issue, team_id=team_id, updated_at=now)
    entry = history_entry(
        issue, HistoryAction.UPDATED_TEAM_ID, issue.team_id, team_id, by=by, now=now
    )
    event = TeamChanged(
        issue_id=issue.id,
        occurred_at=now,
        old_team_id=issue.team_id,
        new_team_id=team_id,
        performed_by=by,
    )
    return unassigned.then(Change(issue=moved, history=(entry,), events=(event,)))


class Edits(msgspec.Struct, frozen=True, kw_only=True):
    """Plain fields to change; ``None`` leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    priority: Priority | None = None
    category: str | None = None
    notifications_muted: bool | None = None


_EDIT_ACTIONS = {
    "title": HistoryAction.UPDATED_TITLE,
    "description": HistoryAction.UPDATED_DESCRIPTION,
    "priority": HistoryAction.UPDATED_PRIORITY,
    "category": HistoryAction.UPDATED_CATEGORY,
    "notifications_muted": HistoryAction.UPDATED_NOTIFICATIONS_MUTED,
}


def edit(issue: Issue, edits: Edits, *, by: str, now: datetime) -> Change:
    """Change plain fields; only fields whose value really changes are recorded.

    The caller checks the category against the configured set.
    """
    wanted: dict[str, object] = {}
    if edits.title is not None:
        wanted["title"] = clean_title(edits.title)
    if edits.description is not None:
        wanted["description"] = clean_description(edits.description)
    for name in ("priority", "category", "notifications_muted"):
        value = getattr(edits, name)
        if value is not None:
            wanted[name] = value
    updates = {k: v for k, v in wanted.items() if getattr(issue, k) != v}
    if not updates:
        return Change(issue=issue)
    history = tuple(
        history_entry(issue, _EDIT_ACTIONS[k], getattr(issue, k), v, by=by, now=now)
        for k, v in updates.items()
    )
    changed = msgspec.structs.replace(issue, updated_at=now, **updates)
    event = IssueUpdated(issue_id=issue.id, occurred_at=now, fields=tuple(updates), performed_by=by)
    return Change(issue=changed, history=history, events=(event,))


def remind(issue: Issue, *, names: Mapping[UUID, str], by: str, now: datetime) -> Change:
    """Record that a reminder is due now; the activity clock is not reset by it."""
    changed = msgspec.structs.replace(issue, last_reminded_at=now)
    entry = history_entry(
        issue,
        HistoryAction.REMINDER_SENT,
        None,
        _names(issue.assignee_ids, names),
        by=by,
        now=now,
    )
    event = ReminderDue(issue_id=issue.id, occurred_at=now, assignee_ids=issue.assignee_ids)
    return Change(issue=changed, history=(entry,), events=(event,))


def _names(ids: Iterable[UUID], names: Mapping[UUID, str]) -> str:
    return ", ".join(names.get(i, str(i)) for i in ids)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Status | Priority):
        return value.value
    return str(value)


def categorize(issue: Issue, categorization: Categorization, *, by: str, now: datetime) -> Change:
    """Record what triage decided (the fields it sets are changed with :func:`edit`)."""
    changed = msgspec.structs.replace(issue, categorization=categorization, updated_at=now)
    summary = f"{categorization.provider}: {categorization.category}, {categorization.priority}"
    if categorization.team_name:
        summary += f", {categorization.team_name}"
    entry = history_entry(issue, HistoryAction.CATEGORIZED, None, summary, by=by, now=now)
    event = IssueTriaged(
        issue_id=issue.id,
        occurred_at=now,
        provider=categorization.provider,
        team_id=issue.team_id,
    )
    return Change(issue=changed, history=(entry,), events=(event,))
