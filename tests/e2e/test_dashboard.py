"""Signing in, the dashboard's cards and quick links, and what a viewer sees."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import VIEWER, screenshot, sign_in
from tests.e2e.server import DemoServer


def test_sign_in_page_marks_the_demo_sign_in(page: Page) -> None:
    page.goto("/issues?status=open")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    expect(page.get_by_role("button", name="Sign in with Google")).to_be_visible()
    expect(page.get_by_text("embedded demo only")).to_be_visible()
    screenshot(page, "sign-in")
    # A shared link survives signing in.
    page.get_by_role("button", name="admin@example.com", exact=True).click()
    expect(page).to_have_url(re.compile(r"/issues\?status=open$"))


def test_dashboard_cards_open_the_filtered_lists(page: Page, demo: DemoServer) -> None:
    sign_in(page)
    stats = demo.api("GET", "/api/dashboard/stats")
    cards = page.get_by_role("region", name="Figures")
    expect(cards.get_by_role("link", name=re.compile("Open"))).to_contain_text(
        str(stats["open_issues"])
    )
    expect(page.get_by_role("progressbar").first).to_be_visible()
    expect(page.locator(".recent-issue").first).to_be_visible()
    expect(page.locator(".activity li").first).to_be_visible()
    screenshot(page, "dashboard")

    for card, query, column, badge in (
        ("Open", "status=open", "Status", "Open"),
        ("In progress", "status=in_progress", "Status", "In progress"),
        ("Critical", "active=true&priority=critical", "Priority", "Critical"),
        ("Critical", "active=true&priority=critical", "Status", "Open|In progress"),
        ("Resolved today", "resolved_since=[^&]+", "Status", "Resolved|Closed"),
    ):
        link = page.get_by_role("link", name=re.compile(f"^\\d+ ?{card}"))
        # The list shows exactly what the card counts: its total is the card's figure.
        counted = int(link.locator(".stat-value").inner_text())
        link.click()
        expect(page).to_have_url(re.compile(f"/issues\\?{query}$"))
        total = page.locator('.page-head [aria-live="polite"]')
        expect(total).to_have_text(re.compile(f"^{counted} issues?$"))
        rows = page.locator("table.issues tbody tr")
        if counted:
            expect(rows.first).to_be_visible()
        badges = rows.locator(f'td[data-label="{column}"] .badge')
        # Polled: the previous list stays on screen until the filtered one arrives.
        expect(badges.filter(has_not_text=re.compile(f"^({badge})$"))).to_have_count(0)
        page.go_back()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # Sorting orders the whole list on the server: oldest first starts with issue #1.
    page.goto("/issues")
    page.get_by_role("combobox", name="Sort").select_option("oldest")
    expect(page).to_have_url(re.compile(r"/issues\?sort=oldest$"))
    expect(page.locator('table.issues tbody tr td[data-label="#"]').first).to_have_text("1")
    page.goto("/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("navigation", name="Quick links").get_by_role("link", name="My issues").click()
    expect(page).to_have_url(re.compile(r"/issues\?mine=true$"))
    expect(page.get_by_role("checkbox", name="Mine")).to_be_checked()


def test_a_viewer_sees_no_edit_actions(page: Page, demo: DemoServer) -> None:
    sign_in(page, VIEWER)
    expect(page.get_by_text("(viewer)")).to_be_visible()
    issue = demo.api("GET", "/api/issues?status=open&per_page=1")["items"][0]
    page.goto(f"/issues/{issue['id']}")
    expect(page.get_by_role("heading", name=issue["title"])).to_be_visible()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    for name in ("Start work", "Resolve…", "Close…", "Reopen", "Assign…", "Re-run analysis"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.get_by_role("toolbar", name="Issue actions")).to_have_count(0)
    screenshot(page, "issue-as-viewer")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Issues").click()
    expect(page.locator("table.issues tbody tr").first).to_be_visible()
    expect(page.get_by_role("button", name="Report an issue")).to_have_count(0)
    page.get_by_role("link", name="Teams").click()
    expect(page.get_by_role("link", name="Payments")).to_be_visible()
    expect(page.get_by_role("button", name="Create team")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    page.get_by_role("link", name="Payments").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    expect(page.get_by_role("button", name="Add member")).to_have_count(0)
    expect(page.get_by_role("button", name="Deactivate")).to_have_count(0)
    expect(page.get_by_role("button", name="Save settings")).to_be_disabled()
