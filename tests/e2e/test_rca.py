"""A new issue's root-cause analysis appears on its page step by step, then its result."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.server import DemoServer
from tests.fake_rca import FakeRcaServer


def test_rca_progress_appears_live(
    page: Page, demo: DemoServer, vishwakarma: FakeRcaServer
) -> None:
    sign_in(page)
    issue = demo.api(
        "POST",
        "/api/issues",
        json={"title": "Checkout pods restarting", "team_id": demo.team_id("Frontend")},
    )
    page.goto(f"/issues/{issue['id']}")
    panel = page.get_by_role("region", name="Root-cause analysis")
    steps = panel.get_by_role("list", name="Analysis progress")
    # A step shows while the analysis is still running: live, not on reload.
    expect(steps.get_by_text("kubectl_logs").first).to_be_visible(timeout=40_000)
    expect(panel.get_by_text("Investigating…")).to_be_visible()
    expect(panel.get_by_test_id("rca-result")).to_have_count(0)
    screenshot(page, "rca-live")
    result = panel.get_by_test_id("rca-result")
    expect(result).to_contain_text("ran out of memory", timeout=40_000)
    expect(result).to_contain_text("vishwakarma")
    screenshot(page, "rca-result")
    assert "/api/investigate/stream" in vishwakarma.paths()
