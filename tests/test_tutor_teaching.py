"""Issue 10, the tutor side: moves in the student's numbers, the sub-step scaffold, the
solution gate, "with help", stepping back, words for children, and the model seam.

The borrowing dialogue (acceptance 3) is replayed here through `Tutor.respond`; the same
dialogue through a pseudo-terminal is `docs/teaching_transcript.py`.
"""

from __future__ import annotations

import re

import pytest

import students_db as db
from prompts import GenerationRequest
from tests import test_tutor_fixtures
from tests.test_tutor_fixtures import make_school
from tutor.curriculum import load_default_pack, reveals_answer
from tutor.curriculum.model import Exercise
from tutor.dialogue import texts
from tutor.generation import ScriptedGenerator, UnavailableGenerator
from tutor.tutor import Tutor

sessions = test_tutor_fixtures.sessions  # the shared fixture
SUBTRACT = "whole.subtract"


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_default_pack()


def borrowing_exercise(pack, place: str = "tens column") -> tuple[Exercise, str, str]:  # type: ignore[no-untyped-def]
    """A subtraction whose borrowing slip shows first in `place`, its slip answer and the
    slipped step's result."""
    for seed in range(5000):
        exercise = pack.exercise(SUBTRACT, seed)
        for rule in exercise.misconceptions:
            if rule.id == "smaller_from_larger" and rule.slips and rule.slips[0] is not None:
                step = exercise.solution[rule.slips[0].step_index]
                if step.place == place and step.result:
                    return exercise, str(rule.answers[0]), step.result
    raise LookupError("no such exercise")


def _open(sessions: db.SessionFactory, student: int, exercise: Exercise) -> None:
    with db.write_session(sessions) as s:
        db.set_active_exercise(
            session=s,
            student_id=student,
            skill_key=exercise.skill_key,
            exercise_id=exercise.id,
            seed=exercise.seed,
            kind="practice",
            reason="assigned by your teacher",
        )


def _attempts(sessions: db.SessionFactory, student: int) -> list[db.AttemptRecord]:
    with db.read_session(sessions) as s:
        return list(reversed(db.recent_attempts(session=s, student_id=student, limit=50)))


def _say(pieces) -> str:  # type: ignore[no-untyped-def]
    return "".join(pieces)


def _tutor(sessions, pack, generator=None) -> Tutor:  # type: ignore[no-untyped-def]
    return Tutor(
        sessions=sessions, pack=pack, generator=generator or UnavailableGenerator(), seed=3
    )


def test_the_borrowing_dialogue(sessions: db.SessionFactory, pack) -> None:  # type: ignore[no-untyped-def]
    """Wrong answer -> the tens column in their numbers -> a sub-step they answer -> the
    original answered right (with help) -> "why do we borrow?" -> "I hate this"."""
    (student,) = make_school(sessions, students=1).student_ids
    exercise, wrong, step_result = borrowing_exercise(pack)
    _open(sessions, student, exercise)
    tutor = _tutor(sessions, pack)
    tens = next(s for s in exercise.solution if s.place == "tens column")

    reply = _say(tutor.respond(student, wrong))
    assert "took the smaller digit from the larger" in reply  # the misconception, named
    assert "tens column" in reply and tens.expression in reply  # the step, in their numbers
    assert reply.rstrip().endswith("?") and tens.question in reply  # a sub-step to do
    assert not reveals_answer(reply, exercise)
    assert len(_attempts(sessions, student)) == 1

    # The sub-step is open across a reload: a new Tutor (a restarted server) still has it.
    reloaded = _tutor(sessions, pack)
    sub = _say(reloaded.respond(student, step_result))
    assert sub.startswith("Yes!") and f"Your exercise: {exercise.statement}" in sub
    assert len(_attempts(sessions, student)) == 1  # a sub-step reply is not an attempt

    right = _say(reloaded.respond(student, exercise.answer_text))
    assert right.startswith("Correct, with help")
    assert re.search(r"\d more right answers? to master", right)  # counts, not probabilities
    assert not re.search(r"\b0\.\d\d\b", right) and "mastery of" not in right
    first, second = _attempts(sessions, student)
    assert (first.correct, second.correct, second.hints_used) == (False, True, 1)
    with db.read_session(sessions) as s:
        state = db.get_skill_states(session=s, student_id=student)[SUBTRACT]
    assert state.correct_count == 0  # an answer with help is not an unassisted right one

    why = _say(reloaded.respond(student, "why do we borrow?"))
    assert "borrow" in why.lower() and "ask your teacher" not in why.lower()
    assert "Your exercise:" in why  # back to the exercise

    hate = _say(reloaded.respond(student, "I hate this"))
    assert "hard" in hate.lower() and "ask your teacher" not in hate.lower()
    assert "Here is the full solution" not in hate


def test_a_wrong_sub_step_reply_is_told_and_the_exercise_goes_on(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    exercise, wrong, step_result = borrowing_exercise(pack)
    _open(sessions, student, exercise)
    tutor = _tutor(sessions, pack)
    _say(tutor.respond(student, wrong))
    off = str(int(step_result) + 1)
    told = _say(tutor.respond(student, off))
    assert told.startswith(f"Not quite: {off} is not it.") and step_result in told
    assert f"Your exercise: {exercise.statement}" in told
    assert len(_attempts(sessions, student)) == 1
    # The sub-step is closed now: the next number is an answer to the exercise again.
    _say(tutor.respond(student, wrong[::-1] if wrong[::-1] != exercise.answer_text else "1"))
    assert len(_attempts(sessions, student)) == 2


def test_a_question_keeps_the_sub_step_open(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    exercise, wrong, step_result = borrowing_exercise(pack)
    _open(sessions, student, exercise)
    tutor = _tutor(sessions, pack)
    _say(tutor.respond(student, wrong))
    why = _say(tutor.respond(student, "why?"))
    assert "Back to our step:" in why
    assert _say(tutor.respond(student, step_result)).startswith("Yes!")


def test_the_solution_needs_a_genuine_attempt_and_a_hint(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    exercise, wrong, _ = borrowing_exercise(pack)
    _open(sessions, student, exercise)
    tutor = _tutor(sessions, pack)
    assert "try an answer of your own" in _say(tutor.show_solution(student))
    for junk in ("0", "0"):  # junk does not unlock it, however often
        _say(tutor.respond(student, junk))
    _say(tutor.hint(student))
    refused = _say(tutor.show_solution(student))
    assert "Here is the full solution" not in refused and "a real try" in refused
    assert not tutor.progress(student).solution_allowed
    for giving_up in ("I give up", "just tell me the answer"):
        reply = _say(tutor.respond(student, giving_up))
        assert exercise.answer_text not in reply and "Here is the full solution" not in reply
    _say(tutor.respond(student, wrong))  # a genuine try (a catalogued slip)
    assert tutor.progress(student).solution_allowed
    shown = _say(tutor.show_solution(student))
    assert f"Answer: {exercise.answer_text}" in shown and "Now use the same steps" not in shown
    assert "Next up:" in shown  # and the next exercise, stated


def test_hints_climb_a_ladder_in_the_exercise_numbers(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    exercise, _, _ = borrowing_exercise(pack)
    _open(sessions, student, exercise)
    tutor = _tutor(sessions, pack)
    hints = [_say(tutor.hint(student)) for _ in range(4)]
    first_step = exercise.solution[0]
    assert first_step.question in hints[0]  # focus: the first unfinished step, checked
    assert first_step.expression in hints[1] and f"= {first_step.result}" not in hints[1]
    assert f"= {first_step.result}" in hints[2]  # that step done (bottom-out for the step)
    assert "same kind of exercise with other numbers" in hints[3]
    assert len(set(hints)) == 4 and not any(reveals_answer(h, exercise) for h in hints)
    assert all(exercise.statement in h for h in hints[1:])  # the exercise restated


def test_three_wrong_in_a_row_step_back_to_a_prerequisite(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    exercise, wrong, _ = borrowing_exercise(pack)
    _open(sessions, student, exercise)
    tutor = _tutor(sessions, pack)
    replies = []
    for n in range(3):
        replies.append(_say(tutor.respond(student, str(int(wrong) + 10 * n + 1))))
        if n < 2:  # close the sub-step the wrong answer opened, and come back to subtraction
            _say(tutor.respond(student, "new exercise"))
            _open(sessions, student, exercise)
    assert "step back" not in replies[1] and "step back" in replies[2]
    with db.read_session(sessions) as s:
        active = db.get_active_exercise(session=s, student_id=student)
    assert active is not None and active.skill_key in pack.skills[SUBTRACT].prerequisites
    assert "stepped back after 3 wrong answers" in _stepped_reason(sessions, student)


def _stepped_reason(sessions: db.SessionFactory, student: int) -> str:
    with db.read_session(sessions) as s:
        messages = db.recent_messages(session=s, student_id=student, limit=50)
        active = db.get_active_exercise(session=s, student_id=student)
    assert any(m.task == "stepback" for m in messages)
    return active.reason if active else ""


def test_model_words_are_shown_only_when_they_pass_the_plan(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    exercise, wrong, _ = borrowing_exercise(pack)
    tens = next(s for s in exercise.solution if s.place == "tens column")
    good = f"Check the tens column: you need {tens.expression} there, with a borrow."

    def words(request: GenerationRequest) -> str:
        if request.task == "feedback":
            return good
        return f"The answer is {exercise.answer_text}."  # a leak: never shown

    _open(sessions, student, exercise)
    tutor = _tutor(sessions, pack, ScriptedGenerator(default=words))
    reply = _say(tutor.respond(student, wrong))
    assert good in reply and not reveals_answer(reply, exercise)
    hint = _say(tutor.hint(student))
    assert exercise.answer_text not in hint


def test_a_missing_adapter_falls_back_on_every_path(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    def missing(request: GenerationRequest):  # type: ignore[no-untyped-def]
        raise FileNotFoundError(f"no adapter {request.adapter!r}")
        yield ""  # pragma: no cover

    (student,) = make_school(sessions, students=1).student_ids
    exercise, wrong, step_result = borrowing_exercise(pack)
    _open(sessions, student, exercise)
    tutor = _tutor(sessions, pack, ScriptedGenerator(default=missing))
    turns = [
        lambda: tutor.respond(student, wrong),
        lambda: tutor.respond(student, step_result),
        lambda: tutor.hint(student),
        lambda: tutor.explain_again(student),
        lambda: tutor.respond(student, "why do we borrow?"),
        lambda: tutor.respond(student, "I hate this"),
        lambda: tutor.respond(student, exercise.answer_text),
    ]
    for turn in turns:
        assert _say(turn()).strip()
    assert texts.REPLY_FAILED not in "".join(m.text for m in tutor.history(student))


def test_a_new_student_is_placed_and_can_test_out(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    tutor = _tutor(sessions, pack)
    first = _say(tutor.new_exercise(student))
    assert texts.PLACEMENT_REASON in first  # a new student starts with a placement question
    with db.read_session(sessions) as s:
        active = db.get_active_exercise(session=s, student_id=student)
    placed = pack.exercise_by_id(active.exercise_id, active.seed)
    after = _say(tutor.respond(student, placed.answer_text))
    assert after.startswith(texts.praise(0)) or "Correct" in after
    skip = _say(tutor.respond(student, "this is too easy"))
    assert "two" in skip and "without hints" in skip and "testing out of" in skip
    with db.read_session(sessions) as s:
        active = db.get_active_exercise(session=s, student_id=student)
        prefs = db.get_student(session=s, student_id=student).preferences
    assert prefs["learner_plan"]["test_out"]["skill"] == active.skill_key


def test_the_answer_is_checked_before_the_write_transaction(tmp_path, pack, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, finding 4: a slow check must not hold the store's write lock. While the
    checker runs, another connection can write at once (it would wait out the busy timeout
    and fail if the turn's transaction were open)."""
    import tutor.dialogue.prechecks as tutor_module

    engine = db.make_engine(f"sqlite:///{tmp_path / 'lock.db'}", busy_timeout_s=0.2)
    db.upgrade(engine)
    store = db.make_session_factory(engine)
    (student,) = make_school(store, students=1).student_ids
    exercise, wrong, _ = borrowing_exercise(pack)
    _open(store, student, exercise)
    checked_with_store_free: list[bool] = []
    real_check = tutor_module.check_answer

    def check_while_writing(*args, **kwargs):  # type: ignore[no-untyped-def]
        with db.write_session(store) as s:  # raises StoreBusy if the turn held the lock
            db.set_skill_state(session=s, student_id=student, skill_key="whole.add",
                               p_known=0.5, correct=None)  # fmt: skip
        checked_with_store_free.append(True)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(tutor_module, "check_answer", check_while_writing)
    reply = _say(_tutor(store, pack).respond(student, wrong))
    assert reply.startswith("Not quite") and checked_with_store_free
    engine.dispose()


def test_rapid_guessing_is_met_with_a_step_to_do(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    exercise, wrong, _ = borrowing_exercise(pack)
    _open(sessions, student, exercise)
    tutor = _tutor(sessions, pack)
    replies = []
    for guess in ("1", "2", "3"):
        replies.append(_say(tutor.respond(student, guess)))
        _say(tutor.respond(student, "why?"))  # keep the sub-step open, do not answer it
        _say(tutor.respond(student, "new exercise"))
        _open(sessions, student, exercise)
    assert texts.SLOW_DOWN not in replies[0]
    assert any(texts.SLOW_DOWN in r for r in replies[1:])


def test_a_plan_longer_than_the_model_may_write_is_not_sent(pack) -> None:  # type: ignore[no-untyped-def]
    """A worked example longer than the hint format's token limit could only be cut off and
    refused: its template is shown without a request (no CPU spent on it)."""
    from dataclasses import replace

    from prompts import LearnerContext
    from prompts.formats import FORMATS
    from tutor.dialogue import moves
    from tutor.dialogue.pipeline import ModelPart
    from tutor.dialogue.words import model_may_word, words_part

    exercise, _, _ = borrowing_exercise(pack)
    current = moves.Current(exercise, "Subtracting", moves.Learner(name="Sam"))
    step = next(s for s in exercise.solution if s.place == "tens column")
    short = moves.substep(current, step)
    limit = FORMATS["hint"].decoding.max_new_tokens
    long = replace(short, template=" ".join(["word"] * limit))

    def count(text: str) -> int:
        return len(text.split())

    assert model_may_word(short, count) and not model_may_word(long, count)
    generator = ScriptedGenerator(default="unused")
    sent = words_part(short, LearnerContext(), generator=generator, exercise=exercise)
    kept = words_part(long, LearnerContext(), generator=generator, exercise=exercise)
    assert isinstance(sent, ModelPart) and sent.request is not None
    assert isinstance(kept, ModelPart) and kept.request is None
    assert kept.template == long.template


def test_the_prompt_carries_the_last_two_turns_shortened(pack) -> None:  # type: ignore[no-untyped-def]
    """As in training: two turns, each cut to a line (prefill time is the CPU's bottleneck)."""
    from prompts import LearnerContext, Turn
    from tutor.dialogue import moves
    from tutor.dialogue.pipeline import ModelPart
    from tutor.dialogue.words import TURN_CHARS, words_part

    exercise, _, _ = borrowing_exercise(pack)
    current = moves.Current(exercise, "Subtracting", moves.Learner(name="Sam"))
    step = next(s for s in exercise.solution if s.place == "tens column")
    turns = (
        Turn("student", "first message"),
        Turn("tutor", "long " * 300),
        Turn("student", "hint"),
    )
    part = words_part(
        moves.substep(current, step),
        LearnerContext(recent_turns=turns),
        generator=ScriptedGenerator(default="unused"),
        exercise=exercise,
    )
    assert isinstance(part, ModelPart) and part.request is not None
    prompt = part.request.prompt
    assert "first message" not in prompt and "hint" in prompt
    tutor_line = next(line for line in prompt.splitlines() if line.startswith("Tutor:"))
    assert len(tutor_line) <= len("Tutor: ") + TURN_CHARS


def test_an_exercise_is_worded_by_the_model_only_with_the_specs_numbers(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    """The exercise wording is a plan: a story with exactly the spec's numbers is shown; one
    with a number changed (a correct student would be marked wrong) gives the pack's own."""
    school = make_school(sessions, students=2)
    for student, (change, shown) in zip(school.student_ids, ((0, True), (1, False)), strict=True):

        def story(request: GenerationRequest, change: int = change) -> str:
            if request.task != "exercise":
                return ""
            a, b = re.search(r"Use exactly (\d+) and (\d+)\.", request.prompt).groups()  # type: ignore[union-attr]
            return f"Sam scored {a} points and then {int(b) + change} more. How many in all?"

        with db.write_session(sessions) as s:
            for _ in range(3):  # its prerequisite mastered: P(known) 0.97, 3 right answers
                db.set_skill_state(
                    session=s, student_id=student, skill_key="whole.place_value",
                    p_known=0.97, correct=True,
                )  # fmt: skip
            db.assign_skill(
                session=s, teacher_id=school.teacher_id, skill_key="whole.add", student_id=student
            )
        tutor = _tutor(sessions, pack, ScriptedGenerator(default=story))
        opened = _say(tutor.new_exercise(student))
        assert ("Sam scored" in opened) is shown, opened
        assert "What is" in opened or shown  # refused: the pack's own statement instead
