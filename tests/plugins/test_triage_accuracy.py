"""The keyword categorizer over a regression set of realistic Slack reports.

The expected answers in ``tests/data/triage_messages.json`` are what an on-call engineer
would pick, written without looking at the rules; the keyword rules get many wrong. The
figures are printed at the end of the run; the floors sit about five points under what
was measured, so a change that makes triage worse fails here.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from argus_core.domain.values import CategorySet, Priority
from argus_core.ports import TeamBrief, TriageRequest
from argus_plugins.keywords import KeywordCategorizer
from tests.plugins.conftest import AccuracyReport, Score

DATA = Path(__file__).parents[1] / "data" / "triage_messages.json"

# Measured with the default rules: priority 65.4%, category 85.9%, team 78.2%.
FLOORS = {"priority": 60.0, "category": 80.0, "team": 73.0}


class Message(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A report as posted in Slack, with the triage a person would give it."""

    text: str
    priority: Priority
    category: str
    team: str | None


class TriageSet(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The teams and categories to triage against, and the messages."""

    teams: tuple[TeamBrief, ...]
    categories: tuple[str, ...]
    messages: tuple[Message, ...]


def load_set() -> TriageSet:
    return msgspec.json.decode(DATA.read_bytes(), type=TriageSet, strict=True)


def request_for(message: Message, triage_set: TriageSet) -> TriageRequest:
    """The report as Slack intake files it: the first line is the title."""
    title, _, description = message.text.partition("\n")
    return TriageRequest(
        title=title,
        description=description,
        teams=triage_set.teams,
        categories=CategorySet(names=triage_set.categories),
    )


def test_the_set_is_large_varied_and_consistent() -> None:
    triage_set = load_set()
    messages = triage_set.messages
    team_names = {team.name for team in triage_set.teams}
    assert len(messages) >= 60
    assert 4 <= len(triage_set.teams) <= 6
    assert all(team.description for team in triage_set.teams)
    assert len({m.text.casefold() for m in messages}) == len(messages), "duplicate message"
    assert {m.priority for m in messages} == set(Priority)
    assert {m.category for m in messages} == set(triage_set.categories)
    assert {m.team for m in messages} == team_names | {None}


async def test_keyword_triage_stays_above_its_floor(
    accuracy_reports: list[AccuracyReport],
) -> None:
    triage_set = load_set()
    categorizer = KeywordCategorizer()
    correct = dict.fromkeys(FLOORS, 0)
    misses: list[str] = []
    for message in triage_set.messages:
        answer = await categorizer.categorize(request_for(message, triage_set))
        assert answer is not None
        got = {"priority": answer.priority, "category": answer.category, "team": answer.team_name}
        expected = {
            "priority": message.priority,
            "category": message.category,
            "team": message.team,
        }
        wrong = [key for key in FLOORS if got[key] != expected[key]]
        for key in FLOORS:
            correct[key] += key not in wrong
        if wrong:
            detail = ", ".join(f"{key} {got[key]!s} (want {expected[key]!s})" for key in wrong)
            misses.append(f"{message.text.splitlines()[0][:60]!r}: {detail}")
    total = len(triage_set.messages)
    report = AccuracyReport(
        title=f"keyword categorizer on {total} Slack reports ({DATA.name})",
        scores=[Score(key, correct[key], total, floor) for key, floor in FLOORS.items()],
        misses=misses,
    )
    accuracy_reports.append(report)
    below = [f"{s.name} {s.percent:.1f}% < {s.floor}%" for s in report.scores if s.below_floor]
    assert not below, f"keyword triage regressed: {', '.join(below)}"


def test_the_report_shows_every_figure_and_flags_a_regression() -> None:
    report = AccuracyReport(
        title="keywords",
        scores=[Score("priority", 13, 20, 60.0), Score("team", 11, 20, 60.0)],
        misses=["'disk full': team None (want Infra)"],
    )
    lines = report.lines()
    assert lines[0] == "keywords"
    assert "65.0%" in lines[1]
    assert "(13/20, floor 60%)" in lines[1]
    assert "BELOW FLOOR" not in lines[1]
    assert "55.0%" in lines[2]
    assert lines[2].endswith("BELOW FLOOR")
    assert len(lines) == 3
    assert report.lines(verbose=True)[-1] == "  miss: 'disk full': team None (want Infra)"


def test_a_score_of_nothing_is_zero_percent() -> None:
    assert Score("team", 0, 0, 50.0).percent == 0.0
    assert Score("team", 0, 0, 50.0).below_floor
