"""Resolved today: a partial index on ``issues.resolved_at``.

The dashboard's "resolved today" figure and the list's ``resolved_since`` filter read a
range of it; issues without a resolution (open, in progress, closed unresolved) are not
in it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESOLVED = sa.text("resolved_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_issues_resolved_at",
        "issues",
        ["resolved_at"],
        postgresql_where=RESOLVED,
        sqlite_where=RESOLVED,
    )


def downgrade() -> None:
    op.drop_index("ix_issues_resolved_at", table_name="issues")
