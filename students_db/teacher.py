"""What a teacher may read and set: only their own classes and students, every read logged.

Each function takes the teacher's id (from the authenticated session). Asking for another
teacher's class or student returns nothing (empty / None) and logs a denied row, so a probing
account shows up in the access log. Because every read appends to the log, these functions run
in a `write_session`; each holds SQLite's write lock only for a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, insert, or_, select
from sqlalchemy.orm import Session

from students_db import models
from students_db._common import (
    assignment_record,
    attempt_record,
    classroom_record,
    message_record,
    require_write,
    student_record,
)
from students_db.access_log import log_access, log_denial
from students_db.engine import is_write_session
from students_db.errors import NotFound
from students_db.records import (
    AssignmentRecord,
    ClassroomRecord,
    MasteryCell,
    StudentRecord,
    TimelineEntry,
)
from students_db.timestamps import utcnow

_ACCESS_LOG = cast(Table, models.AccessLog.__table__)  # a Table: typed for insert()
_ATTEMPTS = cast(Table, models.Attempt.__table__)


def teacher_owns_student(*, session: Session, teacher_id: int, student_id: int) -> bool:
    """Whether the student sits in one of the teacher's classes. A "no" in a write session
    appends a denied access-log row that survives a rollback (a refused probe leaves a trace)."""
    allowed = _owns_student(session, teacher_id, student_id)
    if not allowed and is_write_session(session):
        log_denial(
            session=session,
            actor_role="teacher",
            actor_id=teacher_id,
            subject_student_id=student_id,
            action="teacher_owns_student",
        )
    return allowed


def _owns_student(session: Session, teacher_id: int, student_id: int) -> bool:
    query = (
        select(models.Student.id)
        .join(models.Classroom, models.Classroom.id == models.Student.classroom_id)
        .where(models.Student.id == student_id, models.Classroom.teacher_id == teacher_id)
    )
    return session.scalar(query) is not None


def teacher_owns_classroom(*, session: Session, teacher_id: int, classroom_id: int) -> bool:
    """Whether the class is one of the teacher's; a "no" in a write session is logged as for
    `teacher_owns_student`."""
    query = select(models.Classroom.id).where(
        models.Classroom.id == classroom_id, models.Classroom.teacher_id == teacher_id
    )
    allowed = session.scalar(query) is not None
    if not allowed and is_write_session(session):
        log_denial(
            session=session,
            actor_role="teacher",
            actor_id=teacher_id,
            subject_student_id=None,
            action="teacher_owns_classroom",
            detail=f"classroom {classroom_id}",
        )
    return allowed


def authorize_student_read(
    *, session: Session, teacher_id: int, student_id: int, action: str
) -> bool:
    """Whether the teacher may read this student's data; the read is logged either way.

    Every teacher read of one student goes through here, so none can skip the access log.
    """
    require_write(session, f"{action} (it writes the access log)")
    allowed = _owns_student(session, teacher_id, student_id)
    log_access(
        session=session,
        actor_role="teacher",
        actor_id=teacher_id,
        subject_student_id=student_id,
        action=action,
        allowed=allowed,
    )
    if not allowed:  # the refused probe's row also survives the caller's rollback (one row)
        log_denial(
            session=session,
            actor_role="teacher",
            actor_id=teacher_id,
            subject_student_id=student_id,
            action=action,
        )
    return allowed


def list_classrooms(*, session: Session, teacher_id: int) -> list[ClassroomRecord]:
    require_write(session, "list_classrooms (it writes the access log)")
    rows = session.scalars(
        select(models.Classroom)
        .where(models.Classroom.teacher_id == teacher_id)
        .order_by(models.Classroom.name, models.Classroom.id)
    )
    classrooms = [classroom_record(row) for row in rows]
    log_access(
        session=session,
        actor_role="teacher",
        actor_id=teacher_id,
        subject_student_id=None,
        action="list_classrooms",
        allowed=True,
        detail=f"{len(classrooms)} classrooms",
    )
    return classrooms


def list_students(*, session: Session, teacher_id: int, classroom_id: int) -> list[StudentRecord]:
    """The students of one of the teacher's classes; empty for anyone else's class."""
    if not _allowed_class(session, teacher_id, classroom_id, "list_students"):
        return []
    rows = session.scalars(
        select(models.Student)
        .where(models.Student.classroom_id == classroom_id)
        .order_by(models.Student.display_name, models.Student.id)
    )
    students = [student_record(row) for row in rows]
    _log_reads(session, teacher_id, (s.id for s in students), "list_students", classroom_id)
    return students


def class_mastery(*, session: Session, teacher_id: int, classroom_id: int) -> list[MasteryCell]:
    """The class x skill table: P(known) of every (student, practised skill) in the class."""
    if not _allowed_class(session, teacher_id, classroom_id, "class_mastery"):
        return []
    states = models.SkillState
    query = (
        select(
            models.Student.id,
            models.Student.display_name,
            states.skill_key,
            states.p_known,
            states.attempts_count,
        )
        .join(states, states.student_id == models.Student.id)
        .where(models.Student.classroom_id == classroom_id)
        .order_by(models.Student.display_name, models.Student.id, states.skill_key)
    )
    cells = [
        MasteryCell(
            student_id=row[0],
            display_name=row[1],
            skill_key=row[2],
            p_known=row[3],
            attempts_count=row[4],
        )
        for row in session.execute(query)
    ]
    student_ids = session.scalars(
        select(models.Student.id).where(models.Student.classroom_id == classroom_id)
    )
    _log_reads(session, teacher_id, student_ids, "class_mastery", classroom_id)
    return cells


def student_timeline(
    *, session: Session, teacher_id: int, student_id: int, limit: int = 200
) -> list[TimelineEntry]:
    """The student's latest attempts and messages, merged and in time order (oldest first);
    empty when the student is not in one of the teacher's classes."""
    allowed = authorize_student_read(
        session=session, teacher_id=teacher_id, student_id=student_id, action="student_timeline"
    )
    if not allowed:
        return []
    attempts = session.execute(
        select(*_ATTEMPTS.c)
        .where(_ATTEMPTS.c.student_id == student_id)
        .order_by(_ATTEMPTS.c.created_at.desc(), _ATTEMPTS.c.id.desc())
        .limit(limit)
    )
    messages = session.scalars(
        select(models.Message)
        .where(models.Message.student_id == student_id)
        .order_by(models.Message.created_at.desc(), models.Message.id.desc())
        .limit(limit)
    )
    entries = [TimelineEntry(at=row.created_at, attempt=attempt_record(row)) for row in attempts]
    entries += [TimelineEntry(at=row.created_at, message=message_record(row)) for row in messages]
    entries.sort(key=_timeline_order)
    return entries[-limit:]


def _timeline_order(entry: TimelineEntry) -> tuple[datetime, int, int]:
    if entry.attempt is not None:
        return (entry.at, 0, entry.attempt.id)
    assert entry.message is not None
    return (entry.at, 1, entry.message.id)


def student_for_teacher(
    *, session: Session, teacher_id: int, student_id: int
) -> StudentRecord | None:
    """One student's profile, if the student is in one of the teacher's classes."""
    allowed = authorize_student_read(
        session=session, teacher_id=teacher_id, student_id=student_id, action="student_profile"
    )
    row = session.get(models.Student, student_id) if allowed else None
    return None if row is None else student_record(row)


def assign_skill(
    *,
    session: Session,
    teacher_id: int,
    skill_key: str,
    classroom_id: int | None = None,
    student_id: int | None = None,
    due_at: datetime | None = None,
) -> AssignmentRecord | None:
    """Set a skill for one of the teacher's classes or students (exactly one of the two).

    Returns None, and logs a denied row, when the target is not the teacher's."""
    require_write(session, "assign_skill")
    if (classroom_id is None) == (student_id is None):
        raise ValueError("assign_skill needs exactly one of classroom_id and student_id")
    if classroom_id is not None:
        allowed = teacher_owns_classroom(
            session=session, teacher_id=teacher_id, classroom_id=classroom_id
        )
    else:
        assert student_id is not None
        allowed = teacher_owns_student(
            session=session, teacher_id=teacher_id, student_id=student_id
        )
    if not allowed:
        log_access(
            session=session,
            actor_role="teacher",
            actor_id=teacher_id,
            subject_student_id=student_id,
            action="assign_skill",
            allowed=False,
            detail=f"classroom {classroom_id}" if classroom_id is not None else "",
        )
        return None
    row = models.Assignment(
        classroom_id=classroom_id,
        student_id=student_id,
        skill_key=skill_key,
        due_at=due_at,
        created_by=teacher_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return assignment_record(row)


def list_assignments(
    *, session: Session, teacher_id: int, classroom_id: int
) -> list[AssignmentRecord]:
    """The assignments of one of the teacher's classes: to the class and to its students,
    newest first; empty (and a denied row logged) for anyone else's class."""
    if not _allowed_class(session, teacher_id, classroom_id, "list_assignments"):
        return []
    pupils = select(models.Student.id).where(models.Student.classroom_id == classroom_id)
    rows = session.scalars(
        select(models.Assignment)
        .where(
            or_(
                models.Assignment.classroom_id == classroom_id,
                models.Assignment.student_id.in_(pupils),
            )
        )
        .order_by(models.Assignment.created_at.desc(), models.Assignment.id.desc())
    )
    return [assignment_record(row) for row in rows]


def remove_assignment(*, session: Session, teacher_id: int, assignment_id: int) -> bool:
    """Delete one assignment of the teacher's class or student; False (logged) otherwise."""
    require_write(session, "remove_assignment")
    row = session.get(models.Assignment, assignment_id)
    allowed = False
    if row is not None and row.classroom_id is not None:
        allowed = teacher_owns_classroom(
            session=session, teacher_id=teacher_id, classroom_id=row.classroom_id
        )
    elif row is not None and row.student_id is not None:
        allowed = teacher_owns_student(
            session=session, teacher_id=teacher_id, student_id=row.student_id
        )
    log_access(
        session=session,
        actor_role="teacher",
        actor_id=teacher_id,
        subject_student_id=row.student_id if row is not None and allowed else None,
        action="remove_assignment",
        allowed=allowed,
        detail=f"assignment {assignment_id}",
    )
    if not allowed:
        return False
    session.execute(delete(models.Assignment).where(models.Assignment.id == assignment_id))
    return True


def _allowed_class(session: Session, teacher_id: int, classroom_id: int, action: str) -> bool:
    require_write(session, f"{action} (it writes the access log)")
    if session.get(models.Teacher, teacher_id) is None:
        raise NotFound(f"no teacher with id {teacher_id}")
    allowed = (
        session.scalar(
            select(models.Classroom.id).where(
                models.Classroom.id == classroom_id, models.Classroom.teacher_id == teacher_id
            )
        )
        is not None
    )
    if not allowed:
        log_access(
            session=session,
            actor_role="teacher",
            actor_id=teacher_id,
            subject_student_id=None,
            action=action,
            allowed=False,
            detail=f"classroom {classroom_id}",
        )
    return allowed


def _log_reads(
    session: Session, teacher_id: int, student_ids: Iterable[int], action: str, classroom_id: int
) -> None:
    """One allowed row per student read, in one bulk insert; a row for the class if empty."""
    now = utcnow()
    rows = [
        {
            "actor_role": "teacher",
            "actor_id": teacher_id,
            "subject_student_id": student_id,
            "action": action,
            "detail": f"classroom {classroom_id}",
            "allowed": True,
            "created_at": now,
        }
        for student_id in student_ids
    ]
    if not rows:
        rows = [{**_empty_class_row(teacher_id, action, classroom_id), "created_at": now}]
    session.execute(insert(_ACCESS_LOG), rows)


def _empty_class_row(teacher_id: int, action: str, classroom_id: int) -> dict[str, object]:
    return {
        "actor_role": "teacher",
        "actor_id": teacher_id,
        "subject_student_id": None,
        "action": action,
        "detail": f"classroom {classroom_id} (no students)",
        "allowed": True,
    }
