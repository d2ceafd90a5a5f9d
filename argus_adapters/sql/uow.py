"""The SQL unit of work: one session, one transaction, every repository on it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from argus_adapters.sql.issues import SqlIssueRepository
from argus_adapters.sql.records import (
    SqlApiTokenRepository,
    SqlHistoryRepository,
    SqlOutbox,
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

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        keep_connection: bool = False,
        on_events: Callable[[], None] | None = None,
    ) -> None:
        """``on_events`` is called after a commit that stored domain events (it wakes an
        outbox relay in this process)."""
        self.sessions = sessions
        self.keep_connection = keep_connection
        self.on_events = on_events
        self._connection: AsyncConnection | None = None
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The session of the unit in progress."""
        if self._session is None:
            raise RuntimeError("no unit of work is in progress")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already in progress")
        if self.keep_connection:
            # One connection for every unit this object runs (a web request's), checked
            # out once: no second connection, no repeated pool pings.
            if self._connection is None:
                self._connection = await self.sessions.kw["bind"].connect()
            session = self._session = self.sessions(bind=self._connection)
        else:
            session = self._session = self.sessions()
        await session.begin()
        self.issues = SqlIssueRepository(session)
        self.teams = SqlTeamRepository(session)
        self.members = SqlMemberRepository(session)
        self.history = SqlHistoryRepository(session)
        self.users = SqlUserRepository(session)
        self.tokens = SqlApiTokenRepository(session)
        self.outbox = SqlOutbox(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            await session.rollback()
        finally:
            await session.close()
        if isinstance(exc, IntegrityError):
            raise Conflict("That clashes with data already stored (a duplicate?).") from exc
        if isinstance(exc, DataError):
            raise InvalidInput("A value does not fit what can be stored.") from exc

    async def commit(self) -> None:
        if self._session is None:
            raise RuntimeError("commit() outside the unit of work")
        try:
            await self._session.commit()
        except IntegrityError as exc:
            raise Conflict("That clashes with data already stored (a duplicate?).") from exc
        if self.outbox.recorded and self.on_events is not None:
            self.on_events()
        self.outbox.recorded = False

    async def rollback(self) -> None:
        if self._session is not None:
            await self._session.rollback()

    async def close(self) -> None:
        """Give back a kept connection (the end of a web request)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()
