"""A new issue's root-cause analysis appears on its page step by step, then its result."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in
from tests.fake_rca import FakeRcaServer


def test_a_reported_issue_shows_its_rca_progress_live(
    page: Page, vishwakarma: FakeRcaServer
) -> None:
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Issues").click()
    page.get_by_role("button", name="Report an issue").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("What is wrong?").fill("Checkout pods restarting")
    dialog.get_by_label("Team").select_option(label="Frontend")
    dialog.get_by_role("button", name="Report").click()
    expect(page.get_by_role("heading", name="Checkout pods restarting")).to_be_visible()
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
