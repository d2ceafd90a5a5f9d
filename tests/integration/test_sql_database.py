"""What only the SQL backends have: migrations, schema, pragmas, pools, locking, counters."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql.dashboard import SqlDashboardQueries
from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.migrate import upgrade
from argus_adapters.sql.models import Base
from argus_adapters.sql.settings import DatabaseSettings
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.domain.people import User
from argus_core.domain.values import Priority, Status
from argus_core.queries import IssueQuery
from argus_core.usecases.issues import IssuePatch
from argus_web.cli import main as argus_cli
from tests.databases import drop_schema, postgres_settings
from tests.world import ADMIN, VIEWER, World

MIGRATION_ONLY = {"ix_issues_search", "search_words"}


def differences(connection: sa.Connection) -> list[object]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "include_object": lambda obj, name, *_: name not in MIGRATION_ONLY,
        },
    )
    return list(compare_metadata(context, Base.metadata))


def sql_world(engine: AsyncEngine) -> World:

    return World(lambda: SqlUnitOfWork(engine), SqlDashboardQueries(SqlUnitOfWork(engine)))


@pytest.mark.backends("sqlite", "postgres")
async def test_migrations_match_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_upgrade_writes_only_to_the_configured_schema() -> None:
    schema = f"argus_only_{uuid.uuid4().hex[:8]}"
    engine = create_engine(postgres_settings("public"))
    query = sa.text(
        "SELECT n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
        "AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'argus_test_%'"
    )
    functions = sa.text(
        "SELECT n.nspname, p.proname FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'issue_counts_track'"
    )
    try:
        async with engine.connect() as connection:
            before = set((await connection.execute(query)).all())
        await asyncio.to_thread(upgrade, postgres_settings(schema))
        async with engine.connect() as connection:
            after = set((await connection.execute(query)).all())
            owners = {row[0] for row in (await connection.execute(functions)).all()}
        added = after - before
        assert {name for schema_name, name in added if schema_name == schema} >= {
            "alembic_version",
            "issues",
            "issue_counts",
            "issue_number_seq",
            "ix_issues_search",
        }
        assert {schema_name for schema_name, _ in added} == {schema}
        assert schema in owners
    finally:
        await engine.dispose()
        await drop_schema(schema)


def test_db_upgrade_command_needs_only_database_settings(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(argus_cli, ["db", "upgrade"], env={"ARGUS_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "Database is at head" in result.output
    assert (tmp_path / "cli.db").exists()
    again = CliRunner().invoke(argus_cli, ["db", "upgrade"], env={"ARGUS_DATABASE_URL": url})
    assert again.exit_code == 0  # idempotent
    bad = CliRunner().invoke(argus_cli, ["db", "upgrade"], env={"DB_SCHEMA": "Robert'); --"})
    assert bad.exit_code == 2
    assert "DB_SCHEMA" in bad.output


def test_settings_read_the_original_variable_names() -> None:
    settings = DatabaseSettings.from_env(
        {"DATABASE_URL": "postgres://u@h/db", "DB_SCHEMA": "tracker"}
    )
    assert (settings.url, settings.schema) == ("postgresql+asyncpg://u@h/db", "tracker")
    preferred = DatabaseSettings.from_env(
        {"DATABASE_URL": "postgres://u@h/a", "ARGUS_DATABASE_URL": "sqlite:///x.db"}
    )
    assert preferred.url == "sqlite+aiosqlite:///x.db"
    assert DatabaseSettings.from_env({}).is_sqlite
    with pytest.raises(ValueError, match="must start with"):
        DatabaseSettings.from_env({"DATABASE_URL": "mysql://x"})


def test_the_pool_is_sized_from_the_environment() -> None:
    default = DatabaseSettings.from_env({})
    assert (default.pool_size, default.max_overflow) == (10, 10)
    sized = DatabaseSettings.from_env({"ARGUS_DB_POOL_SIZE": "25", "ARGUS_DB_MAX_OVERFLOW": "0"})
    assert (sized.pool_size, sized.max_overflow) == (25, 0)
    with pytest.raises(ValueError, match="ARGUS_DB_POOL_SIZE must be a whole number"):
        DatabaseSettings.from_env({"ARGUS_DB_POOL_SIZE": "ten"})
    with pytest.raises(ValueError, match="at least 1"):
        DatabaseSettings.from_env({"ARGUS_DB_POOL_SIZE": "0"})


@pytest.mark.backends("sqlite")
async def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.backends("sqlite", "postgres")
async def test_a_unit_of_work_never_takes_a_second_connection(engine: AsyncEngine) -> None:
    """With a pool of one, every use case still completes: no nested checkouts."""
    url = engine.url.render_as_string(hide_password=False)
    schema = engine.dialect.name == "postgresql" and await _schema_of(engine)
    single = create_engine(
        DatabaseSettings(url=url, schema=schema or "argus", pool_size=1, max_overflow=0),
        pool_timeout=5,
    )
    try:
        world = sql_world(single)
        team = await world.team()
        await world.member(team, "Alice")
        issue = await world.report(team)
        await world.issues.resolve(ADMIN, issue.id, "fixed")
        assert (await world.issues.list(VIEWER, IssueQuery(search="checkout"))).total == 1
        assert single.pool.checkedout() == 0
    finally:
        await single.dispose()


@pytest.mark.backends("sqlite", "postgres")
async def test_a_read_only_unit_waits_for_no_writer_and_leaves_the_next_unit_atomic(
    engine: AsyncEngine,
) -> None:
    """A read-only unit begins no transaction (on SQLite a transaction is BEGIN IMMEDIATE,
    which waits for a writer); the kept connection's next unit is a transaction again."""
    world = sql_world(engine)
    team = await world.team()
    writer = SqlUnitOfWork(engine)
    reader = SqlUnitOfWork(engine, keep_connection=True)
    try:
        async with writer:
            await writer.teams.get(team.id)  # holds the write lock on SQLite
            async with asyncio.timeout(5):
                async with reader.reading():
                    assert (await reader.teams.get(team.id)).name == team.name
        async with reader:
            await reader.users.add(User(id=uuid.uuid4(), email="left@example.com", name="x"))
            # left without commit: rolled back only if this unit is a transaction
        async with reader.reading():
            assert await reader.users.get_by_email("left@example.com") is None
    finally:
        await reader.close()


async def _schema_of(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        return str((await connection.execute(sa.text("SELECT current_schema()"))).scalar())


async def _concurrent_reports(engine: AsyncEngine, agents: int, reports: int) -> None:
    world = sql_world(engine)
    team = await world.team()
    crew = [await world.member(team, f"Agent {n}") for n in range(agents)]
    await asyncio.gather(*(world.report(team, f"report {n}") for n in range(reports)))
    async with world.uow() as uow:
        page = await uow.issues.list(IssueQuery(per_page=100))
        assert page.total == reports
        members = [await uow.members.get(a.id) for a in crew]
        recounts = [await uow.issues.count_active_for_member(a.id) for a in crew]
        numbers = set()
        for n in range(1, reports // 100 + 2):
            found = await uow.issues.list(IssueQuery(per_page=100, page=n))
            numbers |= {i.number for i in found.items}
    loads = [m.open_issue_count for m in members]
    assert loads == recounts
    assert sum(loads) == reports
    assert max(loads) - min(loads) <= 1
    assert len(numbers) == reports  # every report stored once, numbers unique


@pytest.mark.backends("postgres")
async def test_200_concurrent_reports_to_ten_agents_on_postgres(engine: AsyncEngine) -> None:
    await _concurrent_reports(engine, agents=10, reports=200)


@pytest.mark.backends("sqlite")
async def test_concurrent_reports_on_sqlite_wait_for_the_single_writer(engine: AsyncEngine) -> None:
    await _concurrent_reports(engine, agents=5, reports=40)


@pytest.mark.backends("sqlite", "postgres")
async def test_trigger_kept_counts_equal_a_recount(engine: AsyncEngine) -> None:
    world = sql_world(engine)
    rng = random.Random(7)
    teams = [await world.team(name) for name in ("A", "B", "C")]
    for team in teams:
        await world.member(team, f"{team.name} agent")
    issues = [
        await world.report(rng.choice([*teams, None]), f"i{n}", priority=rng.choice(list(Priority)))
        for n in range(30)
    ]
    for issue in issues:
        world.clock.advance(minutes=rng.randint(1, 90))
        action = rng.choice(["resolve", "close", "reopen", "move", "priority", "start"])
        try:
            if action == "resolve":
                await world.issues.resolve(ADMIN, issue.id, "fixed")
            elif action == "close":
                await world.issues.close(ADMIN, issue.id, "dup")
            elif action == "reopen":
                await world.issues.resolve(ADMIN, issue.id, "fixed")
                await world.issues.reopen(ADMIN, issue.id)
            elif action == "move":
                await world.issues.change_team(ADMIN, issue.id, rng.choice(teams).id)
            elif action == "priority":
                await world.issues.update(ADMIN, issue.id, IssuePatch(priority=Priority.LOW))
            else:
                await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
        except Exception:
            pass
    recount = sa.text(
        "SELECT coalesce(team_id, :none) AS team_key, status, priority, count(*), "
        "count(resolved_at) FROM issues GROUP BY 1, 2, 3"
    )
    counted = sa.text(
        "SELECT team_key, status, priority, issue_count, resolved_count FROM issue_counts "
        "WHERE issue_count <> 0 OR resolved_count <> 0"
    )
    async with engine.connect() as connection:
        none = uuid.UUID(int=0)
        none_param = none if engine.dialect.name == "postgresql" else none.hex
        expected = {
            tuple(map(str, row)) for row in await connection.execute(recount, {"none": none_param})
        }
        actual = {tuple(map(str, row)) for row in await connection.execute(counted)}
    assert actual == expected


@pytest.mark.backends("postgres")
async def test_concurrent_reports_and_status_moves_never_deadlock(engine: AsyncEngine) -> None:
    """Reports lock member rows, moves lock two count buckets: all in one global order."""
    world = sql_world(engine)
    team = await world.team()
    for n in range(4):
        await world.member(team, f"Agent {n}")
    resolved = [await world.report(team, f"old {n}") for n in range(30)]
    opened = [await world.report(team, f"new {n}") for n in range(30)]
    for issue in resolved:
        await world.issues.resolve(ADMIN, issue.id, "fixed")

    async def reopen_then_resolve(issue_id: uuid.UUID) -> None:
        await world.issues.reopen(ADMIN, issue_id)
        await world.issues.resolve(ADMIN, issue_id, "fixed again")

    work = [reopen_then_resolve(i.id) for i in resolved]
    work += [world.issues.resolve(ADMIN, i.id, "done") for i in opened]
    work += [world.report(team, f"fresh {n}") for n in range(30)]
    random.Random(3).shuffle(work)
    await asyncio.gather(*work)
    async with world.uow() as uow:
        members = await uow.members.list(team.id)
        for member in members:
            assert member.open_issue_count == await uow.issues.count_active_for_member(member.id)
    stats = await world.dashboard.stats(datetime.now(UTC))
    assert (stats.total_issues, stats.open_issues, stats.resolved_issues) == (90, 30, 60)
