"""Reporting and changing issues through the use cases, as each role."""

import uuid

import msgspec
import pytest

from argus_core.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from argus_core.domain.events import (
    IssueAssigned,
    IssueReported,
    NoAssigneeAvailable,
    RcaRequested,
    StatusChanged,
    TeamChanged,
)
from argus_core.domain.history import HistoryAction
from argus_core.domain.issue import Reporter
from argus_core.domain.values import MAX_TITLE_LENGTH, MemberRole, Priority, Source, Status
from argus_core.queries import IssueQuery
from argus_core.usecases.issues import IssuePatch, NewIssue
from tests.world import ADMIN, VIEWER, World


@pytest.fixture
async def world() -> World:
    return World()


async def test_report_with_team_assigns_least_loaded_agent(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    bob = await world.member(team, "Bob")
    first = await world.report(team, "first")
    second = await world.report(team, "second")
    assert {first.assignee_ids, second.assignee_ids} == {(alice.id,), (bob.id,)}
    assert (first.number, second.number) == (1, 2)
    assert world.load(alice.id) == world.load(bob.id) == 1
    kinds = [type(e) for e in world.store.events]
    assert kinds.count(IssueReported) == 2
    assert kinds.count(IssueAssigned) == 2
    reported = next(e for e in world.store.events if isinstance(e, IssueReported))
    assert not reported.needs_triage


async def test_report_without_eligible_agent_tells_managers(world: World) -> None:
    team = await world.team()
    boss = await world.member(team, "Boss", MemberRole.MANAGER)
    await world.member(team, "Away", active=False)
    issue = await world.report(team)
    assert issue.assignee_ids == ()
    (told,) = [e for e in world.store.events if isinstance(e, NoAssigneeAvailable)]
    assert told.manager_ids == (boss.id,)


async def test_report_checks_input_and_loses_nothing_on_refusal(world: World) -> None:
    team = await world.team()
    with pytest.raises(InvalidInput, match="Unknown category"):
        await world.issues.report(ADMIN, NewIssue(title="x", category="weather"))
    with pytest.raises(InvalidInput, match="longer than"):
        await world.issues.report(ADMIN, NewIssue(title="x" * (MAX_TITLE_LENGTH + 1)))
    with pytest.raises(NotFound):
        await world.issues.report(ADMIN, NewIssue(title="x", team_id=uuid.uuid4()))
    with pytest.raises(PermissionDenied):
        await world.issues.report(VIEWER, NewIssue(title="x", team_id=team.id))
    assert world.store.issues == {}
    slack = await world.issues.report(
        ADMIN, NewIssue(title="y" * 500, source=Source.SLACK, category="database")
    )
    assert len(slack.title) == MAX_TITLE_LENGTH
    assert slack.category == "database"


async def test_agent_may_work_own_issue_but_not_close_or_reassign(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    bob = await world.member(team, "Bob")
    issue = await world.report(team)
    owner = alice if issue.assignee_ids == (alice.id,) else bob
    other = bob if owner is alice else alice
    as_owner, as_other = world.actor(owner), world.actor(other)

    started = await world.issues.change_status(as_owner, issue.id, Status.IN_PROGRESS)
    assert started.status is Status.IN_PROGRESS
    before = world.store.issues[issue.id]
    history_before = len(world.store.history)
    for attempt in (
        world.issues.close(as_owner, issue.id, "meh"),
        world.issues.assign(as_owner, issue.id, [other.id]),
        world.issues.change_status(as_other, issue.id, Status.OPEN),
        world.issues.update(
            as_owner, issue.id, IssuePatch(priority=Priority.LOW, assignees=(other.id,))
        ),
    ):
        with pytest.raises(PermissionDenied):
            await attempt
    assert world.store.issues[issue.id] == before
    assert len(world.store.history) == history_before
    resolved = await world.issues.resolve(as_owner, issue.id, "rolled back the deploy")
    assert resolved.resolved_by == owner.name
    assert world.load(owner.id) == 0


async def test_manager_runs_own_team_only(world: World) -> None:
    payments = await world.team("Payments")
    infra = await world.team("Infra")
    boss = await world.member(payments, "Boss", MemberRole.MANAGER)
    await world.member(payments, "Alice")
    await world.member(infra, "Ivan")
    ours = await world.report(payments)
    theirs = await world.report(infra)
    manager = world.actor(boss)
    closed = await world.issues.close(manager, ours.id, "duplicate")
    assert closed.status is Status.CLOSED
    with pytest.raises(PermissionDenied):
        await world.issues.close(manager, theirs.id, "not mine")
    with pytest.raises(PermissionDenied):
        await world.issues.request_rca(manager, theirs.id)
    await world.issues.request_rca(manager, ours.id)
    assert any(isinstance(e, RcaRequested) for e in world.store.events)


async def test_patch_assignees_and_primary(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    bob = await world.member(team, "Bob")
    carol = await world.member(team, "Carol", MemberRole.MANAGER)
    issue = await world.report(team)
    both = await world.issues.assign(ADMIN, issue.id, [bob.id, alice.id])
    assert both.primary_assignee_id == bob.id
    assert world.load(alice.id) == world.load(bob.id) == 1
    # assigned_to alone replaces the primary; managers may be assigned explicitly.
    swapped = await world.issues.update(ADMIN, issue.id, IssuePatch(assigned_to=carol.id))
    assert swapped.assignee_ids == (carol.id, alice.id)
    assert (world.load(bob.id), world.load(carol.id)) == (0, 1)
    cleared = await world.issues.update(ADMIN, issue.id, IssuePatch(assigned_to=None))
    assert cleared.assignee_ids == (alice.id,)
    entries = [h for h in world.store.history if h.action is HistoryAction.ASSIGNED]
    assert entries[-1].old_value == "Carol, Alice"
    assert entries[-1].new_value == "Alice"


async def test_assignees_must_be_active_members_of_the_team(world: World) -> None:
    team = await world.team()
    other = await world.team("Other")
    await world.member(team, "Alice")
    away = await world.member(team, "Away", active=False)
    stranger = await world.member(other, "Stranger")
    issue = await world.report(team)
    with pytest.raises(InvalidInput, match="not a member"):
        await world.issues.assign(ADMIN, issue.id, [stranger.id])
    with pytest.raises(InvalidInput, match="deactivated"):
        await world.issues.assign(ADMIN, issue.id, [away.id])
    with pytest.raises(NotFound):
        await world.issues.assign(ADMIN, issue.id, [uuid.uuid4()])


async def test_changing_team_reassigns_within_the_new_team(world: World) -> None:
    payments = await world.team("Payments")
    infra = await world.team("Infra")
    alice = await world.member(payments, "Alice")
    ivan = await world.member(infra, "Ivan")
    issue = await world.report(payments)
    moved = await world.issues.change_team(ADMIN, issue.id, infra.id)
    assert (moved.team_id, moved.assignee_ids) == (infra.id, (ivan.id,))
    assert (world.load(alice.id), world.load(ivan.id)) == (0, 1)
    assert any(isinstance(e, TeamChanged) for e in world.store.events)
    with pytest.raises(NotFound):
        await world.issues.change_team(ADMIN, issue.id, uuid.uuid4())
    unowned = await world.issues.change_team(ADMIN, issue.id, None)
    assert unowned.assignee_ids == ()
    assert world.load(ivan.id) == 0


async def test_one_patch_moves_everything_together(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    issue = await world.report(team)
    patched = await world.issues.update(
        ADMIN,
        issue.id,
        IssuePatch(
            title="Checkout 500s",
            description="since 10:02",
            priority=Priority.CRITICAL,
            category="payments",
            status=Status.RESOLVED,
            reason="rolled back",
        ),
    )
    assert (patched.title, patched.priority, patched.category) == (
        "Checkout 500s",
        Priority.CRITICAL,
        "payments",
    )
    assert patched.status is Status.RESOLVED
    assert world.load(alice.id) == 0
    actions = {h.action for h in await world.issues.history(ADMIN, issue.id)}
    assert {
        HistoryAction.UPDATED_TITLE,
        HistoryAction.UPDATED_DESCRIPTION,
        HistoryAction.UPDATED_PRIORITY,
        HistoryAction.UPDATED_CATEGORY,
        HistoryAction.RESOLVED,
        HistoryAction.RESOLUTION_NOTES,
        HistoryAction.CREATED,
    } <= actions


async def test_bad_patch_changes_nothing(world: World) -> None:
    team = await world.team()
    await world.member(team, "Alice")
    issue = await world.report(team)
    before = world.store.issues[issue.id]
    with pytest.raises(InvalidInput, match="reason is required"):
        await world.issues.update(
            ADMIN, issue.id, IssuePatch(priority=Priority.HIGH, status=Status.CLOSED)
        )
    with pytest.raises(InvalidInput, match="Unknown category"):
        await world.issues.update(ADMIN, issue.id, IssuePatch(category="nope"))
    await world.issues.resolve(ADMIN, issue.id, "done")
    with pytest.raises(Conflict):
        await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    assert world.store.issues[issue.id].priority is before.priority


async def test_reopen_and_auto_resolve(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    issue = await world.report(team)
    await world.issues.close(ADMIN, issue.id, "wontfix")
    reopened = await world.issues.reopen(ADMIN, issue.id)
    assert (reopened.status, reopened.close_reason) == (Status.OPEN, None)
    assert world.load(alice.id) == 1
    done = await world.issues.auto_resolve(issue.id, "The alert cleared on its own.")
    assert (done.status, done.resolved_by) == (Status.RESOLVED, "Argus")
    event = [e for e in world.store.events if isinstance(e, StatusChanged)][-1]
    assert event.automatic
    assert world.load(alice.id) == 0


async def test_reading_list_search_and_history(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    await world.report(team, "Payments API timing out", description="merchant 42 sees 504")
    await world.report(None, "Dashboard slow", reporter=Reporter(email="ops@example.com"))
    found = await world.issues.list(VIEWER, IssueQuery(search="TIMING merch"))
    assert [i.title for i in found.items] == ["Payments API timing out"]
    # Words match from their start; % and _ are never wildcards.
    assert (await world.issues.list(VIEWER, IssueQuery(search="ments%out"))).total == 0
    assert (await world.issues.list(VIEWER, IssueQuery(search="tim_ng"))).total == 0
    mine = await world.issues.list(VIEWER, IssueQuery(assignee_ids=frozenset({alice.id})))
    assert mine.total == 1
    by_email = await world.issues.list(VIEWER, IssueQuery(reported_by_email="OPS@example.com"))
    assert [i.title for i in by_email.items] == ["Dashboard slow"]
    page = await world.issues.list(VIEWER, IssueQuery(per_page=1, page=2))
    assert (page.total, len(page.items), page.items[0].title) == (
        2,
        1,
        "Payments API timing out",
    )
    with pytest.raises(InvalidInput):
        IssueQuery(per_page=101)
    with pytest.raises(InvalidInput):
        IssueQuery(page=0)
    with pytest.raises(NotFound):
        await world.issues.history(VIEWER, uuid.uuid4())
    issue = found.items[0]
    assert (await world.issues.get(VIEWER, issue.id)).id == issue.id


def test_patch_decodes_from_json_with_unset_fields() -> None:
    patch = msgspec.json.decode(b'{"status": "resolved", "reason": "ok"}', type=IssuePatch)
    assert patch.status is Status.RESOLVED
    assert patch.title is msgspec.UNSET


async def test_an_empty_patch_still_needs_write_permission(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    issue = await world.report(team)
    with pytest.raises(PermissionDenied):
        await world.issues.update(VIEWER, issue.id, IssuePatch())
    with pytest.raises(PermissionDenied):
        await world.issues.update(VIEWER, issue.id, IssuePatch(status=Status.OPEN))
    same = await world.issues.update(world.actor(alice), issue.id, IssuePatch())
    assert same == world.store.issues[issue.id]
