"""The SQL unit of work: one connection, one transaction, every repository on it.

Repositories send SQLAlchemy Core statements on the connection; there is no ORM session
(its identity map and unit-of-work bookkeeping cost more than the statements here need).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from argus_adapters.sql.issues import SqlIssueRepository
from argus_adapters.sql.records import (
    SqlApiTokenRepository,
    SqlHistoryRepository,
    SqlOutbox,
    SqlReceiptRepository,
    SqlUserRepository,
)
from argus_adapters.sql.teams import SqlMemberRepository, SqlTeamRepository
from argus_core.domain.errors import Conflict, InvalidInput


class SqlUnitOfWork:
    """One transaction; leaving without ``commit()`` rolls back.

    A unit holds one connection from entry to exit and never takes a second, so a small
    pool serves many concurrent requests.
    """

    issues: SqlIssueRepository
    teams: SqlTeamRepository
    members: SqlMemberRepository
    history: SqlHistoryRepository
    users: SqlUserRepository
    tokens: SqlApiTokenRepository
    outbox: SqlOutbox
    receipts: SqlReceiptRepository

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        keep_connection: bool = False,
        on_events: Callable[[], None] | None = None,
    ) -> None:
        """``on_events`` is called after a commit that stored domain events (it wakes an
        outbox relay in this process)."""
        self.engine = engine
        self.keep_connection = keep_connection
        self.on_events = on_events
        self._kept: AsyncConnection | None = None
        self._active: AsyncConnection | None = None
        self._read_only = False
        self._autocommit = False

    def reading(self) -> Self:
        """Make the next unit read-only: no transaction is begun or rolled back (each
        statement sees what was committed before it; on SQLite no write lock is taken)."""
        self._read_only = True
        return self

    @property
    def connection(self) -> AsyncConnection:
        """The connection of the unit in progress."""
        if self._active is None:
            raise RuntimeError("no unit of work is in progress")
        return self._active

    async def __aenter__(self) -> Self:
        if self._active is not None:
            raise RuntimeError("this unit of work is already in progress")
        if self.keep_connection:
            # One connection for every unit this object runs (a web request's), checked
            # out once: no second connection, no repeated pool pings.
            if self._kept is None:
                self._kept = await self.engine.connect()
            connection = self._kept
        else:
            connection = await self.engine.connect()
        self._active = connection
        read_only, self._read_only = self._read_only, False
        try:
            if read_only:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                self._autocommit = True
            else:
                await connection.begin()
        except BaseException:
            await self._release()
            raise
        self.issues = SqlIssueRepository(connection)
        self.teams = SqlTeamRepository(connection)
        self.members = SqlMemberRepository(connection)
        self.history = SqlHistoryRepository(connection)
        self.users = SqlUserRepository(connection)
        self.tokens = SqlApiTokenRepository(connection)
        self.outbox = SqlOutbox(connection)
        self.receipts = SqlReceiptRepository(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._active is None:
            return
        try:
            if self._active.in_transaction():
                await self._active.rollback()
        finally:
            await self._release()
        if isinstance(exc, IntegrityError):
            raise Conflict("That clashes with data already stored (a duplicate?).") from exc
        if isinstance(exc, DataError):
            raise InvalidInput("A value does not fit what can be stored.") from exc

    async def commit(self) -> None:
        if self._active is None:
            raise RuntimeError("commit() outside the unit of work")
        try:
            await self._active.commit()
        except IntegrityError as exc:
            raise Conflict("That clashes with data already stored (a duplicate?).") from exc
        if self.outbox.recorded and self.on_events is not None:
            self.on_events()
        self.outbox.recorded = False

    async def rollback(self) -> None:
        if self._active is not None:
            await self._active.rollback()

    async def _release(self) -> None:
        connection, self._active = self._active, None
        autocommit, self._autocommit = self._autocommit, False
        if connection is not None and autocommit and self.keep_connection:
            # The pool resets a connection given back; a kept one serves further units.
            try:
                level = connection.default_isolation_level
                await connection.execution_options(isolation_level=level)
            except BaseException:
                self._kept = None
                await connection.close()
                raise
        if connection is not None and not self.keep_connection:
            await connection.close()

    async def short_units(self) -> None:
        """From now on give the connection back after every unit: for a scope that waits
        between units (a job waiting on an LLM) or that takes another connection (the job
        queue's) while this one would sit idle, which under load deadlocks the pool."""
        self.keep_connection = False
        await self.close()

    async def close(self) -> None:
        """Give back a kept connection (the end of a web request)."""
        connection, self._kept = self._kept, None
        if connection is not None:
            await connection.close()
