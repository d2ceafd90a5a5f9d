"""Engines and sessions, set up for each database's rules.

PostgreSQL: a small pool, ``search_path`` set per connection so every object lives in
the configured schema, every statement planned for its own parameters. SQLite: WAL,
foreign keys on, and ``BEGIN IMMEDIATE`` so there is one writer at a time and a
read-then-write unit never fails half-way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from argus_adapters.sql.settings import DatabaseSettings

SQLITE_BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_SECONDS = 5


def create_engine(settings: DatabaseSettings, **kwargs: Any) -> AsyncEngine:
    """An engine for ``settings``; no connection is opened until first use."""
    if settings.is_postgres:
        return create_async_engine(
            settings.url,
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
            pool_pre_ping=True,
            # A database host that drops packets fails the connect after this long,
            # instead of asyncpg's 60 s, so requests answer 503 rather than hang.
            connect_args={
                "server_settings": server_settings(settings.schema),
                "timeout": CONNECT_TIMEOUT_SECONDS,
            },
            **kwargs,
        )
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
