"""One integration test with a real model: the tiny GPT-2 behind `adapters.generator`.

Its words are noise (random weights), which is the point: whatever it writes, the turn
completes, nothing leaks, exercise wordings with stray numbers are replaced, and the store
holds every message with an honest status.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import students_db as db
from tests import test_tutor_fixtures
from tests.test_tutor_fixtures import make_school
from tutor.curriculum import load_default_pack, reveals_answer
from tutor.tutor import Tutor

pytestmark = pytest.mark.slow

sessions = test_tutor_fixtures.sessions  # the shared fixture


def test_a_turn_with_the_tiny_gpt2(sessions: db.SessionFactory, tiny_gpt2_dir: Path) -> None:
    generator_module = pytest.importorskip("adapters.generator")
    pack = load_default_pack()
    (student,) = make_school(sessions, students=1).student_ids
    generator = generator_module.Generator(str(tiny_gpt2_dir), None, device="cpu")
    try:
        assert generator.available, generator.unavailable_reason
        tutor = Tutor(sessions=sessions, pack=pack, generator=generator, seed=5)
        opened = "".join(tutor.new_exercise(student))
        with db.read_session(sessions) as s:
            active = db.get_active_exercise(session=s, student_id=student)
        exercise = pack.exercise_by_id(active.exercise_id, active.seed)
        assert exercise.statement in opened or active.reason in opened
        hint = "".join(tutor.hint(student))
        question = "".join(tutor.respond(student, "why does this work?"))
    finally:
        generator.close()
    assert hint.strip() and question.strip()
    assert not reveals_answer(hint, exercise) and not reveals_answer(question, exercise)
    with db.read_session(sessions) as s:
        messages = db.recent_messages(session=s, student_id=student, limit=20)
    assert [m.role for m in messages] == ["student", "tutor"] * 3
    assert all(m.status in ("ok", "fallback") for m in messages)
    assert any(m.prompt_tokens for m in messages if m.role == "tutor")  # the model was asked
