"""Configurable keyword rules: the defaults, rule files, team words and the plugin hook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from argus_core.domain.values import CategorySet, Priority
from argus_core.ports import TeamBrief, Triage, TriageRequest
from argus_plugins import keywords
from argus_plugins.keywords import DEFAULT_RULES, KeywordCategorizer, KeywordRules, load_rules
from tests.plugins.support import json_file, offered

TEAMS = (
    TeamBrief(name="Payments", description="checkout and refunds"),
    TeamBrief(name="Platform"),
)


async def triage(
    text: str,
    rules: KeywordRules = DEFAULT_RULES,
    teams: tuple[TeamBrief, ...] = TEAMS,
    categories: CategorySet | None = None,
) -> Triage:
    answer = await KeywordCategorizer(rules).categorize(
        TriageRequest(
            title=text, description="", teams=teams, categories=categories or CategorySet()
        )
    )
    assert answer is not None
    return answer


def rules_file(tmp_path: Path, content: Any) -> Path:
    return json_file(tmp_path, "rules.json", content)


def categorizers(config: dict[str, str], http: httpx.AsyncClient) -> list[Any]:
    return offered(keywords, "argus_categorizers", config, http)


# --------------------------------------------------------------------------- defaults


async def test_no_rules_means_the_defaults() -> None:
    assert KeywordCategorizer().rules is DEFAULT_RULES
    assert set(DEFAULT_RULES.priority_words) == set(Priority)
    assert set(DEFAULT_RULES.category_words) == set(CategorySet().names) - {"other"}


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("Load balancer flapping", Priority.HIGH),
        ("memory leak in the worker", Priority.HIGH),
        ("customer data leak", Priority.CRITICAL),
        ("not urgent: rename the button", Priority.LOW),
        ("urgent: refunds stuck", Priority.HIGH),
        ("cant sign in", Priority.HIGH),
        ("images are not loading", Priority.HIGH),
        ("search is slow but has a typo", Priority.MEDIUM),
    ],
)
async def test_phrases_match_and_a_longer_phrase_hides_its_words(
    text: str, priority: Priority
) -> None:
    assert (await triage(text)).priority is priority


async def test_plurals_match_either_way() -> None:
    rules = KeywordRules(
        priority_words={Priority.CRITICAL: ("crashes",)},
        category_words={"payments": ("refunds", "batch")},
    )
    assert (await triage("it crash", rules)).priority is Priority.CRITICAL
    assert (await triage("one refund and two batches", rules)).category == "payments"


async def test_a_category_named_team_owns_its_reports() -> None:
    teams = (TeamBrief(name="Storefront"), TeamBrief(name="Frontend", description="web"))
    answer = await triage("button misaligned in Safari", teams=teams)
    assert answer.category == "frontend"
    assert answer.team_name == "Frontend"
    assert answer.reasoning == "keyword match (0 team words, owns the category)"


async def test_the_fallback_category_picks_no_team() -> None:
    teams = (TeamBrief(name="Other things"),)
    answer = await triage("something odd", teams=teams)
    assert answer.category == "other"
    assert answer.team_name is None


# --------------------------------------------------------------------------- rule files


async def test_a_file_replaces_only_the_entries_it_lists(tmp_path: Path) -> None:
    rules = load_rules(rules_file(tmp_path, {"priority_words": {"critical": ["meltdown"]}}))
    assert rules.priority_words[Priority.CRITICAL] == ("meltdown",)
    assert rules.priority_words[Priority.LOW] == DEFAULT_RULES.priority_words[Priority.LOW]
    assert rules.category_words == DEFAULT_RULES.category_words
    assert (await triage("total meltdown", rules)).priority is Priority.CRITICAL
    assert (await triage("site is down", rules)).priority is Priority.MEDIUM
    assert (await triage("typo on the page", rules)).priority is Priority.LOW


async def test_a_file_adds_categories_and_switches_entries_off(tmp_path: Path) -> None:
    path = rules_file(
        tmp_path, {"category_words": {"security": ["xss", "csrf token"], "database": []}}
    )
    rules = load_rules(path)
    categories = CategorySet(names=("security", "database", "other"))
    assert (await triage("XSS in the search box", rules, categories=categories)).category == (
        "security"
    )
    assert (await triage("bad CSRF-token", rules, categories=categories)).category == "security"
    assert (await triage("postgres deadlock", rules, categories=categories)).category == "other"
    # a category the request does not offer is never chosen
    assert (await triage("XSS in the search box", rules)).category == "other"


async def test_team_words_pick_a_team_whatever_the_case(tmp_path: Path) -> None:
    rules = load_rules(rules_file(tmp_path, {"team_words": {"PLATFORM": ["argo", "helm chart"]}}))
    answer = await triage("Argo sync failing for the helm chart", rules)
    assert answer.team_name == "Platform"
    assert answer.reasoning == "keyword match (2 team words)"
    assert (await triage("Argo sync failing")).team_name is None


async def test_a_file_replaces_team_words_given_in_another_case(tmp_path: Path) -> None:
    base = KeywordRules(priority_words={}, category_words={}, team_words={"Platform": ("argo",)})
    rules = load_rules(rules_file(tmp_path, {"team_words": {"platform": ["nomad"]}}), base)
    assert rules.team_words == {"platform": ("nomad",)}
    assert (await triage("argo is stuck", rules)).team_name is None
    assert (await triage("nomad is stuck", rules)).team_name == "Platform"


def test_a_file_naming_a_team_twice_keeps_both_lists(tmp_path: Path) -> None:
    content = '{"team_words": {"Platform": ["argo"], "PLATFORM": ["helm"]}}'
    rules = load_rules(rules_file(tmp_path, content))
    assert rules.team_words == {"Platform": ("argo", "helm")}


async def test_team_words_add_to_the_description(tmp_path: Path) -> None:
    rules = load_rules(rules_file(tmp_path, {"team_words": {"Payments": ["stripe"]}}))
    answer = await triage("Stripe refund failed", rules)
    assert answer.team_name == "Payments"
    assert answer.reasoning == "keyword match (2 team words, owns the category)"
    assert (await triage("Stripe refund failed")).reasoning == (
        "keyword match (1 team words, owns the category)"
    )


def test_rules_are_frozen() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_RULES.team_words = {}  # type: ignore[misc]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "are not JSON"),
        ({"priority_words": {"urgent": ["now"]}}, "'urgent'"),
        ({"priority_words": {"urgent": ["now"]}}, "priorities are critical, high, medium, low"),
        ({"team": {"Payments": ["stripe"]}}, "unknown field `team`"),
        ({"category_words": {"payments": "stripe"}}, "Expected `array`, got `str`"),
        ({"category_words": {"payments": [1]}}, "Expected `str`, got `int`"),
        ({"team_words": {"Payments": ["stripe", "!!"]}}, "'Payments' lists '!!'"),
        ([], "Expected `object`"),
    ],
)
def test_a_bad_file_is_refused_clearly(tmp_path: Path, content: Any, message: str) -> None:
    path = rules_file(tmp_path, content)
    with pytest.raises(ValueError, match="keyword rules") as refused:
        load_rules(path)
    assert message in str(refused.value)
    assert str(path) in str(refused.value)


def test_a_missing_file_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot read keyword rules .*nowhere\.json"):
        load_rules(tmp_path / "nowhere.json")


def test_rule_files_decode_strictly() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"priority_words": {"low": "1"}}', type=KeywordRules)


# --------------------------------------------------------------------------- the hook


async def test_the_hook_offers_the_default_rules(http: httpx.AsyncClient) -> None:
    (categorizer,) = categorizers({}, http)
    assert categorizer.name == "keywords"
    assert categorizer.rules is DEFAULT_RULES
    (blank,) = categorizers({"ARGUS_KEYWORD_RULES": "  "}, http)
    assert blank.rules is DEFAULT_RULES


async def test_the_hook_reads_the_configured_rules(tmp_path: Path, http: httpx.AsyncClient) -> None:
    path = rules_file(tmp_path, {"priority_words": {"high": ["wobbly"]}})
    (categorizer,) = categorizers({"ARGUS_KEYWORD_RULES": str(path)}, http)
    answer = await categorizer.categorize(
        TriageRequest(
            title="wobbly checkout", description="", teams=TEAMS, categories=CategorySet()
        )
    )
    assert answer.priority is Priority.HIGH
    assert answer.team_name == "Payments"


async def test_the_hook_fails_loudly_on_a_bad_rules_file(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    path = rules_file(tmp_path, {"priorities": {}})
    with pytest.raises(ValueError, match="unknown field `priorities`"):
        categorizers({"ARGUS_KEYWORD_RULES": str(path)}, http)
