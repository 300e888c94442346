"""Teachers, classrooms and students: creating them and finding them at login.

The store holds hashes only: hashing and checking passwords and PINs is the auth code's job.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from students_db import models
from students_db._common import (
    classroom_record,
    require_write,
    student_record,
    teacher_record,
)
from students_db.errors import InvalidInput, NotFound, StoreError
from students_db.records import (
    ClassroomRecord,
    StudentLogin,
    StudentRecord,
    TeacherLogin,
    TeacherRecord,
)

# No 0/O, 1/I/L: a join code is read off a board and typed by children.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8
_JOIN_CODE_TRIES = 10


def create_teacher(
    *, session: Session, username: str, display_name: str, password_hash: str
) -> TeacherRecord:
    require_write(session, "create_teacher")
    username = _clean_name("username", username)
    if session.scalar(select(models.Teacher.id).where(models.Teacher.username == username)):
        raise InvalidInput(f"a teacher named {username!r} already exists")
    row = models.Teacher(
        username=username,
        display_name=display_name.strip(),
        password_hash=password_hash,
        credential_version=first_credential_version(),
    )
    session.add(row)
    session.flush()
    return teacher_record(row)


def create_classroom(*, session: Session, teacher_id: int, name: str) -> ClassroomRecord:
    """A new class of `teacher_id`, with a fresh join code that students type to log in."""
    require_write(session, "create_classroom")
    if session.get(models.Teacher, teacher_id) is None:
        raise NotFound(f"no teacher with id {teacher_id}")
    row = models.Classroom(
        teacher_id=teacher_id, name=name.strip(), join_code=_new_join_code(session)
    )
    session.add(row)
    session.flush()
    return classroom_record(row)


def _new_join_code(session: Session) -> str:
    # 31^8 codes: a clash is rare; checking inside the write transaction makes it impossible
    # on SQLite, and the unique constraint catches the astronomically rare race on PostgreSQL.
    for _ in range(_JOIN_CODE_TRIES):
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        taken = session.scalar(
            select(models.Classroom.id).where(models.Classroom.join_code == code)
        )
        if not taken:
            return code
    raise StoreError("could not find a free join code; try again")


def normalise_join_code(code: str) -> str:
    """What a student typed, as stored: upper case, no spaces or dashes."""
    return code.strip().upper().replace(" ", "").replace("-", "")


def create_student(
    *,
    session: Session,
    classroom_id: int,
    login_name: str,
    display_name: str,
    pin_hash: str,
    grade_level: int | None = None,
    preferences: Mapping[str, Any] | None = None,
) -> StudentRecord:
    require_write(session, "create_student")
    login_name = _clean_name("login_name", login_name)
    if session.get(models.Classroom, classroom_id) is None:
        raise NotFound(f"no classroom with id {classroom_id}")
    clash = select(models.Student.id).where(
        models.Student.classroom_id == classroom_id, models.Student.login_name == login_name
    )
    if session.scalar(clash):
        raise InvalidInput(f"this class already has a student who logs in as {login_name!r}")
    row = models.Student(
        classroom_id=classroom_id,
        login_name=login_name,
        display_name=display_name.strip(),
        pin_hash=pin_hash,
        credential_version=first_credential_version(),
        grade_level=grade_level,
        preferences=dict(preferences or {}),
    )
    session.add(row)
    session.flush()
    return student_record(row)


def _clean_name(field: str, value: str) -> str:
    cleaned = value.strip().lower()
    if not cleaned or len(cleaned) > 64:
        raise InvalidInput(f"{field} must be 1 to 64 characters; got {value!r}")
    return cleaned


def get_teacher_login(*, session: Session, username: str) -> TeacherLogin | None:
    row = session.scalar(
        select(models.Teacher).where(models.Teacher.username == username.strip().lower())
    )
    if row is None:
        return None
    return TeacherLogin(
        id=row.id,
        username=row.username,
        password_hash=row.password_hash,
        credential_version=row.credential_version,
    )


def teacher_count(*, session: Session) -> int:
    """How many teacher accounts exist (the app tells a new operator to create the first)."""
    return session.scalar(select(func.count()).select_from(models.Teacher)) or 0


def get_student_login(*, session: Session, join_code: str, login_name: str) -> StudentLogin | None:
    query = (
        select(models.Student)
        .join(models.Classroom, models.Classroom.id == models.Student.classroom_id)
        .where(
            models.Classroom.join_code == normalise_join_code(join_code),
            models.Student.login_name == login_name.strip().lower(),
        )
    )
    row = session.scalar(query)
    if row is None:
        return None
    return StudentLogin(
        id=row.id,
        classroom_id=row.classroom_id,
        login_name=row.login_name,
        pin_hash=row.pin_hash,
        active=row.active,
        credential_version=row.credential_version,
    )


def get_student(*, session: Session, student_id: int) -> StudentRecord | None:
    """A student's own profile (the caller is that student, identified by the session)."""
    row = session.get(models.Student, student_id)
    return None if row is None else student_record(row)


def set_student_preferences(
    *, session: Session, student_id: int, preferences: Mapping[str, Any]
) -> StudentRecord:
    """Replace the student's own preferences (e.g. {"style": "step-by-step"})."""
    require_write(session, "set_student_preferences")
    row = session.get(models.Student, student_id)
    if row is None:
        raise NotFound(f"no student with id {student_id}")
    row.preferences = dict(preferences)
    session.flush()
    return student_record(row)


def get_teacher(*, session: Session, teacher_id: int) -> TeacherRecord | None:
    row = session.get(models.Teacher, teacher_id)
    return None if row is None else teacher_record(row)


# -- credentials: what a login session is bound to ------------------------------------------

AccountRole = Literal["teacher", "student"]
_VERSIONS = 2**31  # fits a 32-bit signed INTEGER on PostgreSQL


def first_credential_version() -> int:
    """A random starting version: a database that re-uses a deleted row's id (SQLite does,
    for the highest id) gives the new account a different version, so a login session of the
    deleted account cannot pass for the new one."""
    return secrets.randbelow(_VERSIONS)


def credential_version_of(*, session: Session, role: AccountRole, account_id: int) -> int | None:
    """The account's current credential version; None when it is gone (or a student is
    inactive), so a session bound to it must end."""
    if role == "teacher":
        return session.scalar(
            select(models.Teacher.credential_version).where(models.Teacher.id == account_id)
        )
    row = session.execute(
        select(models.Student.credential_version, models.Student.active).where(
            models.Student.id == account_id
        )
    ).first()
    if row is None or not row[1]:
        return None
    return int(row[0])


def set_student_pin(*, session: Session, student_id: int, pin_hash: str) -> int:
    """A new PIN hash for the student, and a new credential version (every login session of
    the old PIN ends); returns the new version."""
    require_write(session, "set_student_pin")
    row = session.get(models.Student, student_id)
    if row is None:
        raise NotFound(f"no student with id {student_id}")
    row.pin_hash = pin_hash
    row.credential_version = (row.credential_version + 1) % _VERSIONS
    session.flush()
    return row.credential_version


def set_teacher_password(*, session: Session, teacher_id: int, password_hash: str) -> int:
    """A new password hash for the teacher and a new credential version; returns it."""
    require_write(session, "set_teacher_password")
    row = session.get(models.Teacher, teacher_id)
    if row is None:
        raise NotFound(f"no teacher with id {teacher_id}")
    row.password_hash = password_hash
    row.credential_version = (row.credential_version + 1) % _VERSIONS
    session.flush()
    return row.credential_version
