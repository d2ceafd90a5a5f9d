"""The built dashboard in Debian's Chromium, against ``argus demo`` on 127.0.0.1.

One demo server (with a slow fake Vishwakarma behind its RCA chain) and one browser
serve every test of this folder and stop after its last one (package scope: they must
not idle through the rest of the suite); each test gets its own browser context.
Tests that change issues pick different ones, so their order does not matter.
Screenshots of every page go to ``tests/e2e/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from argus_web.settings import STATIC_DIR
from tests.e2e.figures import FIGURES, bundle_sizes
from tests.e2e.server import DemoServer, demo_server
from tests.fake_rca import FakeRcaServer, StreamReply, fake_vishwakarma

CHROMIUM = Path("/usr/bin/chromium")
# Never Playwright's own browser downloads: Debian's Chromium, quiet and offline.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).with_name("artifacts")
ADMIN = "admin@example.com"
VIEWER = "viewer@example.com"

# The fake agent investigates slowly, so the dashboard has time to show each step live.
INVESTIGATION = [
    ("status", {"message": "planning the investigation"}),
    ("tool_call_start", {"tool": "kubectl_logs"}),
    ("tool_call_result", {"tool": "kubectl_logs", "output": "OOMKilled checkout-7d9"}),
    ("text_delta", {"content": "The checkout pod ran out of memory "}),
    ("text_delta", {"content": "after the deploy doubled its cache."}),
    ("analysis_done", {"content": "The checkout pod ran out of memory after the deploy."}),
    ("done", {}),
]
STEP_SECONDS = 1.0

expect.set_options(timeout=20_000)  # a shared 2-core box


@pytest.fixture(scope="package")
def vishwakarma() -> Iterator[FakeRcaServer]:
    with fake_vishwakarma() as agent:
        agent.stream = StreamReply(events=INVESTIGATION, delay=STEP_SECONDS)
        yield agent


@pytest.fixture(scope="package")
def demo(
    tmp_path_factory: pytest.TempPathFactory, vishwakarma: FakeRcaServer
) -> Iterator[DemoServer]:
    if not (STATIC_DIR / "index.html").is_file():
        pytest.fail(f"The dashboard is not built into {STATIC_DIR}: run `cd ui && npm run build`.")
    folder = tmp_path_factory.mktemp("demo")
    with demo_server(folder, VISHWAKARMA_URL=vishwakarma.url, VISHWAKARMA_TIMEOUT="60") as server:
        yield server


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(`apt-get install -y chromium`; .ci/run installs it)."
        )
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, demo: DemoServer) -> Iterator[Page]:
    context = browser.new_context(base_url=demo.base, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Page, email: str = ADMIN) -> None:
    """Through the sign-in page's demo list, as a person would."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2F$"))
    page.get_by_role("button", name=email, exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def screenshot(page: Page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=full_page)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures issue #8 asks for, once the browser tests ran."""
    if not FIGURES:
        return
    raw, compressed = bundle_sizes(STATIC_DIR)
    FIGURES["first load, JS+CSS"] = f"{compressed / 1024:.1f} KB gzip ({raw / 1024:.1f} KB raw)"
    terminalreporter.section("dashboard figures (printed, not asserted)")
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name}: {value}")
