"""A student's practice: attempts, mastery (BKT) per skill, review cards, the current exercise.

Every function takes the student's id, which the caller takes from the authenticated session,
and touches only that student's rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from students_db import models
from students_db._common import (
    active_exercise_record,
    affected_rows,
    attempt_record,
    dialect_insert,
    dialect_of,
    insert_for,
    lock_student,
    require_non_negative,
    require_one_of,
    require_probability,
    require_write,
    review_card_record,
    skill_state_record,
)
from students_db.engine import is_write_session
from students_db.errors import InvalidInput, NotFound
from students_db.records import (
    ActiveExerciseRecord,
    AttemptRecord,
    RecordedAttempt,
    ReviewCardRecord,
    SkillStateRecord,
)
from students_db.timestamps import utcnow

_ATTEMPTS = cast(Table, models.Attempt.__table__)  # Tables: typed for insert()
_SKILL_STATES = cast(Table, models.SkillState.__table__)
_REVIEW_CARDS = cast(Table, models.ReviewCard.__table__)
_ACTIVE = cast(Table, models.ActiveExercise.__table__)
_ACTIVE_EXERCISE = select(*_ACTIVE.c).where(_ACTIVE.c.student_id == bindparam("student_id"))


# The two writes of every answer are built once per dialect and given their values at
# execution: building an INSERT .. ON CONFLICT with its values each time cost more than the
# database's own work (benchmarks/store.py).
@cache
def _insert_attempt(dialect: str) -> Any:
    """INSERT an attempt unless its (student, client submission id) exists, RETURNING it."""
    return (
        dialect_insert(dialect, _ATTEMPTS)
        .on_conflict_do_nothing(index_elements=["student_id", "client_submission_id"])
        .returning(*_ATTEMPTS.c)
    )


@cache
def _upsert_skill_state(dialect: str) -> Any:
    """INSERT a skill state, or set P(known) and add the counts to the existing row."""
    statement = dialect_insert(dialect, _SKILL_STATES)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["student_id", "skill_key"],
        set_={
            "p_known": new.p_known,
            "attempts_count": _SKILL_STATES.c.attempts_count + new.attempts_count,
            "correct_count": _SKILL_STATES.c.correct_count + new.correct_count,
            "updated_at": new.updated_at,
        },
    ).returning(*_SKILL_STATES.c)


def record_attempt(
    *,
    session: Session,
    student_id: int,
    skill_key: str,
    exercise_id: str,
    seed: int,
    answer: str,
    correct: bool,
    misconception_id: str | None,
    hints_used: int,
    time_taken_ms: int,
    client_submission_id: str,
    kind: str = "practice",
) -> RecordedAttempt:
    """Record one answer once: a second submit with the same `client_submission_id` returns the
    first attempt with `recorded=False` (INSERT .. ON CONFLICT DO NOTHING, then read it back)."""
    require_write(session, "record_attempt")
    require_one_of("kind", kind, models.ATTEMPT_KINDS)
    require_non_negative("hints_used", hints_used)
    require_non_negative("time_taken_ms", time_taken_ms)
    if not client_submission_id or len(client_submission_id) > 64:
        raise InvalidInput("client_submission_id must be 1 to 64 characters")
    _require_student(session, student_id)
    values = {
        "student_id": student_id,
        "skill_key": skill_key,
        "exercise_id": exercise_id,
        "seed": seed,
        "answer": answer,
        "correct": correct,
        "misconception_id": misconception_id,
        "hints_used": hints_used,
        "time_taken_ms": time_taken_ms,
        "client_submission_id": client_submission_id,
        "kind": kind,
        "created_at": utcnow(),
    }
    inserted = session.execute(_insert_attempt(dialect_of(session)), values).first()
    if inserted is not None:
        return RecordedAttempt(recorded=True, attempt=attempt_record(inserted))
    existing = session.execute(
        select(*_ATTEMPTS.c).where(
            _ATTEMPTS.c.student_id == student_id,
            _ATTEMPTS.c.client_submission_id == client_submission_id,
        )
    ).one()
    return RecordedAttempt(recorded=False, attempt=attempt_record(existing))


def recent_attempts(*, session: Session, student_id: int, limit: int = 20) -> list[AttemptRecord]:
    """The student's latest attempts, newest first."""
    rows = session.execute(
        select(*_ATTEMPTS.c)
        .where(_ATTEMPTS.c.student_id == student_id)
        .order_by(_ATTEMPTS.c.created_at.desc(), _ATTEMPTS.c.id.desc())
        .limit(limit)
    )
    return [attempt_record(row) for row in rows]


def set_skill_state(
    *,
    session: Session,
    student_id: int,
    skill_key: str,
    p_known: float,
    correct: bool | None,
) -> SkillStateRecord:
    """Store P(known) for (student, skill); `correct` (when not None) is the answer that moved
    it and is counted. One upsert, so it never races with another update of the same row."""
    require_write(session, "set_skill_state")
    require_probability("p_known", p_known)
    now = utcnow()
    answered = 0 if correct is None else 1
    right = 1 if correct else 0
    values = {
        "student_id": student_id,
        "skill_key": skill_key,
        "p_known": float(p_known),
        "attempts_count": answered,
        "correct_count": right,
        "updated_at": now,
    }
    row = session.execute(_upsert_skill_state(dialect_of(session)), values).one()
    return skill_state_record(row)


def get_skill_states(*, session: Session, student_id: int) -> dict[str, SkillStateRecord]:
    """The student's skill states by skill key (skills never practised are absent).

    In a write session the student is locked first (see `lock_student`), so a BKT update
    computed from these states cannot lose a concurrent update, even of a skill's first row.
    """
    if is_write_session(session):
        lock_student(session, student_id)
    rows = session.execute(
        select(*_SKILL_STATES.c)
        .where(_SKILL_STATES.c.student_id == student_id)
        .order_by(_SKILL_STATES.c.skill_key)
    )
    return {row.skill_key: skill_state_record(row) for row in rows}


def upsert_review_card(
    *,
    session: Session,
    student_id: int,
    skill_key: str,
    card: Mapping[str, Any],
    due_at: datetime,
) -> ReviewCardRecord:
    """Create or replace the FSRS card of (student, skill); `card` is the JSON-safe dict."""
    require_write(session, "upsert_review_card")
    statement = insert_for(session, _REVIEW_CARDS).values(
        student_id=student_id, skill_key=skill_key, card=dict(card), due_at=due_at
    )
    statement = statement.on_conflict_do_update(
        index_elements=["student_id", "skill_key"],
        set_={"card": dict(card), "due_at": due_at},
    ).returning(*_REVIEW_CARDS.c)
    return review_card_record(session.execute(statement).one())


def get_review_cards(
    *, session: Session, student_id: int, due_before: datetime | None = None
) -> list[ReviewCardRecord]:
    """The student's review cards, soonest due first; only those due by `due_before` if given."""
    query = select(*_REVIEW_CARDS.c).where(_REVIEW_CARDS.c.student_id == student_id)
    if due_before is not None:
        query = query.where(_REVIEW_CARDS.c.due_at <= due_before)
    rows = session.execute(query.order_by(_REVIEW_CARDS.c.due_at, _REVIEW_CARDS.c.skill_key))
    return [review_card_record(row) for row in rows]


def set_active_exercise(
    *,
    session: Session,
    student_id: int,
    skill_key: str,
    exercise_id: str,
    seed: int,
    kind: str,
    reason: str,
) -> ActiveExerciseRecord:
    """Make this the exercise the student works on now, replacing any other (counts reset)."""
    require_write(session, "set_active_exercise")
    require_one_of("kind", kind, models.ATTEMPT_KINDS)
    _require_student(session, student_id)
    session.execute(
        delete(models.ActiveExercise).where(models.ActiveExercise.student_id == student_id)
    )
    row = models.ActiveExercise(
        student_id=student_id,
        skill_key=skill_key,
        exercise_id=exercise_id,
        seed=seed,
        kind=kind,
        reason=reason,
        started_at=utcnow(),
        wrong_attempts=0,
        hints_used=0,
        solution_shown=False,
    )
    session.add(row)
    session.flush()
    return active_exercise_record(row)


def update_active_exercise(
    *,
    session: Session,
    student_id: int,
    add_wrong_attempts: int = 0,
    add_hints: int = 0,
    solution_shown: bool | None = None,
) -> ActiveExerciseRecord:
    """Count a wrong answer or a hint on the current exercise, or mark its solution shown."""
    require_write(session, "update_active_exercise")
    require_non_negative("add_wrong_attempts", add_wrong_attempts)
    require_non_negative("add_hints", add_hints)
    row = _active_row(session, student_id)
    if row is None:
        raise NotFound(f"student {student_id} has no active exercise")
    row.wrong_attempts += add_wrong_attempts
    row.hints_used += add_hints
    if solution_shown is not None:
        row.solution_shown = solution_shown
    session.flush()
    return active_exercise_record(row)


def get_active_exercise(*, session: Session, student_id: int) -> ActiveExerciseRecord | None:
    row = session.execute(_ACTIVE_EXERCISE, {"student_id": student_id}).first()
    return None if row is None else active_exercise_record(row)


def clear_active_exercise(*, session: Session, student_id: int) -> bool:
    """Forget the current exercise; returns whether there was one."""
    require_write(session, "clear_active_exercise")
    removed = affected_rows(
        session, delete(models.ActiveExercise).where(models.ActiveExercise.student_id == student_id)
    )
    return bool(removed)


def _active_row(session: Session, student_id: int) -> models.ActiveExercise | None:
    return session.scalar(
        select(models.ActiveExercise).where(models.ActiveExercise.student_id == student_id)
    )


def _require_student(session: Session, student_id: int) -> None:
    if not lock_student(session, student_id):
        raise NotFound(f"no student with id {student_id}")
