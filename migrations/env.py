"""Alembic environment: runs the migrations on the async engine Argus itself uses.

On PostgreSQL the schema (``DB_SCHEMA``) is created first and every object, Alembic's
version table included, lands in it through the connection's ``search_path``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.models import Base
from argus_adapters.sql.settings import DatabaseSettings

# Objects the models cannot describe (PostgreSQL's full-text index on an expression).
MIGRATION_ONLY = {"ix_issues_search"}


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return name not in MIGRATION_ONLY


def settings() -> DatabaseSettings:
    given = context.config.attributes.get("database")
    return given if given is not None else DatabaseSettings.from_env()


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    db = settings()
    engine = create_engine(db)
    try:
        if db.is_postgres:
            async with engine.connect() as connection:
                await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{db.schema}"'))
                await connection.commit()
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Argus runs its migrations online: use `argus db upgrade`.")
asyncio.run(run_online())
