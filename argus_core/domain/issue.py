"""The issue aggregate and the values it carries."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from argus_core.domain.values import Priority, RcaState, Source, Status


class Reporter(msgspec.Struct, frozen=True, kw_only=True):
    """Who reported an issue: a Slack user, an email, or both."""

    name: str | None = None
    slack_user_id: str | None = None
    email: str | None = None


class SlackRef(msgspec.Struct, frozen=True, kw_only=True):
    """Where an issue lives in Slack."""

    channel_id: str
    thread_ts: str
    message_ts: str | None = None
    channel_name: str | None = None
    permalink: str | None = None


class Categorization(msgspec.Struct, frozen=True, kw_only=True):
    """What triage decided and why (``ai_categorization`` on the wire)."""

    provider: str
    title: str
    category: str
    priority: Priority
    team_name: str | None = None
    reasoning: str = ""
    confidence: float | None = None


class RootCause(msgspec.Struct, frozen=True, kw_only=True):
    """One likely cause with its estimated probability (0..1)."""

    cause: str
    probability: float


class RcaProgress(msgspec.Struct, frozen=True, kw_only=True):
    """One step of a running investigation, as streamed to the dashboard."""

    stage: str
    message: str
    tool: str | None = None


class Rca(msgspec.Struct, frozen=True, kw_only=True):
    """A root-cause analysis: running, finished or failed (``ai_rca`` on the wire)."""

    state: RcaState
    provider: str | None = None
    source: str | None = None
    summary: str = ""
    full_report: str = ""
    root_causes: tuple[RootCause, ...] = ()
    investigation_steps: tuple[str, ...] = ()
    suggested_fixes: tuple[str, ...] = ()
    related_systems: tuple[str, ...] = ()
    sections: dict[str, str] = msgspec.field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    tools_called: tuple[str, ...] = ()
    progress: tuple[RcaProgress, ...] = ()


class Issue(msgspec.Struct, frozen=True, kw_only=True):
    """A production issue; change it only through :mod:`argus_core.lifecycle`.

    ``assignee_ids`` are member ids, primary first.
    """

    id: UUID
    number: int
    title: str
    description: str = ""
    status: Status = Status.OPEN
    priority: Priority = Priority.MEDIUM
    category: str = "other"
    team_id: UUID | None = None
    assignee_ids: tuple[UUID, ...] = ()
    reporter: Reporter = Reporter()
    source: Source = Source.WEB
    slack: SlackRef | None = None
    categorization: Categorization | None = None
    rca: Rca | None = None
    resolution_reason: str | None = None
    resolved_by: str | None = None
    close_reason: str | None = None
    notifications_muted: bool = False
    created_at: datetime
    updated_at: datetime
    first_acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    last_reminded_at: datetime | None = None

    @property
    def primary_assignee_id(self) -> UUID | None:
        """The first assignee, exposed as ``assigned_to`` on the wire."""
        return self.assignee_ids[0] if self.assignee_ids else None

    @property
    def last_activity_at(self) -> datetime:
        """The later of the last change and the last reminder."""
        if self.last_reminded_at is None:
            return self.updated_at
        return max(self.updated_at, self.last_reminded_at)
