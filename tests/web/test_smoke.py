"""The app answers on both databases: health, sign-in, a report end to end."""

from tests.web.conftest import Api


async def test_report_and_resolve_through_the_api(api: Api) -> None:
    assert (await api.call("GET", "/api/health", None)).json() == {"status": "ok"}
    team = await api.team("Payments", "maria@example.com", ("priya@example.com",))
    issue = await api.ok(
        "POST",
        "/api/issues",
        "priya@example.com",
        json={"title": "Refunds fail", "team_id": team["id"]},
    )
    assert issue["assignee_name"] == "priya"
    assert issue["team_name"] == "Payments"
    done = await api.ok(
        "POST", f"/api/issues/{issue['id']}/resolve", "priya@example.com", json={"reason": "fixed"}
    )
    assert done["status"] == "resolved"
    page = await api.ok("GET", "/api/issues?status=resolved")
    assert [i["id"] for i in page["items"]] == [issue["id"]]
