"""History, users and the outbox in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from argus_adapters.sql import models as m
from argus_adapters.sql.mapping import (
    history_values,
    to_history,
    to_member,
    to_user,
    user_values,
)
from argus_adapters.sql.threads import SqlThreadOrder
from argus_core.domain.errors import NotFound
from argus_core.domain.events import DomainEvent
from argus_core.domain.history import HistoryEntry
from argus_core.domain.people import ApiToken, User
from argus_core.queries import Person

HISTORY_ROWS = sa.select(m.HistoryRow.__table__)
USER_ROWS = sa.select(m.UserRow.__table__)
USER_BY_EMAIL = USER_ROWS.where(m.UserRow.email == sa.bindparam("email"))
_U, _M = m.UserRow, m.MemberRow
_ASKED = sa.select(sa.bindparam("email", type_=sa.String).label("email")).subquery("asked")
# Every request reads its caller, user and memberships in one statement, built once so
# only the value changes; the member columns keep their names for ``to_member``.
PERSON = (
    sa.select(
        _U.id.label("user_id"),
        _U.email.label("user_email"),
        _U.name.label("user_name"),
        _U.slack_user_id.label("user_slack_user_id"),
        _U.is_admin.label("user_is_admin"),
        *_M.__table__.columns,
    )
    .select_from(_ASKED)
    .outerjoin(_U, _U.email == _ASKED.c.email)
    .outerjoin(
        _M,
        sa.or_(
            sa.func.lower(_M.email) == _ASKED.c.email,
            sa.and_(_U.slack_user_id.is_not(None), _M.slack_user_id == _U.slack_user_id),
        ),
    )
    .order_by(_M.name)
)
TOKEN_ROWS = sa.select(m.ApiTokenRow.__table__)


class SqlHistoryRepository:
    """The audit trail; ``seq`` orders entries written in the same instant."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, entries: Sequence[HistoryEntry]) -> None:
        if entries:
            await self.connection.execute(
                sa.insert(m.HistoryRow), [history_values(e) for e in entries]
            )

    async def for_issue(self, issue_id: UUID) -> Sequence[HistoryEntry]:
        rows = await self.connection.execute(
            HISTORY_ROWS.where(m.HistoryRow.issue_id == issue_id).order_by(m.HistoryRow.seq.desc())
        )
        return [to_history(row) for row in rows]

    async def recent(self, limit: int) -> Sequence[HistoryEntry]:
        rows = await self.connection.execute(
            HISTORY_ROWS.order_by(m.HistoryRow.seq.desc()).limit(limit)
        )
        return [to_history(row) for row in rows]


class SqlUserRepository:
    """Signed-in people by lower-case email."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get_by_email(self, email: str) -> User | None:
        row = (await self.connection.execute(USER_BY_EMAIL, {"email": email.lower()})).first()
        return None if row is None else to_user(row)

    async def person(self, email: str) -> Person:
        rows = (await self.connection.execute(PERSON, {"email": email.lower()})).all()
        first = rows[0]  # the asked email is always one row, matched or not
        user = None
        if first.user_id is not None:
            user = User(
                id=first.user_id,
                email=first.user_email,
                name=first.user_name,
                slack_user_id=first.user_slack_user_id,
                is_admin=first.user_is_admin,
            )
        return Person(user=user, members=[to_member(r) for r in rows if r.id is not None])

    async def get(self, user_id: UUID) -> User:
        row = (await self.connection.execute(USER_ROWS.where(m.UserRow.id == user_id))).first()
        if row is None:
            raise NotFound(f"No user with id {user_id}.")
        return to_user(row)

    async def add(self, user: User) -> None:
        await self.connection.execute(sa.insert(m.UserRow).values(user_values(user)))

    async def save(self, user: User) -> None:
        values = user_values(user)
        del values["id"]
        await self.connection.execute(
            sa.update(m.UserRow).where(m.UserRow.id == user.id).values(values)
        )


class SqlApiTokenRepository:
    """Personal API tokens by the hash of their secret."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, token: ApiToken) -> None:
        await self.connection.execute(
            sa.insert(m.ApiTokenRow).values(msgspec.structs.asdict(token))
        )

    async def find_by_hash(self, token_hash: str) -> ApiToken | None:
        row = (
            await self.connection.execute(TOKEN_ROWS.where(m.ApiTokenRow.token_hash == token_hash))
        ).first()
        return None if row is None else _token(row)

    async def for_user(self, user_id: UUID) -> Sequence[ApiToken]:
        rows = await self.connection.execute(
            TOKEN_ROWS.where(m.ApiTokenRow.user_id == user_id).order_by(
                m.ApiTokenRow.created_at.desc()
            )
        )
        return [_token(row) for row in rows]

    async def save(self, token: ApiToken) -> None:
        await self.connection.execute(
            sa.update(m.ApiTokenRow)
            .where(m.ApiTokenRow.id == token.id)
            .values(last_used_at=token.last_used_at, revoked_at=token.revoked_at)
        )


def _token(row: sa.Row[Any]) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        token_hash=row.token_hash,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class SqlOutbox(SqlThreadOrder):
    """Events written in the same transaction as the change; jobs deliver them later
    (the order of Slack threads: :class:`~argus_adapters.sql.threads.SqlThreadOrder`)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.recorded = False
        """Whether this unit stored events (the unit of work reports it after commit)."""

    async def record(self, events: Sequence[DomainEvent]) -> None:
        if not events:
            return
        self.recorded = True
        rows = [
            {
                "id": event.id,
                "type": type(event).__struct_config__.tag,
                "issue_id": event.issue_id,
                "payload": msgspec.json.encode(event),
                "occurred_at": event.occurred_at,
            }
            for event in events
        ]
        await self.connection.execute(sa.insert(m.OutboxRow), rows)

    async def pending(self, limit: int = 100) -> Sequence[DomainEvent]:
        """Events not yet delivered, oldest first."""
        payloads = await self.connection.scalars(
            sa.select(m.OutboxRow.payload)
            .where(m.OutboxRow.dispatched_at.is_(None))
            .order_by(m.OutboxRow.seq)
            .limit(limit)
        )
        return [msgspec.json.decode(p, type=DomainEvent) for p in payloads]

    async def mark_dispatched(self, event_ids: Sequence[UUID]) -> None:
        """Record that events were handed to the job queue."""
        if event_ids:
            await self.connection.execute(
                sa.update(m.OutboxRow)
                .where(m.OutboxRow.id.in_(event_ids))
                .values(dispatched_at=datetime.now(UTC))
            )


class SqlReceiptRepository:
    """Slack deliveries taken in, keyed by the primary key of ``slack_event_receipts``."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.dialect = postgresql if connection.dialect.name == "postgresql" else sqlite

    async def record(self, key: str, at: datetime) -> UUID | None:
        # One statement on Slack's hot path: a no-op update lets RETURNING answer for a
        # receipt that was there already.
        table = m.SlackEventReceiptRow
        made: UUID | None = await self.connection.scalar(
            self.dialect.insert(table)
            .values(event_id=key, received_at=at)
            .on_conflict_do_update(
                index_elements=["event_id"], set_={"received_at": table.received_at}
            )
            .returning(table.issue_id)
        )
        return made

    async def settle(self, key: str, issue_id: UUID, at: datetime) -> UUID:
        # One upsert: the row lock it takes makes a concurrent settle of the same key wait
        # for this unit, then see its issue (PostgreSQL re-reads the row under READ
        # COMMITTED); SQLite has one writer at a time anyway.
        table = m.SlackEventReceiptRow
        insert = self.dialect.insert(table).values(event_id=key, received_at=at, issue_id=issue_id)
        settled = await self.connection.scalar(
            insert.on_conflict_do_update(
                index_elements=["event_id"],
                set_={"issue_id": sa.func.coalesce(table.issue_id, insert.excluded.issue_id)},
            ).returning(table.issue_id)
        )
        assert settled is not None
        return UUID(str(settled))
