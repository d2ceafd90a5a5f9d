"""Thread order: which events' Slack thread messages are posted, and thread holds.

A notify job first tells what earlier events of its issue have not told yet, in order,
while it holds the issue's thread; ``outbox.told_at`` marks what is told and
``ix_outbox_issue`` finds an issue's events in order. Events handed on more than a day
before the upgrade count as told (their jobs are long finished); later ones are checked
once more, which posts nothing twice (each message is looked for before posting).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = DateTimeUTC(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("told_at", TIME, nullable=True))
    op.create_index("ix_outbox_issue", "outbox", ["issue_id", "seq"])
    outbox = sa.table("outbox", sa.column("told_at", TIME), sa.column("dispatched_at", TIME))
    op.execute(
        outbox.update()
        .where(outbox.c.dispatched_at < datetime.now(UTC) - timedelta(days=1))
        .values(told_at=outbox.c.dispatched_at)
    )
    op.create_table(
        "thread_holds",
        sa.Column("issue_id", sa.Uuid(), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("held_until", TIME, nullable=False),
        sa.PrimaryKeyConstraint("issue_id", name="pk_thread_holds"),
    )


def downgrade() -> None:
    op.drop_table("thread_holds")
    op.drop_index("ix_outbox_issue", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("told_at")
