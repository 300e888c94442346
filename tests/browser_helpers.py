"""What the browser tests share: Debian's chromium through Playwright, logging in, waiting for
a reply, the axe-core accessibility check (shipped in tests/assets/axe, no network).

Without chromium or Playwright a browser test skips, unless TUTOR_REQUIRE_BROWSER=1 (CI):
then it fails.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
AXE = Path(__file__).resolve().parent / "assets" / "axe" / "axe.min.js"
WAIT_MS = 60_000
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def missing_browser(reason: str) -> None:
    if os.environ.get("TUTOR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TUTOR_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser("the playwright package is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        missing_browser(f"no chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def screenshots_dir(tmp_path: Path) -> Path:
    """docs/ when TUTOR_UPDATE_SCREENSHOTS=1 (the README shows them), else a temp folder."""
    shots = DOCS if os.environ.get("TUTOR_UPDATE_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(exist_ok=True)
    return shots


def open_login(browser: Any, url: str, viewport: dict[str, int] | None = None) -> Any:
    page = browser.new_page(viewport=viewport or DESKTOP)
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    page.locator("input[type=password]").first.wait_for()
    return page


def log_in(
    browser: Any, url: str, username: str, password: str, viewport: dict[str, int] | None = None
) -> Any:
    page = open_login(browser, url, viewport)
    page.locator("input[type=text]").first.fill(username)
    page.locator("input[type=password]").first.fill(password)
    page.get_by_role("button", name=re.compile("login", re.I)).click()
    page.get_by_text("Logged in as").wait_for()
    settle(page)
    return page


def settle(page: Any) -> None:
    """Wait until no event is running (no progress text, no pending status tracker)."""
    page.wait_for_function(
        "() => !document.querySelector('.progress-text') && "
        "!document.querySelector('.generating') && !document.querySelector('.eta-bar')"
    )
    page.wait_for_timeout(400)


def chat_text(page: Any) -> str:
    return str(page.locator("#student-chat").inner_text())


def bot_count(page: Any) -> int:
    return int(page.locator("#student-chat .bot").count())


def wait_for_reply(page: Any, count_before: int) -> None:
    """Wait until the chat holds a new, finished tutor message."""
    page.wait_for_function(
        "n => document.querySelectorAll('#student-chat .bot').length > n", arg=count_before
    )
    settle(page)


def error_badges(page: Any) -> int:
    """Gradio's red "Error" badges over components (left by `gr.Error`)."""
    return int(page.locator("[data-testid='status-tracker'].error, .wrap.error").count())


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now (WCAG 2.1 A/AA)."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations'],
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]
