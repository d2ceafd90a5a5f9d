"""Shared by the plugin tests: an HTTP client, and accuracy reports printed at the end of
a pytest run.

A test appends an :class:`AccuracyReport` to the ``accuracy_reports`` fixture; the
``pytest_terminal_summary`` hook below prints every report in a "triage accuracy"
section, so the figures show in a plain ``pytest`` run (with ``-v``, the misses too).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """A client for the plugins under test (their ``PluginContext.http``)."""
    async with httpx.AsyncClient() as client:
        yield client


@dataclass(frozen=True)
class Score:
    """How often one answer (priority, category, team) matched the expected one."""

    name: str
    correct: int
    total: int
    floor: float
    """The lowest percentage the test accepts."""

    @property
    def percent(self) -> float:
        """Correct answers in percent (0 when there were none to give)."""
        return 100 * self.correct / self.total if self.total else 0.0

    @property
    def below_floor(self) -> bool:
        """True when the figure has regressed under its floor."""
        return self.percent < self.floor


@dataclass
class AccuracyReport:
    """One categorizer's figures over a regression set, and the messages it got wrong."""

    title: str
    scores: list[Score]
    misses: list[str] = field(default_factory=list)

    def lines(self, *, verbose: bool = False) -> list[str]:
        """The report as terminal lines: one per score, then the misses when verbose."""
        lines = [self.title]
        for score in self.scores:
            mark = "  BELOW FLOOR" if score.below_floor else ""
            lines.append(
                f"  {score.name:<9} {score.percent:5.1f}%  ({score.correct}/{score.total},"
                f" floor {score.floor:.0f}%){mark}"
            )
        if verbose:
            lines.extend(f"  miss: {miss}" for miss in self.misses)
        return lines


REPORTS = pytest.StashKey[list[AccuracyReport]]()


@pytest.fixture
def accuracy_reports(request: pytest.FixtureRequest) -> list[AccuracyReport]:
    """Where a test leaves its accuracy report for the end-of-run summary."""
    return request.config.stash.setdefault(REPORTS, [])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Print the accuracy reports the tests of this run left behind."""
    reports = config.stash.get(REPORTS, [])
    if not reports:
        return
    terminalreporter.section("triage accuracy")
    for report in reports:
        for line in report.lines(verbose=config.get_verbosity() > 0):
            terminalreporter.write_line(line)
