"""Model faults during a turn: out of memory before any text or midway, and a generation that
runs past its time limit. The student's message is always kept, the reply is stored as
"fallback" or "failed", and another student's turn meanwhile is unaffected (no database lock
is held while the model writes). (`test_tutor_turns` covers a RuntimeError both ways.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

import students_db as db
from prompts import GenerationRequest
from tests import test_tutor_fixtures
from tests.test_tutor_fixtures import make_school
from tutor.curriculum import load_default_pack
from tutor.generation import ScriptedGenerator
from tutor.tutor import Tutor

sessions = test_tutor_fixtures.sessions  # the shared fixture
QUESTION = "what is a fraction?"


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_default_pack()


def _messages(sessions: db.SessionFactory, student: int) -> list[tuple[str, str, str]]:
    with db.read_session(sessions) as s:
        rows = db.recent_messages(session=s, student_id=student, limit=100)
    return [(m.role, m.text, m.status) for m in rows]


def _tutor(sessions: db.SessionFactory, pack, generator) -> Tutor:  # type: ignore[no-untyped-def]
    return Tutor(sessions=sessions, pack=pack, generator=generator, seed=1)


def test_out_of_memory_before_any_text_falls_back_and_keeps_the_message(
    sessions: db.SessionFactory, pack
) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids

    def oom(request: GenerationRequest) -> Iterator[str]:
        raise MemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        yield ""  # pragma: no cover - makes this a generator

    reply = "".join(
        _tutor(sessions, pack, ScriptedGenerator(default=oom)).respond(student, QUESTION)
    )
    assert reply and "memory" not in reply.lower()  # a template, not the error
    (asked, answered) = _messages(sessions, student)
    assert asked == ("student", QUESTION, "ok")
    assert answered[0] == "tutor" and answered[2] == "fallback" and answered[1]


def test_out_of_memory_midway_falls_back_and_keeps_the_message(
    sessions: db.SessionFactory, pack
) -> None:  # type: ignore[no-untyped-def]
    """Model words are verified whole against their plan before they are shown (issue 10),
    so a model that fails midway has shown nothing: the plan's template stands in."""
    (student,) = make_school(sessions, students=1).student_ids

    def oom_midway(request: GenerationRequest) -> Iterator[str]:
        yield "A fraction is "
        yield "a part of "
        raise MemoryError("out of memory")

    tutor = _tutor(sessions, pack, ScriptedGenerator([oom_midway]))
    reply = "".join(tutor.respond(student, QUESTION))
    assert "A fraction is a part of" not in reply and "memory" not in reply.lower()
    (asked, answered) = _messages(sessions, student)
    assert asked == ("student", QUESTION, "ok")
    assert answered[2] == "fallback" and answered[1] == reply.strip()


def test_a_generation_past_its_time_limit_fails_alone_while_another_student_is_served(
    sessions: db.SessionFactory, pack
) -> None:  # type: ignore[no-untyped-def]
    slow_student, quick_student = make_school(sessions, students=2).student_ids
    other_done = threading.Event()

    def slow(request: GenerationRequest) -> Iterator[str]:
        """Like the real generator's deadline, but raising: text, a stall, then the limit."""
        limit = min(request.decoding.time_limit_s, 0.5)
        started = time.monotonic()
        yield "Let me think "
        yield "about that "
        other_done.wait(timeout=10)  # the other student's whole turn happens meanwhile
        time.sleep(max(0.0, limit - (time.monotonic() - started)))
        raise TimeoutError(f"generation ran past its {limit:.1f} s limit")

    def reply_for(request: GenerationRequest) -> str:
        return "A fraction is a part of a whole."

    generator = ScriptedGenerator([slow], default=reply_for)
    tutor = _tutor(sessions, pack, generator)
    result: dict[str, str] = {}
    worker = threading.Thread(
        target=lambda: result.update(slow="".join(tutor.respond(slow_student, QUESTION)))
    )
    worker.start()
    while not generator.requests:  # the slow turn has committed and is generating
        time.sleep(0.01)
    started = time.monotonic()
    quick = "".join(tutor.respond(quick_student, QUESTION))
    quick_s = time.monotonic() - started
    other_done.set()
    worker.join(timeout=20)

    assert quick_s < 2.0, "the other student waited on the slow generation"
    assert "part of a whole" in quick
    assert _messages(sessions, quick_student)[-1][2] == "ok"
    assert "Let me think" not in result["slow"]  # verified words only: the template instead
    (asked, answered) = _messages(sessions, slow_student)
    assert asked == ("student", QUESTION, "ok")
    assert answered[2] == "fallback" and answered[1] == result["slow"].strip()
