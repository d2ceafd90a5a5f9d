"""The keyword categorizer: priority, category and team from plain words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from argus_core.domain.values import CategorySet, Priority
from argus_core.ports import TeamBrief, Triage, TriageRequest
from argus_plugins.keywords import KeywordCategorizer

TEAMS = (
    TeamBrief(name="Payments", description="cards, refunds, checkout and invoices"),
    TeamBrief(name="Infra", description="kubernetes clusters, dns and deploys"),
    TeamBrief(name="Web", description="the team that owns the storefront"),
)


async def triage(
    title: str,
    description: str = "",
    teams: tuple[TeamBrief, ...] = TEAMS,
    categories: CategorySet | None = None,
) -> Triage:
    answer = await KeywordCategorizer().categorize(
        TriageRequest(
            title=title,
            description=description,
            teams=teams,
            categories=categories or CategorySet(),
        )
    )
    assert answer is not None
    return answer


def test_it_is_named_keywords() -> None:
    assert KeywordCategorizer.name == "keywords"


@pytest.mark.parametrize(
    ("title", "description", "priority"),
    [
        ("Checkout is DOWN", "", Priority.CRITICAL),
        ("Possible data leak", "", Priority.CRITICAL),
        ("Something odd", "we see an outage in eu-west", Priority.CRITICAL),
        ("sev1: payments", "", Priority.CRITICAL),
        ("API returns 500", "", Priority.HIGH),
        ("Login failing for some users", "", Priority.HIGH),
        ("App crashes on start", "", Priority.HIGH),
        ("Typo on the pricing page", "", Priority.LOW),
        ("Cosmetic: misaligned logo", "", Priority.LOW),
        ("Question about invoices", "can someone look?", Priority.MEDIUM),
        ("", "", Priority.MEDIUM),
    ],
)
async def test_alarm_words_set_the_priority(
    title: str, description: str, priority: Priority
) -> None:
    assert (await triage(title, description)).priority is priority


async def test_the_most_alarming_word_wins() -> None:
    assert (await triage("minor typo", "site is down")).priority is Priority.CRITICAL
    assert (await triage("minor typo", "checkout errors")).priority is Priority.HIGH


async def test_words_must_match_whole() -> None:
    # "downtime" is not "down", "errorless" is not "error"
    assert (await triage("planned downtime", "errorless")).priority is Priority.MEDIUM


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("postgres deadlock on orders", "database"),
        ("DB replica lagging", "database"),
        ("checkout refund failed", "payments"),
        ("button misplaced in browser", "frontend"),
        ("k8s pod evicted, disk full", "infrastructure"),
        ("api endpoint throws exception", "backend"),
        ("something odd happened", "other"),
    ],
)
async def test_words_name_the_category(text: str, category: str) -> None:
    assert (await triage(text)).category == category


async def test_the_category_with_most_words_wins() -> None:
    answer = await triage("payment page", "checkout refund invoice card")
    assert answer.category == "payments"


async def test_only_configured_categories_are_chosen() -> None:
    custom = CategorySet(names=("database", "misc"), fallback="misc")
    assert (await triage("postgres deadlock", categories=custom)).category == "database"
    assert (await triage("checkout refund", categories=custom)).category == "misc"
    assert (await triage("nothing to see", categories=custom)).category == "misc"


async def test_the_team_sharing_most_words_is_chosen() -> None:
    payments = await triage("Refunds stuck", "checkout shows old cards")
    assert payments.team_name == "Payments"
    assert "3 team words" in payments.reasoning
    infra = await triage("DNS broken", "in two kubernetes clusters")
    assert infra.team_name == "Infra"
    by_name = await triage("infra is on fire")
    assert by_name.team_name == "Infra"


async def test_no_shared_words_means_no_team() -> None:
    answer = await triage("Something odd happened")
    assert answer.team_name is None
    assert answer.reasoning == "no team words"
    assert (await triage("checkout refunds", teams=())).team_name is None


async def test_filler_and_short_words_do_not_pick_a_team() -> None:
    # "the team that owns" are ignored; "db" and "ui" are too short to count
    teams = (TeamBrief(name="Web", description="the team that owns db ui"),)
    assert (await triage("the team that owns the db ui")).team_name is None
    assert (await triage("the team that owns db ui", teams=teams)).team_name is None


async def test_a_tie_goes_to_the_first_team() -> None:
    teams = (
        TeamBrief(name="Alpha", description="checkout"),
        TeamBrief(name="Beta", description="checkout"),
    )
    assert (await triage("checkout", teams=teams)).team_name == "Alpha"
    assert (await triage("checkout", teams=teams[::-1])).team_name == "Beta"


@given(
    title=st.text(max_size=200),
    description=st.text(max_size=500),
    teams=st.lists(
        st.builds(
            TeamBrief, name=st.text(min_size=1, max_size=30), description=st.text(max_size=80)
        ),
        max_size=4,
    ),
)
async def test_it_always_answers_within_the_choices(
    title: str, description: str, teams: list[TeamBrief]
) -> None:
    categories = CategorySet()
    answer = await triage(title, description, tuple(teams), categories)
    assert answer.priority in Priority
    assert answer.category in categories
    assert answer.team_name is None or answer.team_name in {t.name for t in teams}
    assert answer.title is None
    assert answer.confidence is None


async def test_a_short_team_name_still_matches() -> None:
    request = TriageRequest(
        title="QA environment flaky",
        description="",
        teams=(TeamBrief(name="QA"), TeamBrief(name="Payments", description="checkout")),
        categories=CategorySet(),
    )
    answer = await KeywordCategorizer().categorize(request)
    assert answer is not None
    assert answer.team_name == "QA"
