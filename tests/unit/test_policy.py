"""The role policy equals DESIGN.md's table for every role, action and ownership."""

import itertools
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from argus_core.domain.errors import PermissionDenied
from argus_core.domain.people import Actor, Membership
from argus_core.domain.values import MemberRole
from argus_core.policy import Action, Scope, decide, require

# The table from DESIGN.md §2, written out literally (Y = yes, T = own team,
# I = own issues, N = no), plus the actions Argus adds with the row they follow.
TABLE = {
    #                        admin manager agent viewer
    Action.VIEW:            ("Y", "Y", "Y", "Y"),
    Action.CREATE_ISSUE:    ("Y", "Y", "Y", "N"),
    Action.CHANGE_STATUS:   ("Y", "T", "I", "N"),
    Action.RESOLVE:         ("Y", "T", "I", "N"),
    Action.CLOSE:           ("Y", "T", "N", "N"),
    Action.REASSIGN:        ("Y", "T", "N", "N"),
    Action.MANAGE_MEMBERS:  ("Y", "T", "N", "N"),
    Action.MANAGE_TEAMS:    ("Y", "N", "N", "N"),
    # Argus's additions
    Action.EDIT_ISSUE:      ("Y", "T", "I", "N"),
    Action.RERUN_RCA:       ("Y", "T", "N", "N"),
    Action.EDIT_TEAM:       ("Y", "T", "N", "N"),
    Action.GRANT_MANAGER:   ("Y", "N", "N", "N"),
}  # fmt: skip
ROLES = ("admin", "manager", "agent", "viewer")
# Assignees are members of the issue's team, so "own issue" implies "own team".
OWNERSHIP = ("other_team", "own_team", "own_issue")

MY_TEAM, OTHER_TEAM, MY_MEMBER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def actor_for(role: str, extra: tuple[Membership, ...] = ()) -> Actor:
    if role == "admin":
        return Actor(name="a", is_admin=True, memberships=extra)
    if role == "viewer":
        return Actor(name="v")
    membership = Membership(member_id=MY_MEMBER, team_id=MY_TEAM, role=MemberRole(role))
    return Actor(name=role, memberships=(membership, *extra))


def scope_for(ownership: str) -> Scope:
    team = OTHER_TEAM if ownership == "other_team" else MY_TEAM
    assignees = {uuid.uuid4()} | ({MY_MEMBER} if ownership == "own_issue" else set())
    return Scope(team_id=team, assignee_ids=frozenset(assignees))


def expected(action: Action, role: str, ownership: str) -> bool:
    cell = TABLE[action][ROLES.index(role)]
    return {
        "Y": True,
        "N": False,
        "T": ownership != "other_team",
        "I": ownership == "own_issue",
    }[cell]


def test_every_action_is_in_the_table() -> None:
    assert set(TABLE) == set(Action)


@pytest.mark.parametrize(
    ("action", "role", "ownership"), list(itertools.product(Action, ROLES, OWNERSHIP))
)
def test_policy_equals_table(action: Action, role: str, ownership: str) -> None:
    decision = decide(actor_for(role), action, scope_for(ownership))
    assert decision.allowed is expected(action, role, ownership)
    assert bool(decision.reason) is not decision.allowed


other_memberships = st.lists(
    st.builds(
        Membership,
        member_id=st.uuids(),
        team_id=st.uuids().filter(lambda t: t not in (MY_TEAM, OTHER_TEAM)),
        role=st.sampled_from(MemberRole),
    ),
    max_size=3,
).map(tuple)


@given(
    action=st.sampled_from(Action),
    role=st.sampled_from(ROLES),
    ownership=st.sampled_from(OWNERSHIP),
    extra=other_memberships,
)
def test_memberships_of_unrelated_teams_change_nothing(
    action: Action, role: str, ownership: str, extra: tuple[Membership, ...]
) -> None:
    actor = actor_for(role, extra if role != "viewer" else ())
    assert decide(actor, action, scope_for(ownership)).allowed is expected(action, role, ownership)


def test_argus_itself_may_do_everything() -> None:
    system = Actor.system()
    assert all(decide(system, a, scope_for("other_team")).allowed for a in Action)


def test_issue_without_team_belongs_to_no_manager() -> None:
    manager = actor_for("manager")
    assert not decide(manager, Action.CLOSE, Scope(team_id=None)).allowed


def test_require_raises_with_the_reason() -> None:
    with pytest.raises(PermissionDenied, match="Only admins can create or delete teams"):
        require(actor_for("manager"), Action.MANAGE_TEAMS)
    require(actor_for("admin"), Action.MANAGE_TEAMS)
