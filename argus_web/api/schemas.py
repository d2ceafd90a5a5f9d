"""Wire shapes of the REST API (API-COMPAT.md), apart from the core's Structs.

Field names are the original API's; Argus only adds fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from argus_core.domain.values import MAX_REMINDER_MINUTES, MemberRole, Priority, Status

Minutes = Annotated[int, msgspec.Meta(le=MAX_REMINDER_MINUTES)]


class Problem(msgspec.Struct, kw_only=True):
    """An error, as RFC 9457 problem details."""

    title: str
    status: int
    detail: str
    type: str = "about:blank"


class AssigneeOut(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    slack_user_id: str | None


class CategorizationOut(msgspec.Struct, kw_only=True):
    title: str
    category: str
    priority: str
    team_name: str | None
    reasoning: str
    provider: str
    confidence: float | None


class RootCauseOut(msgspec.Struct, kw_only=True):
    cause: str
    probability: float


class ProgressOut(msgspec.Struct, kw_only=True):
    stage: str
    message: str
    tool: str | None = None


class RcaOut(msgspec.Struct, kw_only=True):
    status: str
    summary: str
    full_report: str
    root_causes: list[RootCauseOut]
    investigation_steps: list[str]
    suggested_fixes: list[str]
    related_systems: list[str]
    source: str | None
    tools_called: list[str]
    tool_details: list[Any]
    provider: str | None
    sections: dict[str, str]
    progress: list[ProgressOut]


class IssueListItem(msgspec.Struct, kw_only=True):
    id: UUID
    number: int
    title: str
    status: Status
    priority: Priority
    category: str
    team_id: UUID | None
    assigned_to: UUID | None
    assignees: list[AssigneeOut]
    reported_by_name: str | None
    created_at: datetime
    updated_at: datetime
    assignee_name: str | None
    team_name: str | None


class IssueOut(IssueListItem, kw_only=True):
    description: str
    source: str
    reported_by_slack_id: str | None
    reported_by_email: str | None
    slack_channel_id: str | None
    slack_channel_name: str | None
    slack_thread_ts: str | None
    slack_message_ts: str | None
    slack_permalink: str | None
    ai_categorization: CategorizationOut | None
    ai_rca: RcaOut | None
    ai_provider_used: str | None
    resolution_reason: str | None
    close_reason: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    closed_at: datetime | None
    first_acknowledged_at: datetime | None
    notifications_muted: bool
    last_reminder_sent_at: datetime | None


class IssuePage(msgspec.Struct, kw_only=True):
    items: list[IssueListItem]
    total: int
    page: int
    per_page: int


class IssueIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """``POST /api/issues``: without a team the issue is triaged."""

    title: str
    description: str = ""
    priority: Priority | None = None
    category: str | None = None
    team_id: UUID | None = None


class IssuePatchIn(msgspec.Struct, kw_only=True):
    """``PATCH /api/issues/{id}``: any subset; ``assignees`` sets the whole list."""

    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    category: str | UnsetType = UNSET
    team_id: UUID | UnsetType | None = UNSET
    assigned_to: UUID | UnsetType | None = UNSET
    assignees: list[UUID] | UnsetType = UNSET
    notifications_muted: bool | UnsetType = UNSET
    reason: str | UnsetType | None = UNSET


class ResolveIn(msgspec.Struct, kw_only=True):
    """How was this fixed? (``resolved_by`` is accepted for compatibility; the signed-in
    person is recorded.)"""

    reason: str
    resolved_by: str | None = None


class CloseIn(msgspec.Struct, kw_only=True):
    """Why are you closing this?"""

    reason: str


class HistoryOut(msgspec.Struct, kw_only=True):
    id: UUID
    issue_id: UUID
    action: str
    old_value: str | None
    new_value: str | None
    performed_by: str
    created_at: datetime


class MemberOut(msgspec.Struct, kw_only=True):
    id: UUID
    team_id: UUID
    name: str
    slack_user_id: str | None
    email: str | None
    role: MemberRole
    is_active: bool
    notifications_muted: bool
    open_issue_count: int
    total_assigned_count: int
    created_at: datetime


class TeamOut(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    description: str
    slack_channel_id: str | None
    reminder_frequency_minutes: int
    reminder_start_hour: int
    reminder_end_hour: int
    reminder_timezone: str
    reminder_intervals: dict[str, int]
    notifications_enabled: bool
    created_at: datetime
    updated_at: datetime


class TeamDetailOut(TeamOut, kw_only=True):
    members: list[MemberOut]


class TeamIn(msgspec.Struct, kw_only=True):
    name: str
    description: str = ""
    slack_channel_id: str | None = None
    reminder_frequency_minutes: Minutes = 1440
    reminder_start_hour: int = 9
    reminder_end_hour: int = 18
    reminder_timezone: str = "UTC"
    reminder_intervals: dict[Priority, Minutes] = msgspec.field(default_factory=dict)
    notifications_enabled: bool = True


class TeamPatchIn(msgspec.Struct, kw_only=True):
    name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    slack_channel_id: str | UnsetType | None = UNSET
    reminder_frequency_minutes: Minutes | UnsetType = UNSET
    reminder_start_hour: int | UnsetType = UNSET
    reminder_end_hour: int | UnsetType = UNSET
    reminder_timezone: str | UnsetType = UNSET
    reminder_intervals: dict[Priority, Minutes] | UnsetType = UNSET
    notifications_enabled: bool | UnsetType = UNSET


class MemberIn(msgspec.Struct, kw_only=True):
    name: str | None = None
    slack_user_id: str | None = None
    email: str | None = None
    role: MemberRole = MemberRole.AGENT


class MemberPatchIn(msgspec.Struct, kw_only=True):
    name: str | UnsetType = UNSET
    slack_user_id: str | UnsetType | None = UNSET
    email: str | UnsetType | None = UNSET
    is_active: bool | UnsetType = UNSET
    notifications_muted: bool | UnsetType = UNSET
    role: MemberRole | UnsetType = UNSET


class AssignableOut(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    email: str | None
    slack_user_id: str | None
    team_id: UUID
    team_name: str


class StatsOut(msgspec.Struct, kw_only=True):
    total_issues: int
    open_issues: int
    in_progress_issues: int
    resolved_issues: int
    critical_issues: int
    avg_resolution_hours: float | None
    # Issues resolved since ``resolved_since`` (the start of today in ``tz``), whatever
    # their status now; ``/api/issues?resolved_since=…`` lists the same issues.
    resolved_today: int
    resolved_since: datetime


class TeamStatsOut(msgspec.Struct, kw_only=True):
    team_id: UUID
    team_name: str
    open_count: int
    resolved_count: int
    avg_resolution_hours: float | None


class UserOut(msgspec.Struct, kw_only=True):
    id: UUID | None
    email: str | None
    name: str
    slack_user_id: str | None
    is_admin: bool
    roles: dict[str, MemberRole]
    member_ids: list[UUID]
    """The person's memberships (Argus): the dashboard matches them against an issue's
    assignees to know which issues are "own issues" in the role table."""


class SignedIn(msgspec.Struct, kw_only=True):
    token: str
    user: UserOut


class GoogleUrlOut(msgspec.Struct, kw_only=True):
    url: str
    state: str


class GoogleCallbackIn(msgspec.Struct, kw_only=True):
    code: str
    state: str | None = None


class DevLoginIn(msgspec.Struct, kw_only=True):
    email: str


class TokenIn(msgspec.Struct, kw_only=True):
    name: str


class TokenOut(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut, kw_only=True):
    """The secret is shown this once; only its hash is kept."""

    token: str


class HealthOut(msgspec.Struct, kw_only=True):
    status: str


class Accepted(msgspec.Struct, kw_only=True):
    """Work was queued; it runs in the background."""

    status: str
