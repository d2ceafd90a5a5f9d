"""Engines and sessions, set up for each database's rules.

PostgreSQL: a pool sized for a process's concurrency, ``search_path`` set per connection
so every object lives in the configured schema, every statement planned for its own
parameters, a connection pinged only when it comes back from a rest. SQLite: WAL,
foreign keys on, and ``BEGIN IMMEDIATE`` so there is one writer at a time and a
read-then-write unit never fails half-way.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from argus_adapters.sql.settings import DatabaseSettings

SQLITE_BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_SECONDS = 5
# A connection back in use within this long of its last use is not pinged first.
PING_AFTER_IDLE_SECONDS = 1.0


def create_engine(settings: DatabaseSettings, **kwargs: Any) -> AsyncEngine:
    """An engine for ``settings``; no connection is opened until first use."""
    if settings.is_postgres:
        engine = create_async_engine(
            settings.url,
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
            # A database host that drops packets fails the connect after this long,
            # instead of asyncpg's 60 s, so requests answer 503 rather than hang.
            connect_args={
                "server_settings": server_settings(settings.schema),
                "timeout": CONNECT_TIMEOUT_SECONDS,
            },
            **kwargs,
        )
        _ping_after_idle(engine)
        return engine
    engine = create_async_engine(settings.url, **kwargs)
    _configure_sqlite(engine)
    return engine


def server_settings(schema: str) -> dict[str, str]:
    """PostgreSQL session settings for every connection (the benchmarks' floor uses them)."""
    return {
        "search_path": schema,
        # Statements are prepared and cached; after five runs PostgreSQL may switch to a
        # generic plan that cannot see a search's selectivity and scans the whole table.
        # Plan each run for its own parameters instead.
        "plan_cache_mode": "force_custom_plan",
    }


def _ping_after_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection before use only when it has rested a while.

    SQLAlchemy's ``pool_pre_ping`` costs three round trips (BEGIN, ping, ROLLBACK) on
    every checkout, as much as the request's own statements. A connection used moments
    ago is very likely alive; should it have died all the same, the failing statement
    marks every older pooled connection invalid, so one request answers 503 and the next
    one reconnects.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["rested_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("rested_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            # The pool drops this connection and checks out (or opens) another.
            raise DisconnectionError("a pooled connection no longer answers") from exc


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        # A read-only unit (AUTOCOMMIT) takes no lock and waits for no writer.
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
