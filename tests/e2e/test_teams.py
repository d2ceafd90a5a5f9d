"""Teams: an admin creates one, adds a member and sets its reminders."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.server import DemoServer


def test_create_a_team_and_add_a_member(page: Page, demo: DemoServer) -> None:
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    expect(page.get_by_role("link", name="Payments")).to_be_visible()
    screenshot(page, "teams")
    form = page.get_by_role("form", name="New team")
    form.get_by_label("Team name").fill("Search")
    form.get_by_label("Description (used by triage)").fill("Search index and query service")
    form.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("heading", name="Search", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/teams/[0-9a-f-]{36}$"))

    add = page.get_by_role("form", name="Add a member")
    add.get_by_label("Name").fill("Rosa Diaz")
    add.get_by_label("Email").fill("rosa.diaz@example.com")
    add.get_by_label("Role").select_option("manager")
    add.get_by_role("button", name="Add member").click()
    members = page.get_by_role("region", name="Members")
    expect(members.get_by_role("cell", name="Rosa Diaz")).to_be_visible()
    expect(members.get_by_role("combobox", name="Role of Rosa Diaz")).to_have_value("manager")

    settings = page.get_by_role("form", name="Settings")
    settings.get_by_label("Critical (minutes)").fill("30")
    settings.get_by_label("Working hours from").fill("8")
    settings.get_by_label("Time zone").fill("Europe/Berlin")
    settings.get_by_role("button", name="Save settings").click()
    expect(settings.get_by_role("status")).to_have_text("Saved.")
    screenshot(page, "team-detail")

    team = demo.api("GET", f"/api/teams/{demo.team_id('Search')}")
    assert team["description"] == "Search index and query service"
    assert team["reminder_intervals"] == {"critical": 30}
    assert (team["reminder_start_hour"], team["reminder_timezone"]) == (8, "Europe/Berlin")
    assert [(m["name"], m["role"]) for m in team["members"]] == [("Rosa Diaz", "manager")]

    members.get_by_role("button", name="Deactivate").click()
    expect(members.get_by_role("button", name="Activate")).to_be_visible()
    members.get_by_role("button", name="Remove").click()
    expect(members.get_by_text("Nobody yet.")).to_be_visible()
