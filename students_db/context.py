"""One student's learner context, read in one transaction for one turn of the tutor."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, or_, select
from sqlalchemy.orm import Session

from students_db import models
from students_db._common import assignment_record, student_record
from students_db.chat import recent_messages
from students_db.practice import (
    get_active_exercise,
    get_review_cards,
    get_skill_states,
    recent_attempts,
)
from students_db.records import AssignmentRecord, LearnerContextRecord
from students_db.timestamps import utcnow

_STUDENTS = cast(Table, models.Student.__table__)
_STUDENT = select(*_STUDENTS.c).where(_STUDENTS.c.id == bindparam("student_id"))  # built once


def load_learner_context(
    *,
    session: Session,
    student_id: int,
    now: datetime | None = None,
    messages_limit: int = 12,
    attempts_limit: int = 20,
) -> LearnerContextRecord | None:
    """Profile, skill states, due reviews, current exercise, recent turns and attempts (each
    with its misconception id) and assignments; None if there is no such student."""
    student = session.execute(_STUDENT, {"student_id": student_id}).first()
    if student is None:
        return None
    states = get_skill_states(session=session, student_id=student_id)
    return LearnerContextRecord(
        student=student_record(student),
        skill_states=tuple(states.values()),
        due_reviews=tuple(
            get_review_cards(session=session, student_id=student_id, due_before=now or utcnow())
        ),
        active_exercise=get_active_exercise(session=session, student_id=student_id),
        recent_messages=tuple(
            recent_messages(session=session, student_id=student_id, limit=messages_limit)
        ),
        recent_attempts=tuple(
            recent_attempts(session=session, student_id=student_id, limit=attempts_limit)
        ),
        assignments=tuple(assignments_for_student(session=session, student_id=student_id)),
    )


def assignments_for_student(*, session: Session, student_id: int) -> list[AssignmentRecord]:
    """Skills set for this student or for the student's class, soonest due first."""
    classroom_id = select(models.Student.classroom_id).where(models.Student.id == student_id)
    table = models.Assignment
    query = (
        select(table)
        .where(
            or_(
                table.student_id == student_id,
                table.classroom_id == classroom_id.scalar_subquery(),
            )
        )
        .order_by(table.due_at.is_(None), table.due_at, table.created_at, table.id)
    )
    return [assignment_record(row) for row in session.scalars(query)]
