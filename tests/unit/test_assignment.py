"""Who gets a new issue: lowest open load, then least recently assigned."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from argus_core.assignment import managers, pick_assignee
from argus_core.domain.team import Member
from argus_core.domain.values import MemberRole
from tests.world import ADMIN, World

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TEAM = uuid.uuid4()


def member(name: str, load: int = 0, last: int | None = None, **kw: object) -> Member:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "team_id": TEAM,
        "name": name,
        "open_issue_count": load,
        "last_assigned_at": None if last is None else T0 + timedelta(minutes=last),
        "created_at": T0,
    }
    return Member(**(fields | kw))  # type: ignore[arg-type]


def test_lowest_load_wins() -> None:
    assert pick_assignee([member("a", 3), member("b", 1), member("c", 2)]).name == "b"  # type: ignore[union-attr]


def test_tie_goes_to_least_recently_assigned_never_assigned_first() -> None:
    chosen = pick_assignee([member("a", 1, last=5), member("b", 1, last=2), member("c", 1)])
    assert chosen is not None
    assert chosen.name == "c"
    chosen = pick_assignee([member("a", 1, last=5), member("b", 1, last=2)])
    assert chosen is not None
    assert chosen.name == "b"


def test_inactive_and_managers_are_skipped() -> None:
    boss = member("boss", 0, role=MemberRole.MANAGER)
    away = member("away", 0, is_active=False)
    assert pick_assignee([boss, away]) is None
    assert managers([boss, away]) == (boss,)


members_strategy = st.lists(
    st.builds(
        member,
        name=st.text(min_size=1, max_size=5),
        load=st.integers(0, 5),
        last=st.none() | st.integers(0, 100),
        role=st.sampled_from(MemberRole),
        is_active=st.booleans(),
    ),
    max_size=8,
)


@given(members_strategy)
def test_pick_is_eligible_and_minimal(members: list[Member]) -> None:
    chosen = pick_assignee(members)
    eligible = [m for m in members if m.is_active and m.role is MemberRole.AGENT]
    if not eligible:
        assert chosen is None
        return
    assert chosen in eligible
    assert chosen.open_issue_count == min(m.open_issue_count for m in eligible)


@given(
    agents=st.integers(1, 6),
    starting=st.lists(st.integers(0, 3), min_size=6, max_size=6),
    reports=st.integers(1, 40),
    seed=st.randoms(),
)
def test_concurrent_reports_keep_loads_within_one(
    agents: int, starting: list[int], reports: int, seed: object
) -> None:
    """Whatever order reports arrive in, the load stays level and no update is lost."""

    async def scenario() -> None:
        world = World()
        team = await world.team()
        crew = [await world.member(team, f"Agent {i}") for i in range(agents)]
        await world.member(team, "Boss", MemberRole.MANAGER)
        await world.member(team, "Away", active=False)
        # Uneven starting loads, levelled by the first reports.
        for agent, extra in zip(crew, starting, strict=False):
            for _ in range(extra):
                issue = await world.report(team)
                await world.issues.assign(ADMIN, issue.id, [agent.id])
        before = {a.id: world.load(a.id) for a in crew}
        titles = [f"report {n}" for n in range(reports)]
        seed.shuffle(titles)  # type: ignore[attr-defined]
        await asyncio.gather(*(world.report(team, t) for t in titles))
        loads = {a.id: world.load(a.id) for a in crew}
        assert sum(loads.values()) == sum(before.values()) + reports
        assert all(loads[m] == world.recount(m) for m in loads)
        if reports >= sum(max(before.values()) - v for v in before.values()):
            assert max(loads.values()) - min(loads.values()) <= 1
        for member_id, m in world.store.members.items():
            if m.role is MemberRole.MANAGER or not m.is_active:
                assert world.recount(member_id) == 0

    asyncio.run(scenario())
