"""One contract, three backends: in-memory, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from argus_core.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from argus_core.domain.events import IssueAssigned, IssueReported, StatusChanged
from argus_core.domain.history import HistoryAction
from argus_core.domain.issue import Categorization, Rca, RcaProgress, Reporter, RootCause, SlackRef
from argus_core.domain.people import Actor, User
from argus_core.domain.team import ReminderSettings
from argus_core.domain.values import (
    MAX_TITLE_LENGTH,
    MemberRole,
    Priority,
    RcaState,
    Source,
    Status,
)
from argus_core.lifecycle import WorkloadDelta
from argus_core.queries import IssueQuery, IssueSort
from argus_core.usecases.dashboard import DashboardService
from argus_core.usecases.issues import IssuePatch, NewIssue
from argus_core.usecases.reminders import ReminderService
from argus_core.usecases.teams import MemberPatch, NewMember, NewTeam, TeamPatch
from argus_core.usecases.tokens import TokenService
from tests.world import ADMIN, VIEWER, World


async def test_issue_round_trips_every_field(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    bob = await world.member(team, "Bob")
    issue = await world.issues.report(
        ADMIN,
        NewIssue(
            title="Refunds fail",
            description="Merchant 42 sees 502s — since 10:02 ✓",
            priority=Priority.HIGH,
            category="payments",
            team_id=team.id,
            reporter=Reporter(name="Rita", slack_user_id="U1", email="Rita@Example.com"),
            source=Source.SLACK,
            slack=SlackRef(channel_id="C1", thread_ts="1.2", message_ts="1.2", permalink="p"),
        ),
    )
    await world.issues.assign(ADMIN, issue.id, [bob.id, alice.id])
    rca = Rca(
        state=RcaState.COMPLETED,
        provider="llm",
        summary="Expired key",
        root_causes=(RootCause(cause="key rotation", probability=0.8),),
        sections={"impact": "refunds"},
        progress=(RcaProgress(stage="done", message="ok"),),
    )
    async with world.uow() as uow:
        stored = await uow.issues.get(issue.id)
        categorized = Categorization(
            provider="rules", title="Refunds fail", category="payments", priority=Priority.HIGH
        )
        changed = msgspec.structs.replace(stored, rca=rca, categorization=categorized)
        await uow.issues.save(changed)
        await uow.issues.save_rca(issue.id, rca, None)
        await uow.commit()
    async with world.uow() as uow:
        again = await uow.issues.get(issue.id)
    assert again == changed
    assert again.assignee_ids == (bob.id, alice.id)
    assert again.reporter.email == "rita@example.com"
    assert again.created_at.tzinfo is not None


async def test_one_holder_of_an_rca_at_a_time_and_saves_never_undo_its_progress(
    world: World,
) -> None:
    issue = await world.report(None, "flaky checkout")
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    later = now + timedelta(minutes=2)
    running = Rca(
        state=RcaState.INVESTIGATING, progress=(RcaProgress(stage="started", message="go"),)
    )
    async with world.uow() as uow:
        assert await uow.issues.claim_rca(issue.id, now, later)
        assert not await uow.issues.claim_rca(issue.id, now + timedelta(seconds=1), later)
        await uow.issues.save_rca(issue.id, running, later)
        stale = await uow.issues.get(issue.id)
        await uow.commit()
    async with world.uow() as uow:
        # A change made from a copy read before the progress must keep the progress.
        await uow.issues.save(msgspec.structs.replace(stale, rca=None, title="flaky checkout!"))
        await uow.commit()
    async with world.uow() as uow:
        assert (await uow.issues.get(issue.id)).rca == running
        # Held past its time: a stuck run is taken over.
        assert await uow.issues.claim_rca(
            issue.id, later + timedelta(seconds=1), later + timedelta(minutes=5)
        )
        # Only the holder of the hold it names may write with ``holding``.
        taken = later + timedelta(minutes=5)
        assert not await uow.issues.save_rca(issue.id, running, None, holding=later)
        assert await uow.issues.save_rca(issue.id, running, taken, holding=taken)
        await uow.issues.save_rca(issue.id, running, None)  # released
        assert await uow.issues.claim_rca(issue.id, now, later)
        with pytest.raises(NotFound):
            await uow.issues.claim_rca(uuid.uuid4(), now, later)
        with pytest.raises(NotFound):
            await uow.issues.save_rca(uuid.uuid4(), running, None)


async def test_numbers_increase_and_unknown_ids_are_not_found(world: World) -> None:
    first = await world.report(None, "one")
    second = await world.report(None, "two")
    assert second.number > first.number
    with pytest.raises(NotFound):
        await world.issues.get(VIEWER, uuid.uuid4())
    with pytest.raises(NotFound):
        await world.teams.get(VIEWER, uuid.uuid4())
    with pytest.raises(NotFound):
        await world.teams.member(VIEWER, uuid.uuid4())
    with pytest.raises(NotFound):
        await world.issues.resolve(ADMIN, uuid.uuid4(), "x")


async def test_bad_input_is_refused_and_stores_nothing(world: World) -> None:
    with pytest.raises(InvalidInput, match="longer than"):
        await world.issues.report(ADMIN, NewIssue(title="x" * (MAX_TITLE_LENGTH + 1)))
    from_slack = await world.issues.report(ADMIN, NewIssue(title="y" * 10_000, source=Source.SLACK))
    assert len(from_slack.title) == MAX_TITLE_LENGTH
    page = await world.issues.list(VIEWER, IssueQuery())
    assert page.total == 1


async def test_list_filters_order_and_pages(world: World) -> None:
    payments = await world.team("Payments")
    infra = await world.team("Infra")
    alice = await world.member(payments, "Alice")
    await world.member(infra, "Ivan")
    titles = []
    for n in range(5):
        world.clock.advance(minutes=1)
        team = payments if n % 2 == 0 else infra
        issue = await world.report(
            team, f"issue {n}", priority=Priority.CRITICAL if n == 4 else None
        )
        titles.append(issue.title)
    world.clock.advance(minutes=1)
    await world.report(None, "mine", reporter=Reporter(email="ops@example.com"))
    closed = await world.issues.list(VIEWER, IssueQuery(search="issue 1"))
    await world.issues.close(ADMIN, closed.items[0].id, "dup")

    everything = await world.issues.list(VIEWER, IssueQuery())
    assert [i.title for i in everything.items] == ["mine", *reversed(titles)]
    assert everything.total == 6
    page = await world.issues.list(VIEWER, IssueQuery(page=2, per_page=4))
    assert [i.title for i in page.items] == ["issue 1", "issue 0"]
    assert (page.total, page.page, page.per_page) == (6, 2, 4)

    def query(**kw: object) -> IssueQuery:
        return IssueQuery(**kw)  # type: ignore[arg-type]

    async def titles_for(**kw: object) -> tuple[list[str], int]:
        found = await world.issues.list(VIEWER, query(**kw))
        return [i.title for i in found.items], found.total

    assert await titles_for(team_id=payments.id) == (["issue 4", "issue 2", "issue 0"], 3)
    assert await titles_for(status=Status.CLOSED) == (["issue 1"], 1)
    assert await titles_for(status=Status.OPEN, team_id=infra.id) == (["issue 3"], 1)
    assert await titles_for(priority=Priority.CRITICAL) == (["issue 4"], 1)
    assert await titles_for(assignee_ids=frozenset({alice.id})) == (
        ["issue 4", "issue 2", "issue 0"],
        3,
    )
    assert await titles_for(reported_by_email="OPS@example.com") == (["mine"], 1)
    assert await titles_for(reported_by_email="") == ([], 0)
    assert await titles_for(team_id=uuid.uuid4()) == ([], 0)


async def test_search_matches_word_starts_and_never_wildcards(world: World) -> None:
    await world.report(None, "Payments API timing out", description="merchant_42 sees 504 ✓")
    await world.report(None, "Dashboard 100% CPU", description="über-slow charts")
    await world.report(None, "Nothing relevant")

    async def found(text: str) -> list[str]:
        return [i.title for i in (await world.issues.list(VIEWER, IssueQuery(search=text))).items]

    assert await found("TIMING merch") == ["Payments API timing out"]
    assert await found("42 504") == ["Payments API timing out"]
    assert await found("über") == ["Dashboard 100% CPU"]
    assert await found("100%") == ["Dashboard 100% CPU"]
    assert await found("ments%out") == []
    assert await found("tim_ng") == []
    assert await found("%") == [
        "Nothing relevant",
        "Dashboard 100% CPU",
        "Payments API timing out",
    ]
    assert await found("'; DROP TABLE issues; --") == []
    assert await found("a:* | b & !c") == []
    assert (await world.issues.list(VIEWER, IssueQuery(search="charts"))).total == 1


async def test_teams_members_and_workload_counters(world: World) -> None:
    team = await world.team("Payments")
    boss = await world.member(team, "Boss", MemberRole.MANAGER)
    alice = await world.member(team, "alice")
    bob = await world.member(team, "Bob")
    with pytest.raises(Conflict):
        await world.teams.create(ADMIN, NewTeam(name="PAYMENTS"))
    async with world.uow() as uow:
        assert (await uow.teams.find_by_name(" payments ")) is not None
        assert [m.name for m in await uow.members.list(team.id)] == ["alice", "Bob", "Boss"]
        assert {m.id for m in await uow.members.for_assignment(team.id)} == {
            boss.id,
            alice.id,
            bob.id,
        }
        people = await uow.members.find_by_person("ALICE@example.com", None)
        assert [m.id for m in people] == [alice.id]
        assert [m.id for m in await uow.members.find_by_person(None, "UBOB")] == [bob.id]
        assert await uow.members.find_by_person(None, None) == []
        now = world.clock.now()
        await uow.members.apply_workload(
            [
                WorkloadDelta(member_id=alice.id, open_delta=2, assigned_delta=2, assigned_at=now),
                WorkloadDelta(member_id=alice.id, open_delta=-1),
                WorkloadDelta(member_id=bob.id, assigned_delta=1, assigned_at=now),
            ]
        )
        await uow.commit()
    async with world.uow() as uow:
        a, b = await uow.members.get(alice.id), await uow.members.get(bob.id)
    assert (a.open_issue_count, a.total_assigned_count, a.last_assigned_at) == (1, 2, now)
    assert (b.open_issue_count, b.total_assigned_count) == (0, 1)
    edited = await world.teams.update_member(
        ADMIN, alice.id, MemberPatch(name="Alice", email="a@example.com")
    )
    assert (edited.name, edited.open_issue_count) == ("Alice", 1)  # edits keep counters
    rows = await world.teams.assignable(VIEWER)
    assert [(r.name, r.team_name) for r in rows] == [
        ("Alice", "Payments"),
        ("Bob", "Payments"),
        ("Boss", "Payments"),
    ]


async def test_assignment_and_status_keep_counters_true(world: World) -> None:
    team = await world.team()
    agents = [await world.member(team, f"Agent {n}") for n in range(3)]
    issues = [await world.report(team, f"r{n}") for n in range(7)]
    await world.issues.resolve(ADMIN, issues[0].id, "fixed")
    await world.issues.close(ADMIN, issues[1].id, "dup")
    await world.issues.reopen(ADMIN, issues[1].id)
    await world.issues.assign(ADMIN, issues[2].id, [agents[0].id, agents[1].id])
    async with world.uow() as uow:
        for agent in agents:
            member = await uow.members.get(agent.id)
            assert member.open_issue_count == await uow.issues.count_active_for_member(agent.id)
        assert await uow.issues.count_active(team.id) == 6


async def test_deleting_team_with_open_issues_is_refused(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    issue = await world.report(team)
    with pytest.raises(Conflict):
        await world.teams.delete(ADMIN, team.id)
    with pytest.raises(Conflict):
        await world.teams.remove_member(ADMIN, alice.id)
    await world.issues.resolve(ADMIN, issue.id, "fixed")
    await world.teams.delete(ADMIN, team.id)
    with pytest.raises(NotFound):
        await world.teams.member(VIEWER, alice.id)
    kept = await world.issues.get(VIEWER, issue.id)  # resolved issues outlive the team
    assert kept.status is Status.RESOLVED


async def test_history_newest_first_and_recent_activity(world: World) -> None:
    team = await world.team()
    await world.member(team, "Alice")
    issue = await world.report(team)
    await world.issues.update(ADMIN, issue.id, IssuePatch(priority=Priority.HIGH))
    await world.issues.resolve(ADMIN, issue.id, "rolled back")
    history = await world.issues.history(VIEWER, issue.id)
    assert [h.action for h in history] == [
        HistoryAction.RESOLUTION_NOTES,
        HistoryAction.RESOLVED,
        HistoryAction.UPDATED_PRIORITY,
        HistoryAction.ASSIGNED,
        HistoryAction.CREATED,
    ]
    dashboard = DashboardService(world.uow(), world.dashboard)
    recent = await dashboard.recent_activity(VIEWER, 2)
    assert [h.action for h in recent] == [HistoryAction.RESOLUTION_NOTES, HistoryAction.RESOLVED]


async def test_dashboard_figures_match_the_issues(world: World) -> None:
    payments = await world.team("Payments")
    infra = await world.team("Infra")
    await world.member(payments, "Alice")
    quick = await world.report(payments, "quick")
    await world.report(payments, "urgent", priority=Priority.CRITICAL)
    moved = await world.report(payments, "moved")
    started = await world.report(None, "started")
    await world.issues.change_status(ADMIN, started.id, Status.IN_PROGRESS)
    world.clock.advance(hours=3)
    await world.issues.resolve(ADMIN, quick.id, "fixed")
    await world.issues.change_team(ADMIN, moved.id, infra.id)
    await world.issues.update(ADMIN, moved.id, IssuePatch(priority=Priority.CRITICAL))
    reopened = await world.report(infra, "reopened")
    world.clock.advance(hours=1)
    await world.issues.resolve(ADMIN, reopened.id, "fixed")
    await world.issues.reopen(ADMIN, reopened.id)

    dashboard = DashboardService(world.uow(), world.dashboard)
    stats = await dashboard.stats(VIEWER)
    assert (stats.total_issues, stats.open_issues, stats.in_progress_issues) == (5, 3, 1)
    assert (stats.resolved_issues, stats.critical_issues) == (1, 2)
    assert stats.avg_resolution_hours == 3.0
    rows = {r.team_name: r for r in await dashboard.team_stats(VIEWER)}
    assert (rows["Payments"].open_count, rows["Payments"].resolved_count) == (1, 1)
    assert (rows["Infra"].open_count, rows["Infra"].resolved_count) == (2, 0)
    assert rows["Infra"].avg_resolution_hours is None
    assert (await world.issues.list(VIEWER, IssueQuery(status=Status.OPEN))).total == 3


async def test_resolved_today_active_and_oldest_first_match_their_lists(world: World) -> None:
    """ "Resolved today" counts from midnight where the reader is, and the list filtered by
    the instant it answers shows exactly those issues; ``active`` lists what the critical
    figure counts; ``oldest`` reverses the order."""
    team = await world.team()
    world.clock.current = datetime(2026, 1, 4, 20, 0, tzinfo=UTC)
    late, today, then_closed, reopened, _critical_open, critical_done, started = [
        await world.report(team, title, priority=priority)
        for title, priority in [
            ("late", None),
            ("today", None),
            ("then closed", None),
            ("reopened", None),
            ("critical open", Priority.CRITICAL),
            ("critical done", Priority.CRITICAL),
            ("started", Priority.CRITICAL),
        ]
    ]
    await world.issues.resolve(ADMIN, critical_done.id, "fixed")  # Jan 4, 20:00 UTC
    await world.issues.change_status(ADMIN, started.id, Status.IN_PROGRESS)
    world.clock.current = datetime(2026, 1, 4, 23, 30, tzinfo=UTC)  # Jan 5, 00:30 in Berlin
    await world.issues.resolve(ADMIN, late.id, "fixed")
    world.clock.current = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    for issue in (today, then_closed, reopened):
        await world.issues.resolve(ADMIN, issue.id, "fixed")
    await world.issues.close(ADMIN, then_closed.id, "done")
    await world.issues.reopen(ADMIN, reopened.id)
    world.clock.current = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    dashboard = DashboardService(world.uow(), world.dashboard, world.clock)

    async def listed(**kw: object) -> tuple[set[str], int]:
        found = await world.issues.list(VIEWER, IssueQuery(**kw))  # type: ignore[arg-type]
        return {i.title for i in found.items}, found.total

    utc = await dashboard.stats(VIEWER)
    assert utc.resolved_since == datetime(2026, 1, 5, tzinfo=UTC)
    assert utc.resolved_today == 2
    assert await listed(resolved_since=utc.resolved_since) == ({"today", "then closed"}, 2)
    berlin = await dashboard.stats(VIEWER, "Europe/Berlin")
    assert berlin.resolved_since == datetime(2026, 1, 4, 23, 0, tzinfo=UTC)
    assert berlin.resolved_today == 3
    assert await listed(resolved_since=berlin.resolved_since) == (
        {"late", "today", "then closed"},
        3,
    )
    assert await listed(resolved_since=berlin.resolved_since, status=Status.RESOLVED) == (
        {"late", "today"},
        2,
    )
    with pytest.raises(InvalidInput):
        await dashboard.stats(VIEWER, "Mars/Olympus_Mons")

    assert utc.critical_issues == 2
    assert await listed(priority=Priority.CRITICAL, active=True) == (
        {"critical open", "started"},
        2,
    )
    assert (await listed(active=True))[1] == 3  # critical open, started, reopened
    assert await listed(active=True, status=Status.RESOLVED) == (set(), 0)

    newest = await world.issues.list(VIEWER, IssueQuery(per_page=3))
    oldest = await world.issues.list(VIEWER, IssueQuery(sort=IssueSort.OLDEST, per_page=3))
    assert [i.title for i in newest.items] == ["started", "critical done", "critical open"]
    assert [i.title for i in oldest.items] == ["late", "today", "then closed"]
    assert oldest.total == newest.total == 7
    searched = await world.issues.list(VIEWER, IssueQuery(search="critical", sort=IssueSort.OLDEST))
    assert [i.title for i in searched.items] == ["critical open", "critical done"]


async def test_reminders_are_found_by_due_time_and_claimed_once(world: World) -> None:
    team = await world.team()
    await world.teams.update(
        ADMIN,
        team.id,
        TeamPatch(
            reminders=ReminderSettings(
                frequency_minutes=60, per_priority={Priority.CRITICAL: 15}, start_hour=0, end_hour=0
            )
        ),
    )
    await world.member(team, "Alice")
    urgent = await world.report(team, "urgent", priority=Priority.CRITICAL)
    slow = await world.report(team, "slow")
    muted = await world.report(team, "muted")
    await world.issues.update(ADMIN, muted.id, IssuePatch(notifications_muted=True))
    reminders = ReminderService(world.uow(), world.clock)
    world.clock.advance(minutes=20)
    assert await reminders.run() == 1
    world.clock.advance(minutes=45)
    assert await reminders.run() == 2  # slow's hour is up, urgent's 15 minutes again
    world.clock.advance(minutes=16)
    async with world.uow() as uow:
        due = await uow.issues.reminder_candidates({team.id}, world.clock.now(), 10)
        assert [i.id for i in due] == [urgent.id]
        assert not await uow.issues.mark_reminded(urgent.id, None, world.clock.now())
        assert await uow.issues.reminder_candidates(set(), world.clock.now(), 10) == []
    # Settings changes move the due times of the team's open issues.
    await world.teams.update(
        ADMIN,
        team.id,
        TeamPatch(reminders=ReminderSettings(frequency_minutes=600, start_hour=0, end_hour=0)),
    )
    async with world.uow() as uow:
        assert await uow.issues.reminder_candidates({team.id}, world.clock.now(), 10) == []
    world.clock.advance(hours=11)
    assert await reminders.run() == 2
    async with world.uow() as uow:
        assert (await uow.issues.get(slow.id)).last_reminded_at == world.clock.now()


async def test_users_and_outbox(world: World) -> None:
    async with world.uow() as uow:
        await uow.users.add(User(id=uuid.uuid4(), email="Ada@Example.com", name="Ada"))
        await uow.commit()
    async with world.uow() as uow:
        user = await uow.users.get_by_email("ADA@example.com")
        assert user is not None
        await uow.users.save(msgspec.structs.replace(user, is_admin=True))
        await uow.commit()
    async with world.uow() as uow:
        saved = await uow.users.get_by_email("ada@example.com")
        assert saved is not None
        assert saved.is_admin
    team = await world.team()
    await world.member(team, "Alice")
    issue = await world.report(team)
    await world.issues.resolve(ADMIN, issue.id, "fixed")
    async with world.uow() as uow:
        pending = await uow.outbox.pending()
        kinds = [type(e) for e in pending if e.issue_id == issue.id]
        assert kinds == [IssueReported, IssueAssigned, StatusChanged]
        resolved = pending[-1]
        assert isinstance(resolved, StatusChanged)
        assert (resolved.new, resolved.reason) == (Status.RESOLVED, "fixed")
        await uow.outbox.mark_dispatched([e.id for e in pending[:-1]])
        await uow.commit()
    async with world.uow() as uow:
        assert [e.id for e in await uow.outbox.pending()] == [resolved.id]


async def test_uncommitted_work_is_rolled_back(world: World) -> None:
    team = await world.team()
    async with world.uow() as uow:
        await uow.teams.delete(team.id)
    assert [t.id for t in await world.teams.list(VIEWER)] == [team.id]

    async def fail_midway() -> None:
        async with world.uow() as uow:
            await uow.teams.delete(team.id)
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        await fail_midway()
    assert [t.id for t in await world.teams.list(VIEWER)] == [team.id]


async def test_api_tokens_are_hashed_owned_and_revocable(world: World) -> None:
    owner = User(id=uuid.uuid4(), email="ada@example.com", name="Ada")
    other = User(id=uuid.uuid4(), email="bob@example.com", name="Bob")
    async with world.uow() as uow:
        await uow.users.add(owner)
        await uow.users.add(other)
        await uow.commit()
    ada = Actor(name="Ada", email=owner.email, user_id=owner.id)
    bob = Actor(name="Bob", email=other.email, user_id=other.id)
    tokens = TokenService(world.uow(), world.clock)
    secret, token = await tokens.create(ada, " laptop script ")
    assert secret.startswith("argus_pat_")
    assert token.name == "laptop script"
    assert secret not in token.token_hash
    world.clock.advance(minutes=5)
    signed_in = await tokens.authenticate(secret)
    assert signed_in is not None
    assert signed_in.email == "ada@example.com"
    (listed,) = await tokens.list(ada)
    assert listed.last_used_at == world.clock.now()
    assert await tokens.list(bob) == []
    with pytest.raises(NotFound):
        await tokens.revoke(bob, token.id)
    assert await tokens.authenticate(secret + "x") is None
    await tokens.revoke(ada, token.id)
    assert await tokens.authenticate(secret) is None
    with pytest.raises(PermissionDenied):
        await tokens.create(Actor(name="nobody"), "x")


async def test_members_by_ids_and_users_by_id(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    found = await _members(world, {alice.id, uuid.uuid4()})
    assert [m.id for m in found] == [alice.id]
    async with world.uow() as uow:
        assert await uow.members.get_many(set()) == []
        with pytest.raises(NotFound):
            await uow.users.get(uuid.uuid4())


async def _members(world: World, ids: set[uuid.UUID]) -> list[object]:
    async with world.uow() as uow:
        return list(await uow.members.get_many(ids))


async def test_a_person_is_their_user_and_every_member_row_by_email_or_slack_id(
    world: World,
) -> None:
    payments, infra, web = (
        await world.team("Payments"),
        await world.team("Infra"),
        await world.team("Web"),
    )
    by_email = await world.member(payments, "Alice")  # alice@example.com, UALICE
    other = await world.member(web, "Bob")
    async with world.uow() as uow:
        # Alice's user row carries the Slack id of a member row under another address.
        await uow.users.add(
            User(id=uuid.uuid4(), email="Alice@Example.com", name="Alice", slack_user_id="UALI2")
        )
        await uow.commit()
    by_slack = await world.teams.add_member(
        ADMIN,
        infra.id,
        NewMember(name="Alice (infra)", email="a@infra.example", slack_user_id="UALI2"),
    )
    async with world.uow() as uow:
        alice = await uow.users.person("ALICE@example.com")
        nobody = await uow.users.person("nobody@example.com")
        bob = await uow.users.person("bob@example.com")  # a member who never signed in
    assert alice.user is not None
    assert alice.user.slack_user_id == "UALI2"
    assert [m.id for m in alice.members] == [by_email.id, by_slack.id]  # by name
    assert (nobody.user, list(nobody.members)) == (None, [])
    assert bob.user is None
    assert [m.id for m in bob.members] == [other.id]


async def test_list_rows_name_every_assignee_primary_first(world: World) -> None:
    team = await world.team()
    first, second = await world.member(team, "Zed"), await world.member(team, "Amy")
    shared = await world.report(team, "shared")
    await world.issues.update(ADMIN, shared.id, IssuePatch(assignees=(first.id, second.id)))
    nobody = await world.report(None, "untriaged")
    found = await world.issues.list(VIEWER, IssueQuery())
    rows = {i.id: i for i in found.items}
    assert [(a.id, a.name, a.slack_user_id) for a in rows[shared.id].assignees] == [
        (first.id, "Zed", "UZED"),
        (second.id, "Amy", "UAMY"),
    ]
    assert rows[nobody.id].assignees == ()
    swapped = IssuePatch(assignees=(second.id, first.id))
    await world.issues.update(ADMIN, shared.id, swapped)
    again = await world.issues.list(VIEWER, IssueQuery(search="shared"))
    assert [a.id for a in again.items[0].assignees] == [second.id, first.id]
