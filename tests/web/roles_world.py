"""A small world of two teams and six kinds of people, built through the API, for the
role tests; and snapshots of everything a refused call must leave untouched.

* Payments: manager Maria, agents Priya (assigned to the issue) and Omar (not assigned);
* Search: manager Bob, agent Sam;
* Vic, signed in with no team (a viewer), and the admin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

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


ISSUE = "/api/issues/{issue}"


def assert_refused(response: httpx.Response, reason: str) -> None:
    """A 403 problem with the policy's reason."""
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert reason in response.json()["detail"]
