"""What a chat button needs from the core: who clicked, may they, and handing an issue over."""

from __future__ import annotations

import uuid

import pytest

from argus_adapters.memory import InMemoryUnitOfWork
from argus_core.domain.errors import InvalidInput, NotFound, PermissionDenied
from argus_core.domain.people import User
from argus_core.domain.values import MemberRole, Status
from argus_core.policy import Action
from argus_core.usecases.identity import IdentityService
from argus_core.usecases.teams import MemberPatch
from tests.world import ADMIN, VIEWER, World


@pytest.fixture
def world() -> World:
    return World()


# --------------------------------------------------------------------------- who clicked


async def test_a_chat_user_is_found_by_chat_id_and_by_email(world: World) -> None:
    payments, search = await world.team("Payments"), await world.team("Search")
    ana = await world.member(payments, "Ana")  # Slack id UANA, ana@example.com
    boss = await world.member(search, "Boss", MemberRole.MANAGER)
    await world.teams.update_member(ADMIN, boss.id, MemberPatch(email="ana@example.com"))
    identity = IdentityService(world.uow())

    actor = await identity.actor_for_chat_user("UANA", None, "Ana Lopez")
    assert actor.name == "Ana Lopez"
    assert {m.member_id for m in actor.memberships} == {ana.id}  # the chat id alone

    both = await identity.actor_for_chat_user("UNEW", "ANA@example.com ")
    assert {m.member_id for m in both.memberships} == {ana.id, boss.id}  # by email too
    assert both.role_in(search.id) is MemberRole.MANAGER
    assert both.email == "ana@example.com"
    assert both.name == "Ana"  # a member's name when Slack gave none
    assert not both.is_admin


async def test_a_chat_user_in_no_team_is_a_viewer_named_by_what_is_known(world: World) -> None:
    identity = IdentityService(world.uow())
    stranger = await identity.actor_for_chat_user("U0STRANGER", None)
    assert stranger.memberships == ()
    assert not stranger.is_admin
    assert stranger.name == "U0STRANGER"
    by_email = await identity.actor_for_chat_user("U0STRANGER", "vic@example.com")
    assert by_email.name == "vic@example.com"
    assert by_email.memberships == ()


async def test_deactivated_member_rows_give_no_role(world: World) -> None:
    team = await world.team()
    await world.member(team, "Gone", active=False)
    actor = await IdentityService(world.uow()).actor_for_chat_user("UGONE", None)
    assert actor.memberships == ()


async def test_admins_come_from_admin_emails_or_the_stored_flag(world: World) -> None:
    listed = IdentityService(world.uow(), ["boss@example.com"])
    assert (await listed.actor_for_chat_user("U1", "Boss@example.com")).is_admin
    assert not (await listed.actor_for_chat_user("U1", None)).is_admin  # no email, no admin
    uow = InMemoryUnitOfWork(world.store)
    async with uow:
        await uow.users.add(
            User(id=uuid.uuid4(), email="flag@example.com", name="Flag", is_admin=True)
        )
        await uow.commit()
    demo = IdentityService(world.uow())
    flagged = await demo.actor_for_chat_user("U2", "flag@example.com")
    assert flagged.is_admin
    assert flagged.name == "Flag"
    assert flagged.user_id is not None
    assert not (await listed.actor_for_chat_user("U2", "flag@example.com")).is_admin


# --------------------------------------------------------------------------- may they


async def test_check_answers_like_the_change_would(world: World) -> None:
    team = await world.team()
    ana = await world.member(team, "Ana")
    issue = await world.report(team)
    omar = await world.member(team, "Omar")
    boss = await world.member(team, "Boss", MemberRole.MANAGER)
    assert issue.assignee_ids == (ana.id,)

    assert (await world.issues.check(world.actor(ana), issue.id, Action.RESOLVE)).id == issue.id
    await world.issues.check(world.actor(boss), issue.id, Action.REASSIGN)
    await world.issues.check(ADMIN, issue.id, Action.CLOSE)
    with pytest.raises(PermissionDenied, match="can reassign it"):
        await world.issues.check(world.actor(ana), issue.id, Action.REASSIGN)
    for outsider in (world.actor(omar), VIEWER):
        with pytest.raises(PermissionDenied, match="can resolve it"):
            await world.issues.check(outsider, issue.id, Action.RESOLVE)
    with pytest.raises(NotFound):
        await world.issues.check(ADMIN, uuid.uuid4(), Action.RESOLVE)


# --------------------------------------------------------------------------- handing over


async def test_hand_over_within_the_team_sets_the_assignees(world: World) -> None:
    team = await world.team()
    ana = await world.member(team, "Ana")
    issue = await world.report(team)
    bo = await world.member(team, "Bo")
    boss = await world.member(team, "Boss", MemberRole.MANAGER)

    handed = await world.issues.hand_over(world.actor(boss), issue.id, [bo.id, ana.id, bo.id])

    assert handed.assignee_ids == (bo.id, ana.id)
    assert handed.team_id == team.id
    assert world.load(bo.id) == 1


async def test_hand_over_to_another_team_moves_the_issue_there(world: World) -> None:
    payments, search = await world.team("Payments"), await world.team("Search")
    ana = await world.member(payments, "Ana")
    sam = await world.member(search, "Sam")
    issue = await world.report(payments)

    handed = await world.issues.hand_over(ADMIN, issue.id, [sam.id])

    assert (handed.team_id, handed.assignee_ids) == (search.id, (sam.id,))
    assert (world.load(ana.id), world.load(sam.id)) == (0, 1)


async def test_hand_over_refuses_bad_picks_and_those_who_may_not(world: World) -> None:
    payments, search = await world.team("Payments"), await world.team("Search")
    ana = await world.member(payments, "Ana")
    sam = await world.member(search, "Sam")
    issue = await world.report(payments)

    with pytest.raises(InvalidInput, match="at least one"):
        await world.issues.hand_over(ADMIN, issue.id, [])
    with pytest.raises(InvalidInput, match="one team"):
        await world.issues.hand_over(ADMIN, issue.id, [ana.id, sam.id])
    with pytest.raises(InvalidInput, match="no longer a member"):
        await world.issues.hand_over(ADMIN, issue.id, [uuid.uuid4()])
    with pytest.raises(PermissionDenied, match="can reassign it"):
        await world.issues.hand_over(world.actor(ana), issue.id, [sam.id])
    after = world.store.issues[issue.id]
    assert (after.team_id, after.assignee_ids, after.status) == (
        payments.id,
        (ana.id,),
        Status.OPEN,
    )
