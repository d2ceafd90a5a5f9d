"""A phone-sized screen, the keyboard alone, and the dark theme."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.server import DemoServer


def overflows(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))


def test_pages_fit_a_phone(browser: Browser, demo: DemoServer) -> None:
    context = browser.new_context(
        base_url=demo.base, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    try:
        sign_in(page)
        assert not overflows(page)
        screenshot(page, "phone-dashboard", full_page=False)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Issues").click()
        expect(page.locator("table.issues tbody tr").first).to_be_visible()
        assert not overflows(page)
        screenshot(page, "phone-issue-list", full_page=False)
        page.locator('td[data-label="Title"] a').first.click()
        expect(page.get_by_role("heading", name="History")).to_be_visible()
        assert not overflows(page)
        screenshot(page, "phone-issue-detail")
    finally:
        context.close()


def test_the_keyboard_reaches_everything_and_dialogs_trap_focus(
    page: Page, demo: DemoServer
) -> None:
    sign_in(page)
    # Tab from the top of the page to the "Open" card, then Enter follows it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").endswith("Open"):
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/issues\?status=open$"))

    issue = demo.api("GET", "/api/issues?status=in_progress&per_page=1")["items"][0]
    page.goto(f"/issues/{issue['id']}")
    opener = page.get_by_role("button", name="Close…")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("textbox")).to_be_focused()
    for _ in range(12):  # focus stays inside the dialog however far one tabs
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('dialog')")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()
    assert demo.api("GET", f"/api/issues/{issue['id']}")["status"] == "in_progress"


def test_the_theme_follows_the_system_and_the_toggle(browser: Browser, demo: DemoServer) -> None:
    context = browser.new_context(base_url=demo.base, color_scheme="dark")
    page = context.new_page()
    try:
        sign_in(page)
        background = "getComputedStyle(document.body).backgroundColor"
        dark = page.evaluate(background)
        screenshot(page, "dashboard-dark")
        page.get_by_role("button", name="Switch to light theme").click()
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        assert page.evaluate(background) != dark
        page.reload()  # the choice is kept
        expect(page.get_by_role("button", name="Switch to dark theme")).to_be_visible()
    finally:
        context.close()
