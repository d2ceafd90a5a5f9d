"""ORM models: the tables, their columns and indexes. Nothing here leaves the adapter.

Tables carry no schema: on PostgreSQL every connection's ``search_path`` puts them in the
configured schema (``DB_SCHEMA``, default ``argus``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NO_TEAM = uuid.UUID(int=0)
"""Team key of issues without a team in the counters table (keys cannot be NULL)."""

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
ISSUE_NUMBERS = sa.Sequence("issue_number_seq", metadata=None)
ACTIVE = ("open", "in_progress")


class Base(DeclarativeBase):
    """Declarative base with naming conventions, so migrations name constraints alike."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: dict[Any, Any] = {datetime: DateTimeUTC(timezone=True)}  # noqa: RUF012


class TeamRow(Base):
    __tablename__ = "teams"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    name_key: Mapped[str] = mapped_column(sa.Text, unique=True)
    description: Mapped[str] = mapped_column(sa.Text)
    slack_channel_id: Mapped[str | None] = mapped_column(sa.Text)
    reminders_enabled: Mapped[bool]
    reminder_frequency_minutes: Mapped[int]
    reminder_per_priority: Mapped[dict[str, int]] = mapped_column(JSON)
    reminder_start_hour: Mapped[int]
    reminder_end_hour: Mapped[int]
    reminder_timezone: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MemberRow(Base):
    __tablename__ = "team_members"
    __table_args__ = (
        sa.Index(None, "team_id", "name"),
        sa.Index(None, "email"),
        sa.Index(None, "slack_user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[str] = mapped_column(sa.String(16))
    slack_user_id: Mapped[str | None] = mapped_column(sa.Text)
    email: Mapped[str | None] = mapped_column(sa.Text)
    is_active: Mapped[bool]
    notifications_muted: Mapped[bool]
    open_issue_count: Mapped[int]
    total_assigned_count: Mapped[int]
    last_assigned_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class IssueRow(Base):
    __tablename__ = "issues"
    __table_args__ = (
        # Newest-first pages, alone and under each equality filter the list offers.
        sa.Index("ix_issues_newest", "created_at", "number"),
        sa.Index("ix_issues_status_newest", "status", "created_at", "number"),
        sa.Index("ix_issues_priority_newest", "priority", "created_at", "number"),
        sa.Index("ix_issues_team_newest", "team_id", "created_at", "number"),
        sa.Index("ix_issues_reporter_newest", "reporter_email", "created_at", "number"),
        # Reminders: only issues that can be due are in this index.
        sa.Index(
            "ix_issues_next_reminder",
            "next_reminder_at",
            postgresql_where=sa.text("next_reminder_at IS NOT NULL"),
            sqlite_where=sa.text("next_reminder_at IS NOT NULL"),
        ),
        # "Resolved today": only issues with a resolution are in this index.
        sa.Index(
            "ix_issues_resolved_at",
            "resolved_at",
            postgresql_where=sa.text("resolved_at IS NOT NULL"),
            sqlite_where=sa.text("resolved_at IS NOT NULL"),
        ),
        sa.Index(None, "slack_channel_id", "slack_thread_ts"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    title: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str] = mapped_column(sa.Text)
    search_text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16))
    priority: Mapped[str] = mapped_column(sa.String(16))
    category: Mapped[str] = mapped_column(sa.Text)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="SET NULL")
    )
    reporter_name: Mapped[str | None] = mapped_column(sa.Text)
    reporter_slack_id: Mapped[str | None] = mapped_column(sa.Text)
    reporter_email: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(16))
    slack_channel_id: Mapped[str | None] = mapped_column(sa.Text)
    slack_channel_name: Mapped[str | None] = mapped_column(sa.Text)
    slack_thread_ts: Mapped[str | None] = mapped_column(sa.Text)
    slack_message_ts: Mapped[str | None] = mapped_column(sa.Text)
    slack_permalink: Mapped[str | None] = mapped_column(sa.Text)
    categorization: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rca: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    resolution_reason: Mapped[str | None] = mapped_column(sa.Text)
    resolved_by: Mapped[str | None] = mapped_column(sa.Text)
    close_reason: Mapped[str | None] = mapped_column(sa.Text)
    notifications_muted: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    first_acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    last_reminded_at: Mapped[datetime | None]
    next_reminder_at: Mapped[datetime | None]
    rca_held_until: Mapped[datetime | None]
    """Until when one worker holds the issue's root-cause analysis (None: nobody)."""


class AssigneeRow(Base):
    __tablename__ = "issue_assignees"
    __table_args__ = (sa.Index(None, "member_id", "issue_id"),)

    issue_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("team_members.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(sa.SmallInteger)


class HistoryRow(Base):
    __tablename__ = "issue_history"
    __table_args__ = (sa.Index(None, "issue_id", "seq"),)

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    issue_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(sa.String(64))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)
    performed_by: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.Text, unique=True)
    name: Mapped[str] = mapped_column(sa.Text)
    slack_user_id: Mapped[str | None] = mapped_column(sa.Text)
    is_admin: Mapped[bool]


class ApiTokenRow(Base):
    """Personal API tokens; only the SHA-256 of the secret is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (sa.Index(None, "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.Text)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class JobRow(Base):
    """The embedded runner's queue: jobs waiting, running (under a lease) or done."""

    __tablename__ = "jobs"
    __table_args__ = (sa.Index(None, "status", "run_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int]
    max_attempts: Mapped[int]
    run_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(sa.String(200))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class DeadJobRow(Base):
    """Jobs that used up their retries (from either queue), kept with their error."""

    __tablename__ = "dead_jobs"
    __table_args__ = (sa.Index(None, "failed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    key: Mapped[str] = mapped_column(sa.String(300))
    payload: Mapped[str] = mapped_column(sa.Text)
    error: Mapped[str] = mapped_column(sa.Text)
    attempts: Mapped[int]
    failed_at: Mapped[datetime]
    retried_at: Mapped[datetime | None]


class OutboxRow(Base):
    """Domain events stored with the change that caused them, until delivered."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index(
            "ix_outbox_pending",
            "seq",
            postgresql_where=sa.text("dispatched_at IS NULL"),
            sqlite_where=sa.text("dispatched_at IS NULL"),
        ),
        sa.Index("ix_outbox_issue", "issue_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    type: Mapped[str] = mapped_column(sa.String(64))
    issue_id: Mapped[uuid.UUID]
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)
    occurred_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]
    told_at: Mapped[datetime | None]
    """When the event's Slack thread message was confirmed posted (or found needless)."""


class ThreadHoldRow(Base):
    """Who delivers an issue's Slack thread messages now, and until when."""

    __tablename__ = "thread_holds"

    issue_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(200))
    held_until: Mapped[datetime]


class SlackEventReceiptRow(Base):
    """Slack deliveries already taken in, so a redelivered one makes no second issue.

    ``event_id`` is the delivery's key (a Slack event id, or a modal's or shortcut's);
    ``issue_id`` the issue it made, once it made one.
    """

    __tablename__ = "slack_event_receipts"

    event_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    received_at: Mapped[datetime]
    issue_id: Mapped[uuid.UUID | None]


class IssueCountRow(Base):
    """Issue counts per (team, status, priority), kept by database triggers.

    Dashboard figures and unsearched list totals read these few rows instead of
    counting the issues table.
    """

    __tablename__ = "issue_counts"

    team_key: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    priority: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    issue_count: Mapped[int] = mapped_column(sa.BigInteger)
    resolved_count: Mapped[int] = mapped_column(sa.BigInteger)
    resolution_seconds: Mapped[float] = mapped_column(sa.Float)


class CounterRow(Base):
    """Named counters where the database has no sequences (SQLite's issue numbers)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)


# Plain-row selects: repositories read tables through Core, never as ORM objects.
ISSUE_ROWS = sa.select(IssueRow.__table__)
TEAM_ROWS = sa.select(TeamRow.__table__)
MEMBER_ROWS = sa.select(MemberRow.__table__)
