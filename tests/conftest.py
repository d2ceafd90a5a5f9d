"""Hypothesis profiles and the real databases shared by every test folder."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from argus_adapters.sql.migrate import upgrade
from argus_adapters.sql.settings import DatabaseSettings
from tests.databases import drop_schema, postgres_settings

settings.register_profile("default", deadline=None)
settings.register_profile(
    "ci", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session")
def pg_settings() -> Iterator[DatabaseSettings]:
    """A freshly migrated PostgreSQL schema for this test run, dropped at the end."""
    schema = f"argus_test_{uuid.uuid4().hex[:10]}"
    db = postgres_settings(schema)
    upgrade(db)
    yield db
    asyncio.run(drop_schema(schema))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that tests copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(DatabaseSettings(url=f"sqlite+aiosqlite:///{path}"))
    return path
