"""The role policy: one function every part of Argus asks before it changes anything.

The UI only hides what this refuses; the API enforces it through the use cases.
"""

from __future__ import annotations

import enum
from uuid import UUID

import msgspec

from argus_core.domain.errors import PermissionDenied
from argus_core.domain.people import Actor
from argus_core.domain.values import MemberRole


class Action(enum.StrEnum):
    """What an actor may ask to do."""

    VIEW = "view"
    CREATE_ISSUE = "create_issue"
    EDIT_ISSUE = "edit_issue"
    CHANGE_STATUS = "change_status"
    RESOLVE = "resolve"
    CLOSE = "close"
    REASSIGN = "reassign"
    RERUN_RCA = "rerun_rca"
    MANAGE_MEMBERS = "manage_members"
    EDIT_TEAM = "edit_team"
    MANAGE_TEAMS = "manage_teams"
    GRANT_MANAGER = "grant_manager"


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """What the action touches: the team it belongs to and the issue's assignees."""

    team_id: UUID | None = None
    assignee_ids: frozenset[UUID] = frozenset()


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """Allowed, or refused with a reason fit to show the user."""

    allowed: bool
    reason: str = ""


ALLOWED = Decision(allowed=True)

# Managers of the scope's team may do these; assignees may do the first group too.
_ASSIGNEE_ACTIONS = frozenset({Action.EDIT_ISSUE, Action.CHANGE_STATUS, Action.RESOLVE})
_MANAGER_ACTIONS = _ASSIGNEE_ACTIONS | {
    Action.CLOSE,
    Action.REASSIGN,
    Action.RERUN_RCA,
    Action.MANAGE_MEMBERS,
    Action.EDIT_TEAM,
}
_ADMIN_ONLY = frozenset({Action.MANAGE_TEAMS, Action.GRANT_MANAGER})

_REFUSALS = {
    Action.CREATE_ISSUE: "Viewers cannot create issues; ask an admin to add you to a team.",
    Action.EDIT_ISSUE: "Only the issue's assignees, its team's managers and admins can edit it.",
    Action.CHANGE_STATUS: (
        "Only the issue's assignees, its team's managers and admins can change its status."
    ),
    Action.RESOLVE: "Only the issue's assignees, its team's managers and admins can resolve it.",
    Action.CLOSE: "Only the issue's team managers and admins can close it.",
    Action.REASSIGN: "Only the issue's team managers and admins can reassign it.",
    Action.RERUN_RCA: "Only the issue's team managers and admins can re-run its analysis.",
    Action.MANAGE_MEMBERS: "Only the team's managers and admins can manage its members.",
    Action.EDIT_TEAM: "Only the team's managers and admins can change its settings.",
    Action.MANAGE_TEAMS: "Only admins can create or delete teams.",
    Action.GRANT_MANAGER: "Only admins can grant or remove the manager role.",
}


def decide(actor: Actor, action: Action, scope: Scope | None = None) -> Decision:
    """Decide whether ``actor`` may do ``action`` on ``scope``.

    Admins and Argus itself may do everything; anyone signed in may view; members of any
    team may create issues; a team's managers may manage its issues, members and
    settings; an issue's assignees may edit, move and resolve it. Everything else is
    refused with a reason.
    """
    scope = scope or Scope()
    if actor.is_admin or actor.is_system or action is Action.VIEW:
        return ALLOWED
    if action is Action.CREATE_ISSUE:
        return ALLOWED if actor.memberships else _refuse(action)
    if action in _ADMIN_ONLY:
        return _refuse(action)
    is_manager = scope.team_id is not None and actor.role_in(scope.team_id) is MemberRole.MANAGER
    if action in _MANAGER_ACTIONS and is_manager:
        return ALLOWED
    if action in _ASSIGNEE_ACTIONS and actor.member_ids & scope.assignee_ids:
        return ALLOWED
    return _refuse(action)


def require(actor: Actor, action: Action, scope: Scope | None = None) -> None:
    """Raise :class:`PermissionDenied` unless :func:`decide` allows the action."""
    decision = decide(actor, action, scope)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)


def _refuse(action: Action) -> Decision:
    return Decision(allowed=False, reason=_REFUSALS[action])
