"""``/api/auth/me`` names the person's memberships, so the dashboard can tell which
issues are their own (the role table's "own issues")."""

from __future__ import annotations

from tests.web.conftest import Api


async def test_me_lists_the_member_ids_of_every_membership(api: Api) -> None:
    payments = await api.team("Payments", agents=("priya@example.com",))
    search = await api.team("Search", manager="priya@example.com")
    members = [
        m["id"]
        for team in (payments, search)
        for m in await api.ok("GET", f"/api/teams/{team['id']}/members")
    ]
    me = await api.ok("GET", "/api/auth/me", "priya@example.com")
    assert sorted(me["member_ids"]) == sorted(members)
    assert len(members) == 2
    viewer = await api.ok("GET", "/api/auth/me", "vic@example.com")
    assert viewer["member_ids"] == []
