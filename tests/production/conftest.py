"""Fixtures for the production tests: a PostgreSQL schema of the test's own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from argus_adapters.sql.migrate import upgrade_async
from argus_adapters.sql.settings import DatabaseSettings
from tests.databases import drop_schema, postgres_settings


@pytest.fixture
async def pg_db() -> AsyncIterator[DatabaseSettings]:
    """A migrated schema on the shared PostgreSQL (SAQ's tables go there too)."""
    schema = f"argus_prod_{uuid.uuid4().hex[:10]}"
    db = postgres_settings(schema)
    await upgrade_async(db)
    yield db
    await drop_schema(schema)
