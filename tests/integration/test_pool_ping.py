"""PostgreSQL connections are pinged only after a rest, and a dead one is replaced.

The server side of a pooled connection is ended with ``pg_terminate_backend``, as a
database restart would end it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql import engine as engines
from argus_adapters.sql.settings import DatabaseSettings

BACKEND = sa.text("SELECT pg_backend_pid()")


@pytest.fixture
async def dead_pooled(pg_settings: DatabaseSettings) -> AsyncIterator[tuple[AsyncEngine, int]]:
    """An engine whose only pooled connection was used once and has since lost its
    server side, and that connection's backend pid."""
    engine = engines.create_engine(
        DatabaseSettings(
            url=pg_settings.url, schema=pg_settings.schema, pool_size=1, max_overflow=0
        )
    )
    async with engine.connect() as connection:
        pid = (await connection.execute(BACKEND)).scalar_one()
    killer = engines.create_engine(pg_settings)
    async with killer.connect() as connection:
        await connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await killer.dispose()
    try:
        yield engine, pid
    finally:
        await engine.dispose()


async def test_a_rested_connection_is_pinged_and_a_dead_one_replaced(
    dead_pooled: tuple[AsyncEngine, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, pid = dead_pooled
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 0.0)  # every rest is long
    async with engine.connect() as connection:
        fresh = (await connection.execute(BACKEND)).scalar_one()
    assert fresh != pid  # the ping found the dead one; the request never saw it


async def test_a_connection_used_moments_ago_is_not_pinged_and_a_failure_heals(
    dead_pooled: tuple[AsyncEngine, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, pid = dead_pooled
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 3600.0)
    # No ping: the statement itself meets the dead connection...
    with pytest.raises(DBAPIError) as failed:
        async with engine.connect() as connection:
            await connection.execute(BACKEND)
    assert failed.value.connection_invalidated
    # ...which is dropped, so the next request gets a working one.
    async with engine.connect() as connection:
        assert (await connection.execute(BACKEND)).scalar_one() != pid
