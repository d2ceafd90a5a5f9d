"""Teams and their members (one member row per person per team)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from argus_core.domain.values import MemberRole, Priority

DEFAULT_REMINDER_MINUTES = 1440
DEFAULT_START_HOUR = 9
DEFAULT_END_HOUR = 18


class ReminderSettings(msgspec.Struct, frozen=True, kw_only=True):
    """When a team's stale issues are nudged.

    ``frequency_minutes`` applies to every priority unless ``per_priority`` overrides it;
    reminders go out only between ``start_hour`` and ``end_hour`` in ``timezone``.
    """

    enabled: bool = True
    frequency_minutes: int = DEFAULT_REMINDER_MINUTES
    per_priority: dict[Priority, int] = msgspec.field(default_factory=dict)
    start_hour: int = DEFAULT_START_HOUR
    end_hour: int = DEFAULT_END_HOUR
    timezone: str = "UTC"


class Team(msgspec.Struct, frozen=True, kw_only=True):
    """A team that owns issues; ``description`` helps triage pick it."""

    id: UUID
    name: str
    description: str = ""
    slack_channel_id: str | None = None
    reminders: ReminderSettings = ReminderSettings()
    created_at: datetime
    updated_at: datetime


class Member(msgspec.Struct, frozen=True, kw_only=True):
    """A person's membership of one team, with the workload counted for it."""

    id: UUID
    team_id: UUID
    name: str
    role: MemberRole = MemberRole.AGENT
    slack_user_id: str | None = None
    email: str | None = None
    is_active: bool = True
    notifications_muted: bool = False
    open_issue_count: int = 0
    total_assigned_count: int = 0
    last_assigned_at: datetime | None = None
    created_at: datetime
