"""Helpers the query modules share: dialect-aware upserts, row-to-record mapping, guards."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import CursorResult, Executable, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from students_db import models
from students_db.engine import is_write_session
from students_db.errors import InvalidInput, StoreError
from students_db.records import (
    ActiveExerciseRecord,
    AssignmentRecord,
    AttemptRecord,
    ChatSessionRecord,
    ClassroomRecord,
    MessageRecord,
    ReviewCardRecord,
    SkillStateRecord,
    StudentRecord,
    TeacherRecord,
)


def insert_for(session: Session, table: Table) -> Any:
    """The dialect's INSERT, which has `on_conflict_do_nothing/_update` on both of ours."""
    return dialect_insert(dialect_of(session), table)


def dialect_of(session: Session) -> str:
    """The session's database dialect: "sqlite" or "postgresql"."""
    return session.get_bind().dialect.name


def dialect_insert(name: str, table: Table) -> Any:
    """The INSERT of dialect `name` (see `insert_for`)."""
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise StoreError(f"unsupported database dialect {name!r}: use SQLite or PostgreSQL")


def require_write(session: Session, what: str) -> None:
    """Refuse to write in a read session: on SQLite it would upgrade a deferred transaction,
    which fails at once with "database is locked" when another writer got in first."""
    if not is_write_session(session):
        raise StoreError(f"{what} writes: call it inside students_db.write_session(...)")


def lock_student(session: Session, student_id: int) -> bool:
    """Serialise a write transaction with every other one for the same student; returns
    whether the student exists.

    On PostgreSQL this is `SELECT .. FOR NO KEY UPDATE` of the student's row (NO KEY, so it
    does not conflict with the key-share locks that inserts referencing the student take). On
    SQLite, BEGIN IMMEDIATE already serialises all writers and FOR UPDATE is not emitted.
    """
    query = select(models.Student.id).where(models.Student.id == student_id)
    if is_write_session(session):
        query = query.with_for_update(key_share=True)
    return session.scalar(query) is not None


def require_one_of(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def require_probability(name: str, value: object) -> float:
    """`value` as a float, or `InvalidInput` when it is not a finite number within [0, 1]."""
    if isinstance(value, int | float) and math.isfinite(value) and 0.0 <= value <= 1.0:
        return float(value)
    raise InvalidInput(f"{name} must be a probability within [0, 1]; got {value!r}")


def affected_rows(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE and return how many rows it touched (0 when the driver
    cannot tell)."""
    result = session.execute(statement)
    if not isinstance(result, CursorResult):  # only a row-returning statement gives another
        raise StoreError(f"{type(statement).__name__} returned rows, not a row count")
    return int(result.rowcount or 0)


def require_non_negative(name: str, value: int | None) -> None:
    if value is not None and value < 0:
        raise InvalidInput(f"{name} must not be negative; got {value!r}")


def teacher_record(row: models.Teacher) -> TeacherRecord:
    return TeacherRecord(
        id=row.id, username=row.username, display_name=row.display_name, created_at=row.created_at
    )


def classroom_record(row: models.Classroom) -> ClassroomRecord:
    return ClassroomRecord(
        id=row.id,
        teacher_id=row.teacher_id,
        name=row.name,
        join_code=row.join_code,
        created_at=row.created_at,
    )


def student_record(row: Any) -> StudentRecord:
    """From an ORM `Student` or a Core row with the same columns."""
    return StudentRecord(
        id=row.id,
        classroom_id=row.classroom_id,
        login_name=row.login_name,
        display_name=row.display_name,
        grade_level=row.grade_level,
        preferences=dict(row.preferences or {}),
        active=row.active,
        created_at=row.created_at,
    )


def attempt_record(row: Any) -> AttemptRecord:
    """From an ORM `Attempt` or a Core row with the same columns."""
    return AttemptRecord(
        id=row.id,
        student_id=row.student_id,
        skill_key=row.skill_key,
        exercise_id=row.exercise_id,
        seed=row.seed,
        answer=row.answer,
        correct=bool(row.correct),
        misconception_id=row.misconception_id,
        hints_used=row.hints_used,
        time_taken_ms=row.time_taken_ms,
        client_submission_id=row.client_submission_id,
        kind=row.kind,
        created_at=row.created_at,
    )


def skill_state_record(row: Any) -> SkillStateRecord:
    return SkillStateRecord(
        student_id=row.student_id,
        skill_key=row.skill_key,
        p_known=row.p_known,
        attempts_count=row.attempts_count,
        correct_count=row.correct_count,
        updated_at=row.updated_at,
    )


def review_card_record(row: Any) -> ReviewCardRecord:
    return ReviewCardRecord(
        student_id=row.student_id, skill_key=row.skill_key, card=dict(row.card), due_at=row.due_at
    )


def active_exercise_record(row: Any) -> ActiveExerciseRecord:
    """From an ORM `ActiveExercise` or a Core row with the same columns."""
    return ActiveExerciseRecord(
        student_id=row.student_id,
        skill_key=row.skill_key,
        exercise_id=row.exercise_id,
        seed=row.seed,
        kind=row.kind,
        reason=row.reason,
        started_at=row.started_at,
        wrong_attempts=row.wrong_attempts,
        hints_used=row.hints_used,
        solution_shown=row.solution_shown,
    )


def chat_session_record(row: models.ChatSession) -> ChatSessionRecord:
    return ChatSessionRecord(
        id=row.id,
        student_id=row.student_id,
        started_at=row.started_at,
        ended_at=row.ended_at,
        summary=row.summary,
        model_available=row.model_available,
    )


def message_record(row: Any) -> MessageRecord:
    """From an ORM `Message` or a Core row with the same columns."""
    return MessageRecord(
        id=row.id,
        session_id=row.session_id,
        student_id=row.student_id,
        role=row.role,
        text=row.text,
        task=row.task,
        adapter=row.adapter,
        status=row.status,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        latency_ms=row.latency_ms,
        created_at=row.created_at,
    )


def assignment_record(row: models.Assignment) -> AssignmentRecord:
    return AssignmentRecord(
        id=row.id,
        classroom_id=row.classroom_id,
        student_id=row.student_id,
        skill_key=row.skill_key,
        due_at=row.due_at,
        created_by=row.created_by,
        created_at=row.created_at,
    )
