"""Triage through the categorizer chain: validated answers, fallbacks, assignment."""

from argus_adapters.memory import StaticCategorizer
from argus_core.chain import ProviderChain, Step
from argus_core.domain.history import HistoryAction
from argus_core.domain.values import Priority, Source
from argus_core.ports import Categorizer, Triage
from argus_core.usecases.issues import NewIssue
from argus_core.usecases.triage import UNTRIAGED, TriageService
from tests.world import ADMIN, World


def triage_service(world: World, *categorizers: Categorizer) -> TriageService:
    chain = ProviderChain([Step(name=c.name, provider=c, timeout=1) for c in categorizers])
    return TriageService(world.uow(), world.issues, chain)


async def test_triage_sets_fields_and_assigns_in_the_chosen_team() -> None:
    world = World()
    await world.team("Payments", "cards, refunds, merchants")
    infra = await world.team("Infra")
    ivan = await world.member(infra, "Ivan")
    issue = await world.issues.report(
        ADMIN, NewIssue(title="@Argus db is on fire pls help", source=Source.SLACK)
    )
    llm = StaticCategorizer(
        Triage(
            title="Primary database overloaded",
            priority=Priority.CRITICAL,
            category="database",
            team_name="infra",
            reasoning="CPU at 100%",
            confidence=0.9,
        ),
        name="llm",
    )
    done = await triage_service(world, StaticCategorizer(None, "empty"), llm).triage(issue.id)
    assert (done.title, done.priority, done.category) == (
        "Primary database overloaded",
        Priority.CRITICAL,
        "database",
    )
    assert (done.team_id, done.assignee_ids) == (infra.id, (ivan.id,))
    assert done.categorization is not None
    assert (done.categorization.provider, done.categorization.team_name) == ("llm", "Infra")
    briefs = llm.requests[0].teams
    assert [b.name for b in briefs] == ["Infra", "Payments"]
    actions = [h.action for h in world.store.history if h.issue_id == issue.id]
    assert HistoryAction.CATEGORIZED in actions


async def test_unknown_team_or_category_falls_back_instead_of_guessing() -> None:
    world = World()
    await world.team("Payments")
    issue = await world.issues.report(ADMIN, NewIssue(title="Typed title", priority=Priority.LOW))
    odd = StaticCategorizer(
        Triage(title="Other title", priority=Priority.HIGH, category="weather", team_name="Nope")
    )
    done = await triage_service(world, odd).triage(issue.id, keep_priority=True)
    assert (done.team_id, done.category, done.priority) == (None, "other", Priority.LOW)
    assert done.title == "Typed title"  # a person's title is kept


async def test_no_answer_still_leaves_a_valid_issue() -> None:
    world = World()
    issue = await world.report(None, "Something odd")
    done = await triage_service(world, StaticCategorizer(None)).triage(issue.id)
    assert done.categorization is not None
    assert done.categorization.provider == UNTRIAGED
    assert (done.team_id, done.category) == (None, "other")
