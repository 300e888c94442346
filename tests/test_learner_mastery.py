"""Honest mastery: an assisted answer is a failure for the model, mastery needs three
unassisted right answers, the evaluator scores the live update bit for bit, and junk
answers or rapid guesses are told apart from real attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from students_db.records import AttemptRecord
from tests import test_tutor_fixtures
from tutor.curriculum import load_default_pack
from tutor.dialogue.effort import is_genuine_attempt, is_rapid_guessing
from tutor.dialogue.mastery import after_answer, is_assisted, model_outcome
from tutor.learner import bkt
from tutor.learner.evaluate import predict_in_order
from tutor.learner.params import BktParams

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
sessions = test_tutor_fixtures.sessions  # the shared fixture: a migrated SQLite file
EASY = BktParams(p_init=0.9, p_learn=0.3, p_guess=0.1, p_slip=0.05, p_forget=0.02)


def test_an_assisted_right_answer_counts_as_wrong_for_the_model() -> None:
    helped = after_answer(
        p_before=0.5,
        correct=True,
        params=EASY,
        card=None,
        now=NOW,
        assisted=True,
        unassisted_before=0,
    )
    alone = after_answer(
        p_before=0.5, correct=True, params=EASY, card=None, now=NOW, unassisted_before=0
    )
    assert helped.p_after == bkt.update(0.5, False, EASY)
    assert alone.p_after == bkt.update(0.5, True, EASY)
    assert (helped.counted_correct, helped.assisted, helped.unassisted_after) == (False, True, 0)
    assert (alone.counted_correct, alone.unassisted_after) == (True, 1)


@pytest.mark.parametrize(
    ("hints", "example", "solution", "assisted"),
    [
        (0, False, False, False),
        (1, False, False, True),
        (0, True, False, True),
        (0, False, True, True),
    ],
)
def test_any_help_makes_an_answer_assisted(hints, example, solution, assisted) -> None:
    assert is_assisted(hints_used=hints, worked_example=example, solution=solution) is assisted
    assert model_outcome(True, hints_used=hints, worked_example=example, solution=solution) is (
        not assisted
    )


def test_mastery_needs_three_unassisted_right_answers_not_only_the_probability() -> None:
    p, count, mastered_at = 0.9, 0, None
    for answer in range(1, 6):
        change = after_answer(
            p_before=p, correct=True, params=EASY, card=None, now=NOW, unassisted_before=count
        )
        p, count = change.p_after, change.unassisted_after
        if change.newly_mastered:
            mastered_at = answer
            assert change.card is not None and change.due_at is not None
    assert bkt.is_mastered(bkt.update(0.9, True, EASY))  # the probability alone: after one
    assert mastered_at == 3


def test_assisted_answers_never_master_a_skill() -> None:
    p = 0.99
    for _ in range(10):
        change = after_answer(
            p_before=p,
            correct=True,
            params=EASY,
            card=None,
            now=NOW,
            assisted=True,
            unassisted_before=2,
        )
        assert not change.mastered
        p = change.p_after


def test_words_for_children_count_answers_to_go() -> None:
    change = after_answer(
        p_before=0.5, correct=True, params=EASY, card=None, now=NOW, unassisted_before=0
    )
    assert change.right_answers_to_go == 2


def test_the_evaluator_scores_the_live_update_bit_for_bit() -> None:
    """`tutor learner evaluate` predicts with `bkt.update`, the function a turn calls: the
    same numbers exactly, with forgetting, no floor or rounding."""
    params = BktParams(0.3, 0.2, 0.25, 0.1, 0.05)
    rng = np.random.default_rng(0)
    seqs = [rng.integers(0, 2, size=n) for n in (1, 2, 7, 30, 30, 120)]
    _, correct, predicted = predict_in_order({"k": seqs}, {"k": params}, default=BktParams())
    expected: list[tuple[int, float]] = []
    for seq in seqs:
        p = params.p_init
        for answer in seq:
            expected.append((int(answer), bkt.predict_correct(p, params)))
            p = bkt.update(p, bool(answer), params)
            assert isinstance(p, float)
    got = sorted(zip(correct.astype(int).tolist(), predicted.tolist(), strict=True))
    assert got == sorted(expected)


def _subtraction():
    pack = load_default_pack()
    return next(
        e
        for e in (pack.exercise("whole.subtract", s) for s in range(50))
        if e.statement.startswith("What is")
    )


def test_junk_is_not_a_genuine_attempt() -> None:
    exercise = _subtraction()
    a, b = (n for n in exercise.statement.replace("?", "").split() if n.isdigit())
    key = int(exercise.answer_text)
    assert is_genuine_attempt(str(key + 10), exercise)
    assert not is_genuine_attempt("asdf", exercise)
    assert not is_genuine_attempt(f"{a} - {b}", exercise)  # the question typed back
    assert not is_genuine_attempt(a, exercise)  # one of its own numbers
    assert not is_genuine_attempt("99999999", exercise)
    assert not is_genuine_attempt(str(key + 10), exercise, earlier_answers=[str(key + 10)])
    for rule in exercise.misconceptions:  # a real method, wrongly applied
        assert is_genuine_attempt(str(rule.answers[0]), exercise)


def _attempt(seconds: float, correct: bool, n: int) -> AttemptRecord:
    return AttemptRecord(
        id=n,
        student_id=1,
        skill_key="s",
        exercise_id="gen:x",
        seed=1,
        answer="1",
        correct=correct,
        misconception_id=None,
        hints_used=0,
        time_taken_ms=0,
        client_submission_id=str(n),
        kind="practice",
        created_at=NOW + timedelta(seconds=seconds),
    )


def test_rapid_wrong_answers_are_flagged_and_considered_ones_are_not() -> None:
    start = NOW
    rapid = [_attempt(4, False, 1), _attempt(5.5, False, 2), _attempt(7, False, 3)]
    slow = [_attempt(20, False, 1), _attempt(45, False, 2), _attempt(80, False, 3)]
    one_quick = [_attempt(20, False, 1), _attempt(22, False, 2)]
    for attempts, flagged in ((rapid, True), (slow, False), (one_quick, False)):
        newest_first = list(reversed(attempts))
        assert (
            is_rapid_guessing(newest_first, exercise_id="gen:x", seed=1, started_at=start)
            is flagged
        )


def test_the_fit_from_the_store_counts_an_assisted_right_answer_as_wrong(sessions) -> None:
    """`tutor learner fit --from-store` reads the outcomes the live update used."""
    import students_db as db
    from tests.test_tutor_fixtures import make_school

    (student,) = make_school(sessions, students=1).student_ids
    with db.write_session(sessions) as s:
        for n, hints in enumerate((0, 2, 0)):
            db.record_attempt(
                session=s,
                student_id=student,
                skill_key="k",
                exercise_id="gen:x",
                seed=n,
                answer="1",
                correct=True,
                misconception_id=None,
                hints_used=hints,
                time_taken_ms=1000,
                client_submission_id=f"sub-{n}",
            )
    with db.read_session(sessions) as s:
        outcomes = [r.correct for r in db.iter_responses(session=s)]
    assert outcomes == [True, False, True]
