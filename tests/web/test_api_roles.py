"""The REST API enforces the role policy (DESIGN.md section 2) for every mutating call.

Each mutating call is tried by each kind of person (see tests/web/roles_world.py), on
SQLite and PostgreSQL. Allowed calls must succeed and have their effect; refused ones
must answer 403 with the policy's reason and leave every issue, history line, team,
member and counter exactly as it was (read back as the admin).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.web.conftest import ADMIN
from tests.web.roles_world import (
    ADMINS,
    CLOSE,
    CREATE_ISSUE,
    EDIT,
    GRANT,
    ISSUE,
    ISSUE_EDITORS,
    MEMBERS,
    MEMBERS_ONLY,
    REASSIGN,
    RESOLVE,
    ROLES,
    STATUS,
    TEAM_MANAGERS,
    TEAM_SETTINGS,
    TEAMS,
    Snapshot,
    World,
    assert_refused,
    assignees,
    grew,
    load,
    member,
    names,
    snapshot,
)

Effect = Callable[[Mapping[str, str], Snapshot, Snapshot], tuple[Any, Any]]


@dataclass(frozen=True)
class Case:
    """One mutating call: who may make it, why others may not, what it changes."""

    id: str
    method: str
    path: str
    body: Any
    allowed: frozenset[str]
    reason: str
    effect: Effect  # (ids, before, after) -> (actual, expected)
    reasons: Mapping[str, str] = field(default_factory=dict)  # per-role reason overrides
    setup: tuple[tuple[str, str, Any], ...] = ()  # admin calls that set the scene first


RESOLVED_BY_ADMIN = (("POST", ISSUE + "/resolve", {"reason": "Restarted"}),)
CLOSED_BY_ADMIN = (("POST", ISSUE + "/close", {"reason": "Duplicate"}),)

ISSUE_CASES = [
    Case(
        "create_issue",
        "POST",
        "/api/issues",
        {"title": "Checkout is slow", "team_id": "{payments}"},
        MEMBERS,
        CREATE_ISSUE,
        # Priya already holds one open issue, so the new one goes to Omar.
        lambda ids, b, a: (
            (a["issues"]["total"] - b["issues"]["total"], load(a, "payments", ids["omar"])),
            (1, (1, 1)),
        ),
    ),
    Case(
        "set_status",
        "PATCH",
        ISSUE,
        {"status": "in_progress"},
        ISSUE_EDITORS,
        STATUS,
        lambda ids, b, a: ((a["issue"]["status"], grew(b, a)), ("in_progress", 1)),
    ),
    Case(
        "edit_title_priority",
        "PATCH",
        ISSUE,
        {"title": "Refunds fail for EUR", "priority": "critical"},
        ISSUE_EDITORS,
        EDIT,
        lambda ids, b, a: (
            (a["issue"]["title"], a["issue"]["priority"], grew(b, a)),
            ("Refunds fail for EUR", "critical", 2),
        ),
    ),
    Case(
        "set_assignees",
        "PATCH",
        ISSUE,
        {"assignees": ["{omar}", "{priya}"]},
        TEAM_MANAGERS,
        REASSIGN,
        lambda ids, b, a: (
            (assignees(a), load(a, "payments", ids["omar"]), load(a, "payments", ids["priya"])),
            ([ids["omar"], ids["priya"]], (1, 1), (1, 1)),
        ),
    ),
    Case(
        "set_assigned_to",
        "PATCH",
        ISSUE,
        {"assigned_to": "{omar}"},
        TEAM_MANAGERS,
        REASSIGN,
        lambda ids, b, a: (
            (
                a["issue"]["assigned_to"],
                assignees(a),
                load(a, "payments", ids["omar"]),
                load(a, "payments", ids["priya"]),
            ),
            (ids["omar"], [ids["omar"]], (1, 1), (0, 1)),
        ),
    ),
    Case(
        "change_team",
        "PATCH",
        ISSUE,
        {"team_id": "{search}"},
        TEAM_MANAGERS,
        REASSIGN,
        lambda ids, b, a: (
            (
                a["issue"]["team_id"],
                assignees(a),
                load(a, "search", ids["sam"]),
                load(a, "payments", ids["priya"]),
            ),
            (ids["search"], [ids["sam"]], (1, 1), (0, 1)),
        ),
    ),
    Case(
        "close_through_patch",
        "PATCH",
        ISSUE,
        {"status": "closed", "reason": "Duplicate"},
        TEAM_MANAGERS,
        CLOSE,
        lambda ids, b, a: (
            (a["issue"]["status"], a["issue"]["close_reason"], load(a, "payments", ids["priya"])),
            ("closed", "Duplicate", (0, 1)),
        ),
    ),
    Case(
        # The status alone would be allowed for the assignee: the whole patch is refused.
        "status_and_assignees",
        "PATCH",
        ISSUE,
        {"status": "in_progress", "assignees": ["{omar}"]},
        TEAM_MANAGERS,
        REASSIGN,
        lambda ids, b, a: (
            (a["issue"]["status"], assignees(a)),
            ("in_progress", [ids["omar"]]),
        ),
    ),
    Case(
        "resolve",
        "POST",
        ISSUE + "/resolve",
        {"reason": "Restarted the worker"},
        ISSUE_EDITORS,
        RESOLVE,
        lambda ids, b, a: (
            (
                a["issue"]["status"],
                a["issue"]["resolution_reason"],
                load(a, "payments", ids["priya"]),
            ),
            ("resolved", "Restarted the worker", (0, 1)),
        ),
    ),
    Case(
        "close",
        "POST",
        ISSUE + "/close",
        {"reason": "Not a bug"},
        TEAM_MANAGERS,
        CLOSE,
        lambda ids, b, a: (
            (a["issue"]["status"], a["issue"]["close_reason"], load(a, "payments", ids["priya"])),
            ("closed", "Not a bug", (0, 1)),
        ),
    ),
    Case(
        "reopen",
        "POST",
        ISSUE + "/reopen",
        None,
        ISSUE_EDITORS,
        STATUS,
        lambda ids, b, a: (
            (a["issue"]["status"], a["issue"]["resolved_at"], load(a, "payments", ids["priya"])),
            ("open", None, (1, 1)),
        ),
        setup=RESOLVED_BY_ADMIN,
    ),
]

TEAM_CASES = [
    Case(
        "create_team",
        "POST",
        "/api/teams",
        {"name": "Growth"},
        ADMINS,
        TEAMS,
        lambda ids, b, a: (
            sorted(t["name"] for t in a["teams"]),
            ["Growth", "Payments", "Search"],
        ),
    ),
    Case(
        "edit_team",
        "PATCH",
        "/api/teams/{payments}",
        {"description": "Money in, money out", "reminder_frequency_minutes": 60},
        TEAM_MANAGERS,
        TEAM_SETTINGS,
        lambda ids, b, a: (
            (a["payments"]["description"], a["payments"]["reminder_frequency_minutes"]),
            ("Money in, money out", 60),
        ),
    ),
    Case(
        "delete_team",
        "DELETE",
        "/api/teams/{payments}",
        None,
        ADMINS,
        TEAMS,
        lambda ids, b, a: (
            (a["payments"], [t["name"] for t in a["teams"]], a["issue"]["team_id"]),
            (404, ["Search"], None),
        ),
        setup=CLOSED_BY_ADMIN,
    ),
    Case(
        "add_agent",
        "POST",
        "/api/teams/{payments}/members",
        {"name": "lena", "email": "lena@example.com"},
        TEAM_MANAGERS,
        MEMBERS_ONLY,
        lambda ids, b, a: (names(a, "payments") - names(b, "payments"), {"lena"}),
    ),
    Case(
        "add_manager",
        "POST",
        "/api/teams/{payments}/members",
        {"name": "lena", "email": "lena@example.com", "role": "manager"},
        ADMINS,
        MEMBERS_ONLY,
        lambda ids, b, a: (
            {m["name"]: m["role"] for m in a["payments"]["members"]}.get("lena"),
            "manager",
        ),
        reasons={"manager": GRANT},
    ),
    Case(
        "edit_member",
        "PATCH",
        "/api/members/{omar}",
        {"name": "Omar K", "notifications_muted": True},
        TEAM_MANAGERS,
        MEMBERS_ONLY,
        lambda ids, b, a: (
            {k: member(a, "payments", ids["omar"])[k] for k in ("name", "notifications_muted")},
            {"name": "Omar K", "notifications_muted": True},
        ),
    ),
    Case(
        "deactivate_member",
        "PATCH",
        "/api/members/{omar}",
        {"is_active": False},
        TEAM_MANAGERS,
        MEMBERS_ONLY,
        lambda ids, b, a: (member(a, "payments", ids["omar"])["is_active"], False),
    ),
    Case(
        "promote_agent",
        "PATCH",
        "/api/members/{omar}",
        {"role": "manager"},
        ADMINS,
        MEMBERS_ONLY,
        lambda ids, b, a: (member(a, "payments", ids["omar"])["role"], "manager"),
        reasons={"manager": GRANT},
    ),
    Case(
        "demote_manager",
        "PATCH",
        "/api/members/{maria}",
        {"role": "agent"},
        ADMINS,
        MEMBERS_ONLY,
        lambda ids, b, a: (member(a, "payments", ids["maria"])["role"], "agent"),
        reasons={"manager": GRANT},
    ),
    Case(
        "remove_agent",
        "DELETE",
        "/api/members/{omar}",
        None,
        TEAM_MANAGERS,
        MEMBERS_ONLY,
        lambda ids, b, a: (names(b, "payments") - names(a, "payments"), {"omar"}),
    ),
    Case(
        "remove_manager",
        "DELETE",
        "/api/members/{maria}",
        None,
        ADMINS,
        MEMBERS_ONLY,
        lambda ids, b, a: (names(b, "payments") - names(a, "payments"), {"maria"}),
        reasons={"manager": GRANT},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", ISSUE_CASES + TEAM_CASES, ids=lambda c: c.id)
async def test_each_role_may_do_only_what_the_policy_allows(
    world: World, case: Case, role: str
) -> None:
    for method, path, body in case.setup:
        assert (await world.call(method, path, ADMIN, body)).status_code < 300
    before = await snapshot(world)
    response = await world.call(case.method, case.path, ROLES[role], case.body)
    after = await snapshot(world)
    if role in case.allowed:
        assert response.status_code in (200, 201, 204), response.text
        actual, expected = case.effect(world.ids, before, after)
        assert actual == expected
    else:
        assert_refused(response, case.reasons.get(role, case.reason))
        assert after == before
