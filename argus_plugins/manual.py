"""Manual investigation steps: the root-cause "analysis" that always answers.

When no automated provider could look at an issue, the team still gets a checklist to
start from, chosen by the issue's category. It is last in the RCA chain.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import msgspec

from argus_core.domain.issue import Issue, Rca, RcaProgress
from argus_core.domain.values import RcaState
from argus_core.ports import ProgressSink, RcaProvider
from argus_plugins.hookspecs import PluginContext, hookimpl

STEPS_SETTING = "ARGUS_MANUAL_STEPS"
"""Setting naming a JSON file ``{category: [steps]}`` that overrides or adds steps."""

GENERIC = "*"
"""Key of the steps used for a category without its own (may be overridden too)."""

SUMMARY_STEPS = 2
"""How many steps the summary sentence names."""

DEFAULT_STEPS: Mapping[str, tuple[str, ...]] = {
    GENERIC: (
        "Confirm the impact: who is affected, since when, and whether it is still happening",
        "Check what changed around the start time (deploys, config, feature flags, vendors)",
        "Read the logs and error tracker of the affected service around the first report",
        "Compare dashboards (error rate, latency, saturation) with the day before",
        "Roll back or switch off the suspected change if the impact is severe",
    ),
    "backend": (
        "Find the failing endpoint or job and its error in the logs or error tracker",
        "Check the latest deploy of the service and roll back if errors started with it",
        "Check the health and latency of its dependencies (database, cache, other services)",
        "Reproduce the request with the reported input in staging",
    ),
    "infrastructure": (
        "Check the status of nodes, pods and load balancer targets in the affected region",
        "Look for saturation: CPU, memory, disk and network on the affected hosts",
        "Review recent infrastructure changes (Terraform, Helm, cluster upgrades, DNS)",
        "Check the cloud provider's status page for incidents",
    ),
    "frontend": (
        "Reproduce it in the reported browser or device and read the console and network tabs",
        "Check whether the last frontend release or a CDN change matches the start time",
        "Look at the error tracker for new client-side exceptions",
        "Check the APIs the page calls for errors or changed responses",
    ),
    "database": (
        "Check database health: connections, replication lag, locks and slow queries",
        "Look for recent migrations or schema changes",
        "Check disk space and IOPS of the database hosts",
        "Find the queries behind the problem and their plans (EXPLAIN)",
    ),
    "payments": (
        "Check the payment provider's status page and dashboard for failures or declines",
        "Compare payment success and decline rates with the usual baseline",
        "Look for failing webhooks and signature or credential errors in the logs",
        "Find affected orders and check that no customer was charged twice",
    ),
}
"""Built-in steps per default category, plus the generic ones under ``GENERIC``."""


def load_steps(
    path: str | os.PathLike[str], base: Mapping[str, Sequence[str]] = DEFAULT_STEPS
) -> dict[str, tuple[str, ...]]:
    """Steps from a JSON file ``{category: [steps]}`` over ``base`` (the defaults).

    A category in the file replaces its steps or adds the category; ``"*"`` replaces the
    generic steps. Raises ValueError naming the file and the fault when it cannot be read,
    is not valid JSON, is not that shape, or lists a category without steps or a blank step.
    """
    where = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read manual steps {where!r}: {error}") from error
    try:
        custom = msgspec.json.decode(raw, type=dict[str, tuple[str, ...]], strict=True)
    except msgspec.ValidationError as error:
        raise ValueError(
            f"invalid manual steps in {where!r}: {error} (expected {{category: [steps]}})"
        ) from error
    except msgspec.DecodeError as error:
        raise ValueError(f"manual steps {where!r} are not JSON: {error}") from error
    for category, steps in custom.items():
        if not steps:
            raise ValueError(f"invalid manual steps in {where!r}: {category!r} lists no steps")
        if any(not step.strip() for step in steps):
            raise ValueError(f"invalid manual steps in {where!r}: {category!r} has a blank step")
    return {**{c: tuple(s) for c, s in base.items()}, **custom}


class ManualStepsProvider:
    """Answers every issue with a checklist for its category (``source="fallback"``)."""

    name = "manual"
    timeout = 5.0

    def __init__(self, steps: Mapping[str, Sequence[str]] | None = None) -> None:
        chosen = DEFAULT_STEPS if steps is None else steps
        self.steps = {category: tuple(items) for category, items in chosen.items()}
        self.generic = self.steps.get(GENERIC) or DEFAULT_STEPS[GENERIC]

    def steps_for(self, category: str) -> tuple[str, ...]:
        """The category's steps, else the generic ones (the built-in generic steps when
        the table has none under ``"*"``)."""
        return self.steps.get(category) or self.generic

    async def investigate(self, issue: Issue, progress: ProgressSink) -> Rca | None:
        """The checklist for ``issue``'s category; never None."""
        await progress(RcaProgress(stage="started", message="Preparing manual investigation"))
        steps = self.steps_for(issue.category)
        first = "; ".join(step.rstrip(".") for step in steps[:SUMMARY_STEPS])
        summary = f"No automated analysis was available, so start with these steps: {first}."
        await progress(RcaProgress(stage="done", message=f"{len(steps)} manual steps"))
        return Rca(
            state=RcaState.COMPLETED,
            provider=self.name,
            source="fallback",
            summary=summary,
            investigation_steps=steps,
        )


def steps_from_config(config: Mapping[str, str]) -> Mapping[str, Sequence[str]]:
    """The steps of ``ARGUS_MANUAL_STEPS`` over the defaults, else the defaults."""
    path = config.get(STEPS_SETTING, "").strip()
    return load_steps(path) if path else DEFAULT_STEPS


@hookimpl
def argus_rca_providers(context: PluginContext) -> Sequence[RcaProvider]:
    """The manual-steps provider, with the steps of ``ARGUS_MANUAL_STEPS`` if set."""
    return [ManualStepsProvider(steps_from_config(context.config))]
