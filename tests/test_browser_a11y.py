"""Accessibility in the real browser: axe-core (shipped in tests/assets/axe) finds no serious
or critical WCAG 2.1 A/AA violation on the login page, the student view or the teacher view,
and the login page names the app, has a title and asks students for their PIN."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_helpers import axe_violations, browser, log_in, open_login, settle
from tests.fixtures.app_server import AppServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["browser"]


def test_the_login_page_names_the_app_and_asks_for_a_pin(
    browser: Any, template_app_server: AppServer
) -> None:
    page = open_login(browser, template_app_server.url)
    page.get_by_role("heading", name="The tutor").wait_for()
    assert page.title() == "The tutor: log in"
    assert page.get_by_role("textbox", name="password (students: your PIN)").count() == 1
    assert page.get_by_role("textbox", name="username (students: class code/name)").count() == 1
    assert "K7QW2M9P/ada" in page.inner_text("body")  # an 8-character code, as real ones
    assert axe_violations(page) == []


def test_the_student_view_has_no_serious_violations(
    browser: Any, template_app_server: AppServer
) -> None:
    page = log_in(browser, template_app_server.url, *template_app_server.students[1])
    page.locator("#btn-new-exercise").click()
    settle(page)
    page.get_by_text("Your question:").wait_for()
    assert axe_violations(page) == []


def test_the_teacher_view_has_no_serious_violations(
    browser: Any, template_app_server: AppServer
) -> None:
    page = log_in(browser, template_app_server.url, *template_app_server.teacher)
    assert axe_violations(page) == []
    page.get_by_role("tab", name="Progress").click()
    page.locator("#mastery-heatmap").wait_for()
    assert axe_violations(page) == []
