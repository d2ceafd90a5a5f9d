"""Who reaches what: 401 without a valid token, open routes, no takeover by managers,
roles re-read per request, failed changes never half-apply, and reading for everyone."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import pytest

from tests.web.conftest import ADMIN, Api
from tests.web.roles_world import (
    BOB,
    CLOSE,
    GRANT,
    ISSUE,
    MARIA,
    MEMBERS_ONLY,
    NOBODY,
    OMAR,
    PRIYA,
    ROLES,
    SAM,
    STATUS,
    TEAM_SETTINGS,
    TEAMS,
    VIC,
    World,
    assert_refused,
    snapshot,
)

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
    ("POST", f"/api/issues/{NOBODY}/rca", None),
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


async def test_dashboard_figures_and_the_lists_they_link_to(world: World) -> None:
    """ "Resolved today" answers the instant it counts from, and the list filtered by it
    shows those issues; ``active`` and ``sort=oldest`` reach the list."""
    urgent = await ok(world, "POST", "/api/issues", {"title": "Urgent", "priority": "critical"})
    other = await ok(world, "POST", "/api/issues", {"title": "Other", "priority": "critical"})
    await ok(world, "POST", f"/api/issues/{other['id']}/resolve", {"reason": "fixed"})
    for tz in ("", "?tz=UTC", "?tz=Europe/Berlin", "?tz=Pacific/Kiritimati"):
        stats = await ok(world, "GET", "/api/dashboard/stats" + tz)
        assert (stats["resolved_today"], stats["critical_issues"]) == (1, 1)
        since = quote(stats["resolved_since"])
        page = await ok(world, "GET", f"/api/issues?resolved_since={since}")
        assert [i["id"] for i in page["items"]] == [other["id"]]
    refused = await world.call("GET", "/api/dashboard/stats?tz=Nowhere/Land", VIC)
    assert refused.status_code == 422, refused.text
    naive = await world.call("GET", "/api/issues?resolved_since=2026-01-01T00:00:00", VIC)
    assert naive.status_code == 422, naive.text
    page = await ok(world, "GET", "/api/issues?priority=critical&active=true")
    assert ([i["id"] for i in page["items"]], page["total"]) == ([urgent["id"]], 1)
    newest = await ok(world, "GET", "/api/issues")
    oldest = await ok(world, "GET", "/api/issues?sort=oldest")
    assert [i["id"] for i in oldest["items"]] == [i["id"] for i in reversed(newest["items"])]
    assert (await world.call("GET", "/api/issues?sort=priority", VIC)).status_code == 400


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
