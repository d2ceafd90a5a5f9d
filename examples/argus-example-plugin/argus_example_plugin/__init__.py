"""An example Argus plugin: a runbook RCA provider and a JSON-lines event log.

Argus registers this module under the entry point group ``argus`` (see ``pyproject.toml``)
and calls the functions marked ``@hookimpl`` below once, at start, with the settings and
the shared HTTP client; they return provider objects whose async methods Argus calls later.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from argus_core.domain.events import DomainEvent
from argus_core.domain.issue import Issue, Rca, RcaProgress
from argus_core.domain.values import RcaState
from argus_core.ports import Notifier, ProgressSink, RcaProvider
from argus_plugins.hookspecs import PluginContext, hookimpl

NAME = "example"
SOURCE = "example-runbook"
LOG_SETTING = "EXAMPLE_PLUGIN_LOG"
"""Setting naming the file the notifier appends events to (no file: no notifier)."""

RUNBOOK = (
    "Check the service's dashboards for errors and latency since the issue was reported.",
    "Compare the time of the first report with the latest deploys and config changes.",
    "Search the logs of the affected service for the first error and its trace id.",
)


class RunbookRcaProvider:
    """Answers every issue with the team's standard runbook (no external service)."""

    name = NAME
    timeout = 5.0

    async def investigate(self, issue: Issue, progress: ProgressSink) -> Rca | None:
        """The runbook for ``issue``, reporting progress ``started`` then ``done``."""
        await progress(
            RcaProgress(stage="started", message=f"Opening the runbook for #{issue.number}")
        )
        summary = (
            f"Runbook for #{issue.number} {issue.title}: no automated analysis was run, "
            "start with the checks below."
        )
        await progress(RcaProgress(stage="done", message="Runbook ready"))
        return Rca(
            state=RcaState.COMPLETED,
            source=SOURCE,
            summary=summary,
            investigation_steps=RUNBOOK,
            suggested_fixes=("If a deploy lines up with the first report, roll it back.",),
        )


class JsonLinesNotifier:
    """Appends one JSON line per delivered event to a file, each event once."""

    name = NAME

    def __init__(self, path: Path) -> None:
        self.path = path

    async def notify(self, event: DomainEvent, issue: Issue) -> None:
        """Log ``event`` with the issue it is about (a retried delivery is not logged twice)."""
        line: dict[str, object] = {
            "id": str(event.id),
            "type": type(event).__struct_config__.tag,
            "issue_id": str(issue.id),
            "issue_number": issue.number,
            "issue_title": issue.title,
            "status": str(issue.status),
            "occurred_at": event.occurred_at.isoformat(),
        }
        # Delivery is at least once: the event id makes a retry a no-op.
        await asyncio.to_thread(self._append, line)

    def _append(self, line: dict[str, object]) -> None:
        if self.path.exists():
            with self.path.open(encoding="utf-8") as log:
                if any(json.loads(old).get("id") == line["id"] for old in log if old.strip()):
                    return
        with self.path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(line) + "\n")


@hookimpl
def argus_rca_providers(context: PluginContext) -> list[RcaProvider]:
    """The runbook provider, always (it needs no configuration)."""
    return [RunbookRcaProvider()]


@hookimpl
def argus_notifiers(context: PluginContext) -> list[Notifier]:
    """The event log when ``EXAMPLE_PLUGIN_LOG`` names a file, else nothing."""
    path = context.config.get(LOG_SETTING, "").strip()
    return [JsonLinesNotifier(Path(path))] if path else []
