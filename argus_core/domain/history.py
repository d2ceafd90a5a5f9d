"""The append-only audit trail of an issue."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import msgspec


class HistoryAction(enum.StrEnum):
    """Action names, as the original API wrote them."""

    CREATED = "created"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    RESOLUTION_NOTES = "resolution_notes"
    CLOSE_REASON = "close_reason"
    AUTO_RESOLVE_REASON = "auto_resolve_reason"
    REMINDER_SENT = "reminder_sent"
    UPDATED_STATUS = "updated_status"
    UPDATED_TITLE = "updated_title"
    UPDATED_DESCRIPTION = "updated_description"
    UPDATED_PRIORITY = "updated_priority"
    UPDATED_CATEGORY = "updated_category"
    UPDATED_TEAM_ID = "updated_team_id"
    UPDATED_NOTIFICATIONS_MUTED = "updated_notifications_muted"
    UPDATED_RCA = "updated_ai_rca"
    CATEGORIZED = "categorized"


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    """Who did what to an issue, from what to what, and when."""

    id: UUID
    issue_id: UUID
    action: HistoryAction
    old_value: str | None
    new_value: str | None
    performed_by: str
    created_at: datetime
