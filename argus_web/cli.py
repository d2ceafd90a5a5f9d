"""The ``argus`` command: serve, demo, worker, db upgrade."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from typing import Any

import click
import uvicorn

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.migrate import upgrade
from argus_adapters.sql.settings import DatabaseSettings
from argus_web.demo import ADMIN_EMAIL, VIEWER_EMAIL, seed_demo
from argus_web.logs import configure_logging, logging_config
from argus_web.settings import Settings

GRACEFUL_SHUTDOWN_SECONDS = 10


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _serve(
    settings: Settings, host: str, port: int, workers: int = 1, access_log: bool = False
) -> None:
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "access_log": access_log,
        # On SIGTERM uvicorn stops accepting and waits for the requests in flight; an open
        # event stream (RCA progress) would hold it until the orchestrator's SIGKILL and
        # the jobs would never be handed back, so streams are cut after this long.
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }
    if settings.log_format == "json":
        # One JSON object a line; the request lines come from Argus's middleware.
        options.update(log_config=logging_config("json", access_log=access_log), access_log=False)
    if workers > 1:
        # Each worker process builds its own app from the same environment; their metrics
        # go to files in one folder so that any of them answers /metrics for all.
        with _metrics_folder():
            uvicorn.run("argus_web.app:serving_app", factory=True, workers=workers, **options)
        return
    from argus_web.app import serving_app  # the app is only built when serving

    uvicorn.run(serving_app(settings), **options)


class _metrics_folder:  # noqa: N801 (a context manager used like a function)
    """``PROMETHEUS_MULTIPROC_DIR`` for the serving processes: the operator's, or a new
    folder removed when serving ends."""

    def __enter__(self) -> None:
        self.made: str | None = None
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            self.made = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
                prefix="argus-metrics-"
            )

    def __exit__(self, *_: object) -> None:
        if self.made is not None:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]
            shutil.rmtree(self.made, ignore_errors=True)


host_option = click.option("--host", default="127.0.0.1", show_default=True)
port_option = click.option("--port", default=8000, show_default=True, type=int)


@click.group()
def main() -> None:
    """Argus: a Slack-first production-issue tracker."""


@main.command()
@host_option
@port_option
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64),
    help="Web processes (use more than one with PostgreSQL).",
)  # fmt: skip
@click.option(
    "--access-log/--no-access-log", default=False, show_default=True,
    help="Log every request (it costs a few percent of the CPU per request).",
)  # fmt: skip
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve the API and dashboard (the embedded SQLite database is migrated first)."""
    settings = _settings()
    if settings.database.is_sqlite:
        upgrade(settings.database)
    _serve(settings, host, port, workers, access_log)


@main.command()
@host_option
@port_option
def demo(host: str, port: int) -> None:
    """Migrate, fill an empty database with demo teams and issues, then serve."""
    settings = _settings()
    upgrade(settings.database)

    async def fill() -> bool:
        engine = create_engine(settings.database)
        try:
            return await seed_demo(engine)
        finally:
            await engine.dispose()

    seeded = asyncio.run(fill())
    click.echo("Demo data added." if seeded else "The database already has data; left as is.")
    if settings.local_sign_in:
        click.echo(f"Sign in as {ADMIN_EMAIL} (admin), maria.manager@example.com (manager),")
        click.echo(f"priya.patel@example.com (agent) or {VIEWER_EMAIL} (viewer).")
    _serve(settings, host, port)


@main.command()
@click.option(
    "--concurrency", default=10, show_default=True, type=click.IntRange(1, 200),
    help="Jobs run at once in this process.",
)  # fmt: skip
@click.option(
    "--sweep-seconds", default=5, show_default=True, type=click.IntRange(1, 600),
    help="How often jobs of dead workers are looked for (and retried).",
)  # fmt: skip
def worker(concurrency: int, sweep_seconds: int) -> None:
    """Run background jobs from ARGUS_QUEUE_URL's SAQ queue (any number of processes)."""
    settings = _settings()
    if not settings.queue_url:
        raise click.UsageError(
            "Set ARGUS_QUEUE_URL (redis://... or postgresql://...) to run workers; without it "
            "`argus serve` runs the jobs itself."
        )
    from argus_web.worker import run_worker  # SAQ and its backends load only here

    configure_logging(settings.log_format)

    asyncio.run(run_worker(settings, concurrency=concurrency, sweep_seconds=sweep_seconds))


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
