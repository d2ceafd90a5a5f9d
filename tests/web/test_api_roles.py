"""The REST API enforces the role policy (DESIGN.md section 2) for every endpoint and role.

Every test runs on SQLite and PostgreSQL against one small world:

* Payments: manager Maria, agents Priya (assigned to the issue) and Omar (not assigned);
* Search: manager Bob, agent Sam;
* Vic, signed in with no team (a viewer), and the admin.

Each mutating call is tried by each kind of person. Allowed calls must succeed and have
their effect; refused ones must answer 403 with the policy's reason and leave every issue,
history line, team, member and counter exactly as it was (read back as the admin).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.web.conftest import ADMIN, Api

MARIA, PRIYA, OMAR = "maria@example.com", "priya@example.com", "omar@example.com"
BOB, SAM, VIC = "bob@example.com", "sam@example.com", "vic@example.com"

ROLES = {
    "admin": ADMIN,
    "manager": MARIA,  # manages the issue's team (Payments)
    "other_manager": BOB,  # manages Search
    "assignee": PRIYA,  # agent of Payments, assigned to the issue
    "agent": OMAR,  # agent of Payments, not assigned to the issue
    "viewer": VIC,  # signed in, in no team
}
ADMINS = frozenset({"admin"})
TEAM_MANAGERS = ADMINS | {"manager"}
ISSUE_EDITORS = TEAM_MANAGERS | {"assignee"}
MEMBERS = frozenset(ROLES) - {"viewer"}

# What a refusal says (argus_core.policy), matched as a substring of the 403's detail.
CREATE_ISSUE = "Viewers cannot create issues"
EDIT = "admins can edit it"
STATUS = "admins can change its status"
RESOLVE = "admins can resolve it"
CLOSE = "admins can close it"
REASSIGN = "admins can reassign it"
MEMBERS_ONLY = "admins can manage its members"
TEAM_SETTINGS = "admins can change its settings"
TEAMS = "Only admins can create or delete teams"
GRANT = "Only admins can grant or remove the manager role"

NOBODY = "00000000-0000-4000-8000-000000000000"

Snapshot = dict[str, Any]


@dataclass
class World:
    """The API and the ids of everything in the world, by short name."""

    api: Api
    ids: dict[str, str]

    async def call(
        self, method: str, path: str, email: str | None, body: Any = None
    ) -> httpx.Response:
        """A request with ``{name}`` placeholders in the path and body filled with ids."""
        return await self.api.call(method, fill(path, self.ids), email, json=fill(body, self.ids))


def fill(value: Any, ids: Mapping[str, str]) -> Any:
    """``value`` with ``{issue}``, ``{payments}``, ``{omar}``... replaced by ids."""
    if isinstance(value, str):
        return value.format_map(ids)
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


async def build_world(api: Api) -> World:
    payments = await api.team("Payments", MARIA, (PRIYA,))
    search = await api.team("Search", BOB, (SAM,))
    issue = await api.ok(
        "POST", "/api/issues", json={"title": "Refunds fail", "team_id": payments["id"]}
    )
    await api.ok(
        "POST", f"/api/teams/{payments['id']}/members", json={"name": "omar", "email": OMAR}
    )
    ids = {"issue": issue["id"], "payments": payments["id"], "search": search["id"]}
    for team in (payments, search):
        for member in (await api.ok("GET", f"/api/teams/{team['id']}"))["members"]:
            ids[member["name"]] = member["id"]
    assert issue["assigned_to"] == ids["priya"]
    for email in ROLES.values():
        await api.token(email)
    return World(api, ids)


@pytest.fixture
async def world(api: Api) -> World:
    return await build_world(api)


SNAPSHOT = {
    "issue": "/api/issues/{issue}",
    "history": "/api/issues/{issue}/history",
    "issues": "/api/issues?per_page=100",
    "teams": "/api/teams",
    "payments": "/api/teams/{payments}",
    "search": "/api/teams/{search}",
}


async def snapshot(world: World) -> Snapshot:
    """Everything a refused call must leave alone, read as the admin (404s as the code)."""
    state: Snapshot = {}
    for key, path in SNAPSHOT.items():
        response = await world.call("GET", path, ADMIN)
        state[key] = response.json() if response.status_code == 200 else response.status_code
    return state


def member(state: Snapshot, team: str, member_id: str) -> dict[str, Any]:
    found = [m for m in state[team]["members"] if m["id"] == member_id]
    assert found, f"{member_id} is not in {team}"
    return found[0]


def load(state: Snapshot, team: str, member_id: str) -> tuple[int, int]:
    """A member's (open issues, issues ever assigned) counters."""
    row = member(state, team, member_id)
    return row["open_issue_count"], row["total_assigned_count"]


def assignees(state: Snapshot) -> list[str]:
    return [a["id"] for a in state["issue"]["assignees"]]


def grew(before: Snapshot, after: Snapshot) -> int:
    """How many history lines the change wrote."""
    return len(after["history"]) - len(before["history"])


def names(state: Snapshot, team: str) -> set[str]:
    return {m["name"] for m in state[team]["members"]}


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


ISSUE = "/api/issues/{issue}"
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


def assert_refused(response: httpx.Response, reason: str) -> None:
    """A 403 problem with the policy's reason."""
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert reason in response.json()["detail"]


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


# --------------------------------------------------------------------------- sign-in


PROTECTED = [
    ("GET", "/api/issues", None),
    ("GET", "/api/issues?per_page=1000", None),  # invalid too: still 401 first
    ("POST", "/api/issues", {"title": "Refunds fail"}),
    ("POST", "/api/issues", {}),  # no title: still 401 first
    ("GET", f"/api/issues/{NOBODY}", None),
    ("PATCH", f"/api/issues/{NOBODY}", {"status": "in_progress"}),
    ("PATCH", f"/api/issues/{NOBODY}", {"status": "bogus"}),
    ("POST", f"/api/issues/{NOBODY}/resolve", {"reason": "fixed"}),
    ("POST", f"/api/issues/{NOBODY}/close", {"reason": "duplicate"}),
    ("POST", f"/api/issues/{NOBODY}/reopen", None),
    ("GET", f"/api/issues/{NOBODY}/history", None),
    ("GET", f"/api/issues/{NOBODY}/rca/stream", None),
    ("GET", "/api/teams", None),
    ("POST", "/api/teams", {"name": "Growth"}),
    ("POST", "/api/teams", {}),
    ("GET", f"/api/teams/{NOBODY}", None),
    ("PATCH", f"/api/teams/{NOBODY}", {"description": "d"}),
    ("DELETE", f"/api/teams/{NOBODY}", None),
    ("GET", f"/api/teams/{NOBODY}/members", None),
    ("POST", f"/api/teams/{NOBODY}/members", {"name": "lena"}),
    ("GET", "/api/members/assignable", None),
    ("GET", f"/api/members/{NOBODY}", None),
    ("PATCH", f"/api/members/{NOBODY}", {"name": "lena"}),
    ("DELETE", f"/api/members/{NOBODY}", None),
    ("GET", "/api/dashboard/stats", None),
    ("GET", "/api/dashboard/team-stats", None),
    ("GET", "/api/dashboard/recent-activity", None),
    ("GET", "/api/auth/me", None),
    ("GET", "/api/auth/tokens", None),
    ("POST", "/api/auth/tokens", {"name": "ci"}),
    ("POST", "/api/auth/tokens", {}),
    ("DELETE", f"/api/auth/tokens/{NOBODY}", None),
]


@pytest.mark.parametrize(
    "credential",
    [None, "Bearer not-a-token", "Bearer argus_pat_not-a-real-token", "Basic YWRtaW46YWRtaW4="],
    ids=str,
)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    PROTECTED,
    ids=[f"{m} {p.replace(NOBODY, 'id')} {b}" for m, p, b in PROTECTED],
)
async def test_protected_routes_answer_401_without_a_valid_token(
    api: Api, method: str, path: str, body: Any, credential: str | None
) -> None:
    headers = {"Authorization": credential} if credential else {}
    response = await api.client.request(method, path, headers=headers, json=body)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]
    assert await api.ok("GET", "/api/teams") == []
    assert (await api.ok("GET", "/api/issues"))["total"] == 0


OPEN = [
    ("GET", "/api/health", None, 200, "status"),
    ("GET", "/api/live", None, 200, "status"),
    ("GET", "/api/ready", None, 200, "status"),
    ("GET", "/api/auth/google/url", None, 503, "detail"),
    ("POST", "/api/auth/google/callback", {"code": "c", "state": "s"}, 503, "detail"),
    ("POST", "/api/auth/dev-login", {"email": VIC}, 200, "token"),
    ("GET", "/schema/openapi.json", None, 200, "paths"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "key"), OPEN, ids=[p for _, p, *_ in OPEN]
)
async def test_open_routes_need_no_token(
    api: Api, method: str, path: str, body: Any, status: int, key: str
) -> None:
    response = await api.call(method, path, None, json=body)
    assert response.status_code == status, response.text
    assert response.json()[key]
    if status == 503:
        assert "not configured" in response.json()["detail"]


# --------------------------------------------------------------------------- managers


TAKEOVERS = [
    ("POST", "/api/teams/{search}/members", {"name": "maria", "email": MARIA}, MEMBERS_ONLY),
    (
        "POST",
        "/api/teams/{search}/members",
        {"name": "maria", "email": MARIA, "role": "manager"},
        MEMBERS_ONLY,
    ),
    ("POST", "/api/teams/{search}/members", {"name": "lena", "email": "lena@x.io"}, MEMBERS_ONLY),
    ("PATCH", "/api/members/{sam}", {"email": MARIA}, MEMBERS_ONLY),  # become Sam
    ("PATCH", "/api/members/{sam}", {"is_active": False}, MEMBERS_ONLY),
    ("PATCH", "/api/members/{bob}", {"role": "agent"}, MEMBERS_ONLY),
    ("PATCH", "/api/members/{bob}", {"email": MARIA}, MEMBERS_ONLY),  # become Bob
    ("DELETE", "/api/members/{bob}", None, MEMBERS_ONLY),
    ("DELETE", "/api/members/{sam}", None, MEMBERS_ONLY),
    ("PATCH", "/api/teams/{search}", {"name": "Search (Maria's)"}, TEAM_SETTINGS),
    ("DELETE", "/api/teams/{search}", None, TEAMS),
    ("PATCH", "/api/members/{omar}", {"role": "manager"}, GRANT),
    ("POST", "/api/teams/{payments}/members", {"email": BOB, "role": "manager"}, GRANT),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "reason"),
    TAKEOVERS,
    ids=[f"{m} {p} {b}" for m, p, b, _ in TAKEOVERS],
)
async def test_a_manager_cannot_take_over_another_team(
    world: World, method: str, path: str, body: Any, reason: str
) -> None:
    before = await snapshot(world)
    assert_refused(await world.call(method, path, MARIA, body), reason)
    assert await snapshot(world) == before
    me = await world.call("GET", "/api/auth/me", MARIA)
    assert me.json()["roles"] == {world.ids["payments"]: "manager"}


async def test_a_member_patch_never_moves_the_member_to_another_team(world: World) -> None:
    before = await snapshot(world)
    response = await world.call("PATCH", "/api/members/{omar}", MARIA, {"team_id": "{search}"})
    assert response.status_code in (200, 400), response.text
    assert await snapshot(world) == before


async def test_roles_are_read_again_on_every_request(world: World) -> None:
    """A promotion or a deactivation counts at once, with the same session token."""
    close = {"reason": "Duplicate"}
    assert_refused(await world.call("POST", ISSUE + "/close", OMAR, close), CLOSE)
    await ok(world, "PATCH", "/api/members/{omar}", {"role": "manager"})
    closed = await world.call("POST", ISSUE + "/close", OMAR, close)
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    await ok(world, "PATCH", "/api/members/{maria}", {"is_active": False})
    assert_refused(await world.call("POST", ISSUE + "/reopen", MARIA), STATUS)
    assert (await world.call("GET", "/api/auth/me", MARIA)).json()["roles"] == {}


async def ok(world: World, method: str, path: str, body: Any = None) -> Any:
    """An admin call that must succeed."""
    response = await world.call(method, path, ADMIN, body)
    assert response.status_code < 300, response.text
    return None if response.status_code == 204 else response.json()


INVALID = [
    ("PATCH", ISSUE, {"status": "in_progress", "title": "New", "assignees": ["{sam}"]}, 422),
    ("PATCH", ISSUE, {"title": "New", "category": "nonsense"}, 422),
    ("PATCH", ISSUE, {"priority": "high", "team_id": NOBODY}, 404),
    ("PATCH", ISSUE, {"assigned_to": "{omar}", "status": "resolved"}, 422),  # no reason
    ("DELETE", "/api/members/{priya}", None, 409),  # holds an open issue
    ("DELETE", "/api/teams/{payments}", None, 409),  # owns an open issue
]


@pytest.mark.parametrize(("method", "path", "body", "status"), INVALID)
async def test_a_failed_change_never_half_applies(
    world: World, method: str, path: str, body: Any, status: int
) -> None:
    before = await snapshot(world)
    response = await world.call(method, path, ADMIN, body)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert await snapshot(world) == before


# --------------------------------------------------------------------------- reading


async def test_mine_and_assigned_to_match_any_assignee(world: World) -> None:
    """Priya (primary) and Omar share the Payments issue; Priya is also in Search, where
    she shares an issue with Sam."""
    await ok(world, "PATCH", ISSUE, {"assignees": ["{priya}", "{omar}"]})
    extra = await ok(world, "POST", "/api/teams/{search}/members", {"name": "p", "email": PRIYA})
    other = await ok(world, "POST", "/api/issues", {"title": "Search down", "team_id": "{search}"})
    await ok(world, "PATCH", f"/api/issues/{other['id']}", {"assignees": ["{sam}", extra["id"]]})
    both, payments, search = {world.ids["issue"], other["id"]}, {world.ids["issue"]}, {other["id"]}
    expected = {
        ("mine=true", PRIYA): both,
        ("mine=true", OMAR): payments,
        ("mine=true", SAM): search,
        ("mine=true", MARIA): set(),
        ("mine=true", ADMIN): set(),
        ("mine=true", VIC): set(),
        ("assigned_to={omar}", VIC): payments,
        ("assigned_to={priya}", VIC): payments,
        (f"assigned_to={extra['id']}", VIC): search,
        ("assigned_to={maria}", VIC): set(),
        ("mine=true&assigned_to={omar}", OMAR): payments,
        ("mine=true&assigned_to={omar}", PRIYA): set(),
    }
    found = {}
    for query, email in expected:
        page = (await world.call("GET", "/api/issues?" + query, email)).json()
        assert page["total"] == len(page["items"])
        found[query, email] = {i["id"] for i in page["items"]}
    assert found == expected


READS: list[tuple[str, Callable[[Mapping[str, str], Any], tuple[Any, Any]]]] = [
    ("/api/issues", lambda ids, r: ([i["id"] for i in r.json()["items"]], [ids["issue"]])),
    ("/api/issues/{issue}", lambda ids, r: (r.json()["title"], "Refunds fail")),
    ("/api/issues/{issue}/history", lambda ids, r: (r.json()[-1]["action"], "created")),
    ("/api/issues/{issue}/rca/stream", lambda ids, r: ("event: progress" in r.text, True)),
    ("/api/teams", lambda ids, r: (sorted(t["name"] for t in r.json()), ["Payments", "Search"])),
    (
        "/api/teams/{payments}",
        lambda ids, r: (sorted(m["name"] for m in r.json()["members"]), ["maria", "omar", "priya"]),
    ),
    (
        "/api/teams/{search}/members",
        lambda ids, r: (sorted(m["name"] for m in r.json()), ["bob", "sam"]),
    ),
    ("/api/members/{omar}", lambda ids, r: (r.json()["team_id"], ids["payments"])),
    ("/api/members/assignable", lambda ids, r: (len(r.json()), 5)),
    (
        "/api/dashboard/stats",
        lambda ids, r: ((r.json()["total_issues"], r.json()["open_issues"]), (1, 1)),
    ),
    (
        "/api/dashboard/team-stats",
        lambda ids, r: (
            {t["team_name"]: t["open_count"] for t in r.json()},
            {"Payments": 1, "Search": 0},
        ),
    ),
    (
        "/api/dashboard/recent-activity?limit=20",
        lambda ids, r: ({h["issue_id"] for h in r.json()}, {ids["issue"]}),
    ),
]


@pytest.mark.parametrize("role", ROLES)
async def test_everyone_signed_in_can_read(world: World, role: str) -> None:
    found, expected = {}, {}
    for path, check in READS:
        response = await world.call("GET", path, ROLES[role])
        assert response.status_code == 200, f"{path}: {response.text}"
        found[path], expected[path] = check(world.ids, response)
    assert found == expected


ME = {
    "admin": (True, {}),
    "manager": (False, {"payments": "manager"}),
    "other_manager": (False, {"search": "manager"}),
    "assignee": (False, {"payments": "agent"}),
    "agent": (False, {"payments": "agent"}),
    "viewer": (False, {}),
}


@pytest.mark.parametrize("role", ROLES)
async def test_roles_come_from_memberships_matched_by_email(world: World, role: str) -> None:
    me = (await world.call("GET", "/api/auth/me", ROLES[role])).json()
    is_admin, roles = ME[role]
    assert (me["email"], me["is_admin"]) == (ROLES[role], is_admin)
    assert me["roles"] == {world.ids[team]: r for team, r in roles.items()}
