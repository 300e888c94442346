"""Accessibility in the real browser: axe-core (shipped in tests/assets/axe) finds no serious
or critical WCAG 2.1 A/AA violation on the login page, the student view or the teacher view,
and the login page names the app, has a title and asks students for their PIN."""

from __future__ import annotations

import re
from typing import Any

import pytest

import students_db as db
from tests.browser_helpers import (
    WAIT_MS,
    axe_violations,
    browser,
    log_in,
    open_login,
    settle,
)
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


def test_a_failed_login_keeps_the_name_and_says_why_per_attempt(
    browser: Any, template_app_server: AppServer
) -> None:
    """Gradio's card empties both fields after a failure; ours puts the login name back,
    moves to the PIN and says, per attempt, what happened: wrong, tries left, then locked,
    for how long, and that the teacher can unlock (even when the right PIN comes next)."""
    from tutor import accounts

    server = template_app_server
    with db.write_session(server.sessions) as session:
        teacher = db.get_teacher_login(session=session, username=server.teacher[0])
        assert teacher is not None
        rooms = db.list_classrooms(session=session, teacher_id=teacher.id)
    (room,) = [r for r in rooms if r.id == server.classroom_id]
    ((login, pin),) = accounts.add_students(
        sessions=server.sessions, teacher_id=teacher.id, classroom_id=room.id, names=["Lou"]
    )
    typed = f"{room.join_code}/{login}"
    wrong = "000000" if pin != "000000" else "111111"
    page = open_login(browser, server.url)
    name_box = page.locator("input[type=text]").first
    pin_box = page.locator("input[type=password]").first
    status = page.locator("#tutor-login-status")
    said = []
    for secret in [wrong] * accounts.LOCKOUT_FAILURES + [pin]:
        if not name_box.input_value():
            name_box.fill(typed)
        pin_box.fill(secret)
        page.get_by_role("button", name=re.compile("login", re.I)).click()
        page.wait_for_function(
            "n => document.getElementById('tutor-login-status').dataset.attempt == n",
            arg=str(len(said) + 1),
        )
        assert name_box.input_value() == typed  # kept, not emptied
        assert pin_box.input_value() == ""
        assert pin_box.evaluate("el => el === document.activeElement")
        said.append(status.inner_text())
    assert said[0] == "That login and PIN (or password) do not match. Check both and try again."
    assert "2 more wrong tries will lock this login" in said[2]
    assert said[4].startswith("This login is locked for 15 more minutes")
    assert "ask your teacher to unlock it" in said[4]
    assert said[5] == said[4]  # the right PIN while locked: still locked, and said so
    assert not page.get_by_text("Incorrect Credentials").is_visible()  # ours replaces it
    assert axe_violations(page) == []


def test_the_student_view_has_no_serious_violations(
    browser: Any, template_app_server: AppServer
) -> None:
    page = log_in(browser, template_app_server.url, *template_app_server.students[1])
    page.locator("#btn-new-exercise").click()
    settle(page)
    page.get_by_text("Your question:").wait_for()
    assert axe_violations(page) == []


def test_the_style_radios_move_with_the_arrow_keys(
    browser: Any, template_app_server: AppServer
) -> None:
    """The explanation-style radios are one keyboard group: Tab reaches the checked one, the
    arrow keys move the choice (and the choice is saved, as with a click)."""
    from playwright.sync_api import expect

    from tutor import accounts

    server = template_app_server
    with db.write_session(server.sessions) as session:
        teacher = db.get_teacher_login(session=session, username=server.teacher[0])
        assert teacher is not None
        (room,) = [
            r
            for r in db.list_classrooms(session=session, teacher_id=teacher.id)
            if r.id == server.classroom_id
        ]
    ((login, pin),) = accounts.add_students(
        sessions=server.sessions, teacher_id=teacher.id, classroom_id=room.id, names=["Kai"]
    )
    page = log_in(browser, server.url, f"{room.join_code}/{login}", pin)
    first = page.get_by_role("radio", name="step-by-step")
    expect(first).to_be_checked()
    first.focus()
    page.keyboard.press("ArrowDown")
    short = page.get_by_role("radio", name="short")
    expect(short).to_be_checked()
    expect(short).to_be_focused()
    expect(page.locator("#style-note")).to_contain_text("short", timeout=WAIT_MS)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="example")).to_be_checked()
    page.keyboard.press("ArrowUp")  # quickly, while "example" may still be saving
    expect(short).to_be_checked()
    settle(page)
    expect(page.locator("#style-note")).to_contain_text("short", timeout=WAIT_MS)
    page.reload()
    page.get_by_text("Logged in as").wait_for()
    expect(page.get_by_role("radio", name="short")).to_be_checked(timeout=WAIT_MS)


def test_the_teacher_view_has_no_serious_violations(
    browser: Any, template_app_server: AppServer
) -> None:
    page = log_in(browser, template_app_server.url, *template_app_server.teacher)
    assert axe_violations(page) == []
    page.get_by_role("tab", name="Progress").click()
    page.locator("#mastery-heatmap").wait_for()
    assert axe_violations(page) == []
