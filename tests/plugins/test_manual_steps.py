"""Manual investigation steps: the RCA provider that always answers with a checklist."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from argus_core.domain.issue import Issue, RcaProgress
from argus_core.domain.values import DEFAULT_CATEGORIES, RcaState
from argus_core.ports import RcaProvider
from argus_plugins import manual
from argus_plugins.manual import DEFAULT_STEPS, GENERIC, ManualStepsProvider, load_steps
from tests.plugins.support import json_file, offered

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def issue(category: str = "other") -> Issue:
    return Issue(
        id=uuid4(),
        number=7,
        title="Checkout slow",
        category=category,
        created_at=NOW,
        updated_at=NOW,
    )


class Recorder:
    """A progress sink that keeps what it hears."""

    def __init__(self) -> None:
        self.heard: list[RcaProgress] = []

    async def __call__(self, progress: RcaProgress) -> None:
        self.heard.append(progress)


def steps_file(tmp_path: Path, content: Any) -> Path:
    return json_file(tmp_path, "steps.json", content)


def providers(config: dict[str, str], http: httpx.AsyncClient) -> list[RcaProvider]:
    return offered(manual, "argus_rca_providers", config, http)


# --------------------------------------------------------------------------- answers


def test_it_is_named_manual_with_a_short_timeout() -> None:
    provider: RcaProvider = ManualStepsProvider()
    assert provider.name == "manual"
    assert provider.timeout == 5.0


def test_every_default_category_has_its_own_steps() -> None:
    for category in set(DEFAULT_CATEGORIES) - {"other"}:
        assert DEFAULT_STEPS[category], category
        assert DEFAULT_STEPS[category] != DEFAULT_STEPS[GENERIC]


@pytest.mark.parametrize("category", ["backend", "database", "payments"])
async def test_an_issue_gets_the_steps_of_its_category(category: str) -> None:
    rca = await ManualStepsProvider().investigate(issue(category), Recorder())
    assert rca is not None
    assert rca.state is RcaState.COMPLETED
    assert rca.provider == "manual"
    assert rca.source == "fallback"
    assert rca.investigation_steps == DEFAULT_STEPS[category]


@pytest.mark.parametrize("category", ["other", "security", ""])
async def test_other_categories_get_the_generic_steps(category: str) -> None:
    rca = await ManualStepsProvider().investigate(issue(category), Recorder())
    assert rca is not None
    assert rca.investigation_steps == DEFAULT_STEPS[GENERIC]


async def test_the_summary_says_why_and_names_the_first_steps() -> None:
    steps = {"database": ["Check replication lag.", "Look at locks", "Call the DBA"]}
    rca = await ManualStepsProvider(steps).investigate(issue("database"), Recorder())
    assert rca is not None
    assert rca.summary == (
        "No automated analysis was available, so start with these steps: "
        "Check replication lag; Look at locks."
    )
    assert rca.investigation_steps == ("Check replication lag.", "Look at locks", "Call the DBA")


async def test_it_reports_started_then_done() -> None:
    recorder = Recorder()
    await ManualStepsProvider().investigate(issue("frontend"), recorder)
    assert [p.stage for p in recorder.heard] == ["started", "done"]
    assert recorder.heard[-1].message == f"{len(DEFAULT_STEPS['frontend'])} manual steps"


async def test_given_steps_without_generic_ones_keep_the_built_in_generic_steps() -> None:
    provider = ManualStepsProvider({"backend": ["Read the logs"], "database": []})
    assert provider.steps_for("backend") == ("Read the logs",)
    assert provider.steps_for("database") == DEFAULT_STEPS[GENERIC]
    assert provider.steps_for("payments") == DEFAULT_STEPS[GENERIC]


# --------------------------------------------------------------------------- step files


async def test_a_file_overrides_and_adds_categories(tmp_path: Path) -> None:
    path = steps_file(
        tmp_path,
        {"security": ["Rotate the keys", "Tell the DPO"], "backend": ["Read the logs"]},
    )
    provider = ManualStepsProvider(load_steps(path))
    assert provider.steps_for("security") == ("Rotate the keys", "Tell the DPO")
    assert provider.steps_for("backend") == ("Read the logs",)
    assert provider.steps_for("database") == DEFAULT_STEPS["database"]
    rca = await provider.investigate(issue("security"), Recorder())
    assert rca is not None
    assert "Rotate the keys; Tell the DPO" in rca.summary


def test_a_file_can_replace_the_generic_steps(tmp_path: Path) -> None:
    provider = ManualStepsProvider(load_steps(steps_file(tmp_path, {"*": ["Ask in #ops"]})))
    assert provider.steps_for("other") == ("Ask in #ops",)
    assert provider.steps_for("backend") == DEFAULT_STEPS["backend"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "are not JSON"),
        (["Read the logs"], "Expected `object`, got `array`"),
        ({"backend": "Read the logs"}, "Expected `array`, got `str`"),
        ({"backend": [1, 2]}, "Expected `str`, got `int`"),
        ({"backend": []}, "'backend' lists no steps"),
        ({"backend": ["Read the logs", "  "]}, "'backend' has a blank step"),
    ],
)
def test_a_bad_file_is_refused_clearly(tmp_path: Path, content: Any, message: str) -> None:
    path = steps_file(tmp_path, content)
    with pytest.raises(ValueError, match="manual steps") as refused:
        load_steps(path)
    assert message in str(refused.value)
    assert str(path) in str(refused.value)


def test_a_missing_file_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot read manual steps .*nowhere\.json"):
        load_steps(tmp_path / "nowhere.json")


# --------------------------------------------------------------------------- the hook


async def test_the_hook_offers_the_default_steps(http: httpx.AsyncClient) -> None:
    (provider,) = providers({}, http)
    assert provider.name == "manual"
    rca = await provider.investigate(issue("payments"), Recorder())
    assert rca is not None
    assert rca.investigation_steps == DEFAULT_STEPS["payments"]


async def test_the_hook_reads_the_configured_steps(tmp_path: Path, http: httpx.AsyncClient) -> None:
    path = steps_file(tmp_path, {"payments": ["Open the Stripe dashboard"]})
    (provider,) = providers({"ARGUS_MANUAL_STEPS": str(path)}, http)
    rca = await provider.investigate(issue("payments"), Recorder())
    assert rca is not None
    assert rca.investigation_steps == ("Open the Stripe dashboard",)


async def test_the_hook_fails_loudly_on_a_bad_steps_file(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    path = steps_file(tmp_path, {"payments": []})
    with pytest.raises(ValueError, match="'payments' lists no steps"):
        providers({"ARGUS_MANUAL_STEPS": str(path)}, http)
