"""End to end in Debian's chromium (Playwright, headless): a student with the borrowing bug
is taught in the browser. A wrong answer gets the tens column in their own numbers and a
sub-step question; the student answers the sub-step, asks "why do we borrow?", and answers
the exercise right (with help).

The app runs with no model (the template path), so every word is the plan's template and the
test can read them exactly. Screenshots go to `docs/student_teaching_substep.png` (the
sub-step asked) and `docs/student_teaching.png` (answered, then "why?") when
TUTOR_UPDATE_SCREENSHOTS=1, else to a temp folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import students_db as db
from tests.browser_helpers import (  # noqa: F401 - `browser` is a fixture
    DOCS,
    WAIT_MS,
    bot_count,
    browser,
    chat_text,
    log_in,
    wait_for_reply,
)
from tests.fixtures.app_server import AppServer
from tests.test_tutor_teaching import borrowing_exercise

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _say(page: Any, text: str) -> str:
    """Type `text` in the chat box, wait for the tutor's reply, return the reply's text."""
    box = page.locator("#student-message textarea")
    before = bot_count(page)
    box.fill(text)
    box.press("Enter")
    wait_for_reply(page, before)
    return page.locator("#student-chat .bot").last.inner_text()


def test_a_sub_step_and_a_why_in_the_browser(
    browser: Any,  # noqa: F811
    template_app_server: AppServer,
    tmp_path: Path,
) -> None:
    server = template_app_server
    shots = DOCS if os.environ.get("TUTOR_UPDATE_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(exist_ok=True)
    exercise, wrong, step_result = borrowing_exercise(server.pack)
    student_id = server.student_ids[0]
    with db.write_session(server.sessions) as session:
        db.set_active_exercise(
            session=session,
            student_id=student_id,
            skill_key=exercise.skill_key,
            exercise_id=exercise.id,
            seed=exercise.seed,
            kind="practice",
            reason="assigned by your teacher",
        )
    page = log_in(browser, server.url, *server.students[0])
    page.set_default_timeout(WAIT_MS)

    told = _say(page, wrong)
    tens = next(s for s in exercise.solution if s.place == "tens column")
    assert "tens column" in told and tens.expression in told
    assert tens.question in told  # the sub-step question, in the student's numbers
    page.screenshot(path=str(shots / "student_teaching_substep.png"), full_page=True)

    sub = _say(page, step_result)
    assert sub.startswith("Yes!") and exercise.statement in sub

    why = _say(page, "why do we borrow?")
    assert "borrow" in why.lower() and "ask your teacher" not in why.lower()
    page.screenshot(path=str(shots / "student_teaching.png"), full_page=True)

    right = _say(page, exercise.answer_text)
    assert "Correct, with help" in right and "more right answer" in right
    assert "0." not in right.split("Next up:")[0]  # no probabilities in the chat
    assert "why do we borrow?" in chat_text(page)
    with db.read_session(server.sessions) as session:
        attempts = db.recent_attempts(session=session, student_id=student_id, limit=10)
    assert [(a.answer, a.correct) for a in reversed(attempts)] == [
        (wrong, False),
        (exercise.answer_text, True),
    ]  # the sub-step reply was not an attempt
