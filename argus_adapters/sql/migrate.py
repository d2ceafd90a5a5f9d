"""Apply the Alembic migrations with nothing but the database settings."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from argus_adapters.sql.settings import DatabaseSettings

_PACKAGED = Path(__file__).with_name("migrations")  # where a wheel carries them
_SOURCE = Path(__file__).resolve().parents[2] / "migrations"  # a source checkout


def migrations_path() -> Path:
    """The folder holding ``env.py`` and ``versions/``."""
    for candidate in (_PACKAGED, _SOURCE):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("Argus's migrations folder is missing from this installation.")


def alembic_config(settings: DatabaseSettings) -> Config:
    """An Alembic configuration for ``settings`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.attributes["database"] = settings
    return config


def upgrade(settings: DatabaseSettings, revision: str = "head") -> None:
    """Bring the database to ``revision``; creates the PostgreSQL schema if missing.

    Runs its own event loop: from async code, call :func:`upgrade_async` instead.
    """
    command.upgrade(alembic_config(settings), revision)


async def upgrade_async(settings: DatabaseSettings, revision: str = "head") -> None:
    """:func:`upgrade` from inside a running event loop (in a worker thread)."""
    await asyncio.to_thread(upgrade, settings, revision)
