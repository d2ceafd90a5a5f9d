"""Order in Slack threads, in SQL: which events an issue's thread has been told, and
who holds the thread while telling it (the outbox's part of the ``Outbox`` port).

A hold is a row of ``thread_holds``: the holder (``host:pid:nonce`` of the process) and
the time it ends. A hold whose time is up, or whose process on this host is gone (a
killed server or worker restarted on the same machine), is free to take at once.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import cast
from uuid import UUID

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from argus_adapters.sql import models as m
from argus_adapters.sql.jobs import _LIVE_OWNERS, _is_dead_here
from argus_core.domain.events import DomainEvent

HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
"""This process, as a thread holder."""
_LIVE_OWNERS.add(HOLDER)  # so this process never counts its own holds as dead
HOLDS = cast(sa.Table, m.ThreadHoldRow.__table__)
OUTBOX = cast(sa.Table, m.OutboxRow.__table__)


class SqlThreadOrder:
    """Mixed into ``SqlOutbox``: the thread backlog, told marks and thread holds."""

    connection: AsyncConnection

    async def thread_backlog(self, issue_id: UUID, through: UUID) -> Sequence[DomainEvent] | None:
        last = await self.connection.scalar(sa.select(OUTBOX.c.seq).where(OUTBOX.c.id == through))
        if last is None:
            return None
        payloads = await self.connection.scalars(
            sa.select(OUTBOX.c.payload)
            .where(
                OUTBOX.c.issue_id == issue_id,
                OUTBOX.c.seq <= last,
                OUTBOX.c.told_at.is_(None),
            )
            .order_by(OUTBOX.c.seq)
        )
        return [msgspec.json.decode(p, type=DomainEvent) for p in payloads]

    async def mark_told(self, event_ids: Sequence[UUID]) -> None:
        if event_ids:
            await self.connection.execute(
                sa.update(OUTBOX)
                .where(OUTBOX.c.id.in_(event_ids), OUTBOX.c.told_at.is_(None))
                .values(told_at=datetime.now(UTC))
            )

    async def hold_thread(self, issue_id: UUID, seconds: float) -> datetime | None:
        now = datetime.now(UTC)
        until = now + timedelta(seconds=seconds)
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        taken = await self.connection.execute(
            dialect.insert(HOLDS)
            .values(issue_id=issue_id, holder=HOLDER, held_until=until)
            .on_conflict_do_nothing(index_elements=["issue_id"])
        )
        if taken.rowcount:
            return until
        current = (
            await self.connection.execute(
                sa.select(HOLDS.c.holder, HOLDS.c.held_until).where(HOLDS.c.issue_id == issue_id)
            )
        ).first()
        if current is None:  # released in between: the next try takes it
            return None
        holder, held_until = current
        if held_until > now and not _is_dead_here(holder):
            return None
        # Compare-and-set on what was read: of two takers, one wins.
        moved = await self.connection.execute(
            sa.update(HOLDS)
            .where(
                HOLDS.c.issue_id == issue_id,
                HOLDS.c.holder == holder,
                HOLDS.c.held_until == held_until,
            )
            .values(holder=HOLDER, held_until=until)
        )
        return until if moved.rowcount else None

    async def release_thread(self, issue_id: UUID, hold: datetime) -> None:
        await self.connection.execute(
            sa.delete(HOLDS).where(
                HOLDS.c.issue_id == issue_id,
                HOLDS.c.holder == HOLDER,
                HOLDS.c.held_until == hold,
            )
        )
