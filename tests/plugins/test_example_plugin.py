"""Third-party plugins, installed as packages, change Argus without touching its code.

The example plugin (``examples/argus-example-plugin``) and two tiny packages made here
(an event observer, a misspelled hook) are installed into a scratch folder with
``uv pip install --target``; a separate Python process with that folder on its path then
runs Argus on SQLite: it reports an issue, runs its root-cause analysis and delivers the
events, as the jobs would. A process of its own keeps the installed entry points away
from every other test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "argus-example-plugin"
TIMEOUT = 180
# Settings of the environment running the tests that would change which providers answer.
FOREIGN_SETTINGS = (
    "ARGUS_",
    "AI_",
    "VISHWAKARMA_",
    "HOLMESGPT_",
    "SLACK_",
    "GOOGLE_",
    "EXAMPLE_PLUGIN_",
)

SCENARIO = textwrap.dedent(
    """
    import asyncio
    import json
    import os
    import sys

    from argus_adapters.sql.migrate import upgrade
    from argus_core.domain.people import Actor
    from argus_core.ports import UnitOfWork
    from argus_core.usecases.background import NotificationService
    from argus_core.usecases.issues import IssueService, NewIssue
    from argus_core.usecases.rca import RcaService
    from argus_core.usecases.teams import NewTeam, TeamService
    from argus_web.container import make_container
    from argus_web.settings import Settings

    ADMIN = Actor(name="Ada Admin", email="admin@example.com", is_admin=True)


    async def main(settings):
        container = make_container(settings)
        try:
            async with container() as scope:
                teams = await scope.get(TeamService)
                team = await teams.create(ADMIN, NewTeam(name="Payments"))
            async with container() as scope:
                issues = await scope.get(IssueService)
                new = NewIssue(title="Refunds fail for merchant 42", team_id=team.id)
                issue = await issues.report(ADMIN, new)
            async with container() as scope:
                await (await scope.get(RcaService)).run(issue.id)
            async with container() as scope:
                uow = await scope.get(UnitOfWork)
                async with uow:
                    events = await uow.outbox.pending()
            for event in events:  # one scope per event, as the notify job does
                async with container() as scope:
                    await (await scope.get(NotificationService)).deliver(event)
            async with container() as scope:
                stored = await (await scope.get(IssueService)).get(ADMIN, issue.id)
        finally:
            await container.close()
        rca = stored.rca
        return {
            "title": stored.title,
            "state": str(rca.state),
            "source": rca.source,
            "provider": rca.provider,
            "summary": rca.summary,
            "investigation_steps": list(rca.investigation_steps),
            "progress": [step.stage for step in rca.progress],
            "delivered": [str(event.id) for event in events],
        }


    results = {}
    for name, overrides in json.loads(sys.argv[1]).items():  # each run on its own database
        settings = Settings.from_env({**os.environ, **overrides})
        upgrade(settings.database)
        results[name] = asyncio.run(main(settings))
    print(json.dumps(results))
    """
)

LOAD_PLUGINS = textwrap.dedent(
    """
    import os
    from argus_plugins.manager import plugin_manager, registration_order

    disabled = [n for n in os.environ.get("DISABLE", "").split(",") if n]
    print(registration_order(plugin_manager(disabled=disabled)))
    """
)

OBSERVER = textwrap.dedent(
    """
    import json
    import os

    from argus_plugins.hookspecs import hookimpl


    @hookimpl
    def argus_issue_event(event):
        with open(os.environ["OBSERVER_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps({"id": str(event.id)}) + "\\n")
    """
)
"""A plugin observing every delivered event (``argus_issue_event``), in a file of its own."""

MISSPELLED = textwrap.dedent(
    """
    from argus_plugins.hookspecs import hookimpl


    @hookimpl
    def argus_rca_provider(context):  # the hook is argus_rca_providers
        return []
    """
)


def package(root: Path, name: str, module: str) -> Path:
    """A minimal plugin project ``argus-{name}-plugin`` registering ``module`` as ``name``."""
    project = root / f"argus-{name}-plugin"
    (project / f"argus_{name}_plugin").mkdir(parents=True)
    (project / f"argus_{name}_plugin" / "__init__.py").write_text(module)
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [project]
            name = "argus-{name}-plugin"
            version = "0.1.0"

            [project.entry-points.argus]
            {name} = "argus_{name}_plugin"

            [build-system]
            requires = ["hatchling>=1.25"]
            build-backend = "hatchling.build"

            [tool.hatch.build.targets.wheel]
            packages = ["argus_{name}_plugin"]
            """
        )
    )
    return project


def install(target: Path, *projects: Path) -> None:
    """Install ``projects`` (no dependencies) into ``target``, as a user's pip would.

    Offline first (hatchling, the build backend, is normally in uv's cache); PyPI only
    when the cache does not have it.
    """
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("installing a plugin package needs uv (https://docs.astral.sh/uv/)")
    command = [uv, "pip", "install", "--no-deps", "--python", sys.executable]
    where = ["--target", str(target), *map(str, projects)]
    result = run([*command, "--offline", *where])
    if result.returncode != 0:
        result = run([*command, *where])
    assert result.returncode == 0, result.stderr


def run(
    command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def python_env(packages: Path, **settings: str) -> dict[str, str]:
    """This environment without Argus or plugin settings, ``packages`` first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_SETTINGS)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(packages), env.get("PYTHONPATH")]))
    env.update(settings)
    return env


RUNS = {
    "plugin": {},
    "disabled": {"ARGUS_DISABLE_PLUGINS": "example"},
    "not-allowed": {"ARGUS_PLUGINS": "some-other-plugin"},
}
"""Settings of each run; the plugins are installed in all of them."""


class Run(NamedTuple):
    outcome: dict[str, Any]
    """The issue's stored analysis and the ids of the events delivered."""
    log: Path
    """Where the example plugin's notifier would log the events."""
    observed: list[str]
    """Ids of the events the observer plugin heard, in every run (events ids are unique)."""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Install the example plugin (and an observer), then in one fresh process (importing
    Argus is slow) and on a new database for each of ``RUNS``: report an issue, analyse it
    and deliver its events.
    """
    work = tmp_path_factory.mktemp("runs")
    site = work / "site"
    install(site, EXAMPLE, package(work, "observer", OBSERVER))
    assert (site / "argus_example_plugin" / "__init__.py").is_file()
    settings = {
        name: {
            "ARGUS_DATABASE_URL": f"sqlite+aiosqlite:///{work / name}.db",
            "EXAMPLE_PLUGIN_LOG": str(work / f"{name}.jsonl"),
            **overrides,
        }
        for name, overrides in RUNS.items()
    }
    observer_log = work / "observed.jsonl"
    env = python_env(site, OBSERVER_LOG=str(observer_log))
    result = run([sys.executable, "-c", SCENARIO, json.dumps(settings)], env, work)
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout.strip().splitlines()[-1])
    observed = [json.loads(line)["id"] for line in observer_log.read_text().splitlines()]
    return {name: Run(outcomes[name], work / f"{name}.jsonl", observed) for name in RUNS}


def test_an_installed_plugin_answers_the_rca_and_hears_every_event(runs: dict[str, Run]) -> None:
    """The example's ``argus_rca_providers`` answers before manual steps; its
    ``argus_notifiers`` notifier logs each delivered event once."""
    outcome, log, _ = runs["plugin"]

    assert outcome["state"] == "completed"
    assert outcome["source"] == "example-runbook"
    assert outcome["provider"] == "example"
    assert outcome["title"] in outcome["summary"]
    assert len(outcome["investigation_steps"]) >= 2
    assert outcome["progress"][:2] == ["started", "done"]
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["id"] for line in lines] == outcome["delivered"]
    kinds = {line["type"] for line in lines}
    assert {"issue_reported", "rca_finished"} <= kinds
    assert {line["issue_title"] for line in lines} == {outcome["title"]}


@pytest.mark.parametrize("name", ["disabled", "not-allowed"])
def test_a_plugin_left_out_by_the_settings_changes_nothing(runs: dict[str, Run], name: str) -> None:
    outcome, log, _ = runs[name]

    assert outcome["state"] == "completed"
    assert outcome["source"] == "fallback"  # manual steps, the last in the chain
    assert outcome["provider"] == "manual"
    assert outcome["delivered"]
    assert not log.exists()


def test_an_installed_observer_hears_each_delivered_event(runs: dict[str, Run]) -> None:
    """``argus_issue_event`` is called once per delivered event, unless the plugin is
    left out (``ARGUS_PLUGINS`` names another)."""
    delivered = runs["plugin"].outcome["delivered"]
    observed = runs["plugin"].observed
    assert [i for i in observed if i in delivered] == delivered
    assert not set(observed) & set(runs["not-allowed"].outcome["delivered"])


def test_a_misspelled_hook_stops_argus_loudly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install(site, package(tmp_path, "misspelled", MISSPELLED))

    loaded = run([sys.executable, "-c", LOAD_PLUGINS], env=python_env(site), cwd=tmp_path)

    assert loaded.returncode != 0
    assert "PluginValidationError" in loaded.stderr
    assert "argus_rca_provider" in loaded.stderr
    # Without the plugin the same process starts: the failure is the misspelling's.
    without = run(
        [sys.executable, "-c", LOAD_PLUGINS],
        env=python_env(site, DISABLE="misspelled"),
        cwd=tmp_path,
    )
    assert without.returncode == 0, without.stderr
    assert "misspelled" not in without.stdout
