"""Domain events: recorded with every change, delivered later by jobs (the outbox).

A tagged union of frozen Structs (``type`` names the event), so an adapter can store and
decode them with ``msgspec.json`` alone.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import msgspec

from argus_core.domain.values import RcaState, Source, Status


class Event(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """Fields every event carries; ``id`` is its idempotency key."""

    issue_id: UUID
    occurred_at: datetime
    id: UUID = msgspec.field(default_factory=uuid.uuid4)


class IssueReported(Event, frozen=True, kw_only=True, tag="issue_reported"):
    """A new issue exists; triage (if it has no team) and an RCA should follow."""

    number: int
    source: Source
    team_id: UUID | None
    needs_triage: bool
    priority_given: bool = False


class IssueTriaged(Event, frozen=True, kw_only=True, tag="issue_triaged"):
    """Triage set the issue's team, priority and category."""

    provider: str
    team_id: UUID | None


class IssueAssigned(Event, frozen=True, kw_only=True, tag="issue_assigned"):
    """The assignee list changed; ``added`` are the people to notify."""

    assignee_ids: tuple[UUID, ...]
    added: tuple[UUID, ...]
    removed: tuple[UUID, ...]
    performed_by: str


class NoAssigneeAvailable(Event, frozen=True, kw_only=True, tag="no_assignee_available"):
    """A team had no eligible agent; its managers should be told."""

    team_id: UUID
    manager_ids: tuple[UUID, ...]


class StatusChanged(Event, frozen=True, kw_only=True, tag="status_changed"):
    """Open/in progress/resolved/closed changed; ``automatic`` for Argus's own resolves."""

    old: Status
    new: Status
    reason: str | None
    performed_by: str
    automatic: bool = False


class IssueUpdated(Event, frozen=True, kw_only=True, tag="issue_updated"):
    """Plain fields (title, priority, ...) changed."""

    fields: tuple[str, ...]
    performed_by: str


class TeamChanged(Event, frozen=True, kw_only=True, tag="team_changed"):
    """The issue moved to another team."""

    old_team_id: UUID | None
    new_team_id: UUID | None
    performed_by: str


class ReminderDue(Event, frozen=True, kw_only=True, tag="reminder_due"):
    """A stale issue should be nudged in its thread, mentioning every assignee."""

    assignee_ids: tuple[UUID, ...]


class RcaRequested(Event, frozen=True, kw_only=True, tag="rca_requested"):
    """Someone asked for the root-cause analysis to run (again)."""

    performed_by: str


class RcaFinished(Event, frozen=True, kw_only=True, tag="rca_finished"):
    """A root-cause analysis ended: its summary goes to the issue's thread."""

    state: RcaState
    provider: str | None
    source: str | None
    summary: str


DomainEvent = (
    IssueReported
    | IssueTriaged
    | IssueAssigned
    | NoAssigneeAvailable
    | StatusChanged
    | IssueUpdated
    | TeamChanged
    | ReminderDue
    | RcaRequested
    | RcaFinished
)
