"""PostgreSQL connections are pinged only after a rest, and a dead one is replaced.

The server side of a pooled connection is ended with ``pg_terminate_backend``, as a
database restart would end it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from argus_adapters.sql import engine as engines
from argus_adapters.sql.settings import DatabaseSettings

BACKEND = sa.text("SELECT pg_backend_pid()")


async def _pooled_backend(settings: DatabaseSettings) -> tuple[sa.ext.asyncio.AsyncEngine, int]:
    """An engine whose only pooled connection has been used once, and its backend pid."""
    engine = engines.create_engine(
        DatabaseSettings(url=settings.url, schema=settings.schema, pool_size=1, max_overflow=0)
    )
    async with engine.connect() as connection:
        pid = (await connection.execute(BACKEND)).scalar_one()
    return engine, pid


async def _terminate(settings: DatabaseSettings, pid: int) -> None:
    killer = engines.create_engine(settings)
    async with killer.connect() as connection:
        await connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await killer.dispose()


async def test_a_rested_connection_is_pinged_and_a_dead_one_replaced(
    pg_settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, pid = await _pooled_backend(pg_settings)
    await _terminate(pg_settings, pid)
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 0.0)  # every rest is long
    try:
        async with engine.connect() as connection:
            fresh = (await connection.execute(BACKEND)).scalar_one()
        assert fresh != pid  # the ping found the dead one; the request never saw it
    finally:
        await engine.dispose()


async def test_a_connection_used_moments_ago_is_not_pinged_and_a_failure_heals(
    pg_settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, pid = await _pooled_backend(pg_settings)
    await _terminate(pg_settings, pid)
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 3600.0)
    try:
        # No ping: the statement itself meets the dead connection...
        with pytest.raises(DBAPIError) as failed:
            async with engine.connect() as connection:
                await connection.execute(BACKEND)
        assert failed.value.connection_invalidated
        # ...which is dropped, so the next request gets a working one.
        async with engine.connect() as connection:
            assert (await connection.execute(BACKEND)).scalar_one() != pid
    finally:
        await engine.dispose()
