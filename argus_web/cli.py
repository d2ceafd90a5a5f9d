"""The ``argus`` command."""

from __future__ import annotations

import click

from argus_adapters.sql.migrate import upgrade
from argus_adapters.sql.settings import DatabaseSettings


@click.group()
def main() -> None:
    """Argus: a Slack-first production-issue tracker."""


@main.group()
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema, using only ARGUS_DATABASE_URL and DB_SCHEMA."""
    try:
        settings = DatabaseSettings.from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    upgrade(settings, revision)
    where = f"schema {settings.schema}" if settings.is_postgres else "SQLite"
    click.echo(f"Database is at {revision} ({where}).")
