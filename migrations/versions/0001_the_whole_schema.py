"""The whole schema: teams, members, issues, assignees, history, users, outbox, counters.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = DateTimeUTC(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACTIVE_ISSUE_COLUMNS = ("team_id", "status", "priority", "resolved_at")


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("slack_channel_id", sa.Text(), nullable=True),
        sa.Column("reminders_enabled", sa.Boolean(), nullable=False),
        sa.Column("reminder_frequency_minutes", sa.Integer(), nullable=False),
        sa.Column("reminder_per_priority", JSON, nullable=False),
        sa.Column("reminder_start_hour", sa.Integer(), nullable=False),
        sa.Column("reminder_end_hour", sa.Integer(), nullable=False),
        sa.Column("reminder_timezone", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
        sa.UniqueConstraint("name_key", name="uq_teams_name_key"),
    )
    op.create_table(
        "team_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("slack_user_id", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("notifications_muted", sa.Boolean(), nullable=False),
        sa.Column("open_issue_count", sa.Integer(), nullable=False),
        sa.Column("total_assigned_count", sa.Integer(), nullable=False),
        sa.Column("last_assigned_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_team_members_team_id_teams", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_team_members"),
    )
    op.create_index("ix_team_members_team_id_name", "team_members", ["team_id", "name"])
    op.create_index("ix_team_members_email", "team_members", ["email"])
    op.create_index("ix_team_members_slack_user_id", "team_members", ["slack_user_id"])

    op.create_table(
        "issues",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("reporter_name", sa.Text(), nullable=True),
        sa.Column("reporter_slack_id", sa.Text(), nullable=True),
        sa.Column("reporter_email", sa.Text(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("slack_channel_id", sa.Text(), nullable=True),
        sa.Column("slack_channel_name", sa.Text(), nullable=True),
        sa.Column("slack_thread_ts", sa.Text(), nullable=True),
        sa.Column("slack_message_ts", sa.Text(), nullable=True),
        sa.Column("slack_permalink", sa.Text(), nullable=True),
        sa.Column("categorization", JSON, nullable=True),
        sa.Column("rca", JSON, nullable=True),
        sa.Column("resolution_reason", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("notifications_muted", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("first_acknowledged_at", TIME, nullable=True),
        sa.Column("resolved_at", TIME, nullable=True),
        sa.Column("closed_at", TIME, nullable=True),
        sa.Column("last_reminded_at", TIME, nullable=True),
        sa.Column("next_reminder_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_issues_team_id_teams", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_issues"),
        sa.UniqueConstraint("number", name="uq_issues_number"),
    )
    op.create_index("ix_issues_newest", "issues", ["created_at", "number"])
    for name, column in (
        ("status", "status"),
        ("priority", "priority"),
        ("team", "team_id"),
        ("reporter", "reporter_email"),
    ):
        op.create_index(f"ix_issues_{name}_newest", "issues", [column, "created_at", "number"])
    op.create_index(
        "ix_issues_next_reminder",
        "issues",
        ["next_reminder_at"],
        postgresql_where=sa.text("next_reminder_at IS NOT NULL"),
        sqlite_where=sa.text("next_reminder_at IS NOT NULL"),
    )
    op.create_index(
        "ix_issues_slack_channel_id_slack_thread_ts",
        "issues",
        ["slack_channel_id", "slack_thread_ts"],
    )

    op.create_table(
        "issue_assignees",
        sa.Column("issue_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name="fk_issue_assignees_issue_id_issues",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["team_members.id"],
            name="fk_issue_assignees_member_id_team_members", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issue_id", "member_id", name="pk_issue_assignees"),
    )
    op.create_index(
        "ix_issue_assignees_member_id_issue_id", "issue_assignees", ["member_id", "issue_id"]
    )

    op.create_table(
        "issue_history",
        sa.Column("seq", SEQ, sa.Identity(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("issue_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("performed_by", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name="fk_issue_history_issue_id_issues",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_issue_history"),
        sa.UniqueConstraint("id", name="uq_issue_history_id"),
    )
    op.create_index("ix_issue_history_issue_id_seq", "issue_history", ["issue_id", "seq"])

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slack_user_id", sa.Text(), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", SEQ, sa.Identity(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("issue_id", sa.Uuid(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("occurred_at", TIME, nullable=False),
        sa.Column("dispatched_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_outbox"),
        sa.UniqueConstraint("id", name="uq_outbox_id"),
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["seq"],
        postgresql_where=sa.text("dispatched_at IS NULL"),
        sqlite_where=sa.text("dispatched_at IS NULL"),
    )
    op.create_table(
        "slack_event_receipts",
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("received_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_slack_event_receipts"),
    )
    op.create_table(
        "issue_counts",
        sa.Column("team_key", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("issue_count", sa.BigInteger(), nullable=False),
        sa.Column("resolved_count", sa.BigInteger(), nullable=False),
        sa.Column("resolution_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("team_key", "status", "priority", name="pk_issue_counts"),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_counters"),
    )
    op.execute("INSERT INTO counters (name, value) VALUES ('issue_number', 0)")

    if op.get_bind().dialect.name == "postgresql":
        _postgres_extras()
    else:
        _sqlite_extras()


def _count_upsert(row: str, sign: str, no_team: str, seconds: str, postgres: bool) -> str:
    """Add (sign '+') or remove (sign '-') one issue row's share of the counters."""
    # SQLite's upsert takes no table alias, so it names the table itself.
    c = "c" if postgres else "issue_counts"
    alias = " AS c" if postgres else ""
    return f"""
        INSERT INTO issue_counts{alias}
            (team_key, status, priority, issue_count, resolved_count, resolution_seconds)
        VALUES (
            coalesce({row}.team_id, {no_team}), {row}.status, {row}.priority, {sign}1,
            CASE WHEN {row}.resolved_at IS NULL THEN 0 ELSE {sign}1 END,
            {sign}coalesce({seconds}, 0)
        )
        ON CONFLICT (team_key, status, priority) DO UPDATE SET
            issue_count = {c}.issue_count + excluded.issue_count,
            resolved_count = {c}.resolved_count + excluded.resolved_count,
            resolution_seconds = {c}.resolution_seconds + excluded.resolution_seconds;
    """


def _postgres_extras() -> None:
    op.execute("CREATE SEQUENCE issue_number_seq")
    # Word-prefix search over the same normalised words the application searches.
    op.execute(
        "CREATE INDEX ix_issues_search ON issues "
        "USING gin (to_tsvector('simple'::regconfig, search_text))"
    )
    no_team = "'00000000-0000-0000-0000-000000000000'::uuid"

    def upsert(row: str, sign: str) -> str:
        seconds = f"extract(epoch FROM {row}.resolved_at - {row}.created_at)"
        return _count_upsert(row, sign, no_team, seconds, postgres=True)

    def key(row: str) -> str:
        return f"coalesce({row}.team_id, {no_team}), {row}.status, {row}.priority"

    op.execute(f"""
        CREATE FUNCTION issue_counts_track() RETURNS trigger
        LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN {upsert("NEW", "+")}
            ELSIF TG_OP = 'DELETE' THEN {upsert("OLD", "-")}
            -- Two buckets: lock them in key order so concurrent moves cannot deadlock.
            ELSIF ({key("OLD")}) <= ({key("NEW")}) THEN {upsert("OLD", "-")} {upsert("NEW", "+")}
            ELSE {upsert("NEW", "+")} {upsert("OLD", "-")}
            END IF;
            RETURN NULL;
        END $$
    """)
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ACTIVE_ISSUE_COLUMNS)
    for event, when in (("INSERT", ""), ("DELETE", ""), ("UPDATE", f"WHEN ({changed})")):
        op.execute(
            f"CREATE TRIGGER issue_counts_{event.lower()} AFTER {event} ON issues "
            f"FOR EACH ROW {when} EXECUTE FUNCTION issue_counts_track()"
        )


def _sqlite_extras() -> None:
    no_team = "'" + "0" * 32 + "'"  # sa.Uuid's storage on SQLite: 32 hex digits

    def upsert(row: str, sign: str) -> str:
        seconds = f"(julianday({row}.resolved_at) - julianday({row}.created_at)) * 86400.0"
        return _count_upsert(row, sign, no_team, seconds, postgres=False)

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ACTIVE_ISSUE_COLUMNS)
    op.execute(f"CREATE TRIGGER issue_counts_insert AFTER INSERT ON issues BEGIN "
               f"{upsert('NEW', '+')} END")
    op.execute(f"CREATE TRIGGER issue_counts_delete AFTER DELETE ON issues BEGIN "
               f"{upsert('OLD', '-')} END")
    op.execute(f"CREATE TRIGGER issue_counts_update AFTER UPDATE ON issues WHEN {changed} BEGIN "
               f"{upsert('OLD', '-')} {upsert('NEW', '+')} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION issue_counts_track() CASCADE")
        op.execute("DROP SEQUENCE issue_number_seq")
    for table in (
        "counters",
        "issue_counts",
        "slack_event_receipts",
        "outbox",
        "users",
        "issue_history",
        "issue_assignees",
        "issues",
        "team_members",
        "teams",
    ):
        op.drop_table(table)
