"""A student's data rights: export everything held about them, erase them, and keep chat only
as long as the retention setting says.

The store finds the tables (`students_db.security`); this module decides who may ask and
shapes the result. A teacher may export or erase only a student in one of their own classes
(a refusal is logged and raises `PermissionError`); the CLI is an operator edge and passes no
teacher. Every export and erasure is written to the access log.

Erasure keeps the access log's earlier rows about the student (the log is append-only, and
those rows hold only ids, action names, class ids and times: no content) and appends one
tombstone: actor, action "delete_student", the subject's id, the time. Backups still hold the
student until they are pruned: the retention window of a deletion is the backup retention.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import students_db as db
from students_db.teacher import teacher_owns_student
from tutor.accounts import login_key

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

EXPORT_FORMAT = "tutor-student-export/1"


@dataclass(frozen=True)
class StudentExport:
    """Everything held about one student, table by table (no PIN hash)."""

    student_id: int
    exported_at: datetime
    tables: tuple[db.TableRows, ...]

    def rows(self, table: str) -> list[dict[str, Any]]:
        """One table's rows as dicts (empty when the student has none there)."""
        for dump in self.tables:
            if dump.table == table:
                return [dict(zip(dump.columns, row, strict=True)) for row in dump.rows]
        return []

    def to_json(self) -> str:
        """One JSON document: format, student id, time, and each table's rows as objects."""
        document = {
            "format": EXPORT_FORMAT,
            "student_id": self.student_id,
            "exported_at": self.exported_at.isoformat(),
            "tables": {dump.table: self.rows(dump.table) for dump in self.tables},
        }
        return json.dumps(document, default=_json_value, indent=2, ensure_ascii=False)

    def to_csv_files(self) -> dict[str, str]:
        """`{"<table>.csv": text}`, one file per table, a header row even when empty.
        JSON columns (preferences, review cards) are written as JSON text."""
        files = {}
        for dump in self.tables:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(dump.columns)
            writer.writerows([_csv_value(v) for v in row] for row in dump.rows)
            files[f"{dump.table}.csv"] = buffer.getvalue()
        return files


def export_student(
    *, sessions: db.SessionFactory, student_id: int, teacher_id: int | None = None
) -> StudentExport | None:
    """All of one student's data; None when there is no such student (operator only).

    With `teacher_id`, the teacher must teach the student: otherwise `PermissionError` (also
    for an id that does not exist, so probing ids tells nothing), and the refusal is logged.
    """
    allowed = True
    with db.write_session(sessions) as session:
        if teacher_id is not None:
            allowed = teacher_owns_student(
                session=session, teacher_id=teacher_id, student_id=student_id
            )
        exists = allowed and db.student_exists(session=session, student_id=student_id)
        _log(session, teacher_id, student_id, "export_student", allowed)
        if not exists:
            tables: list[db.TableRows] = []
        else:
            tables = db.student_rows(
                session=session,
                student_id=student_id,
                username_keys=_login_keys(session, student_id),
            )
        exported_at = datetime.now(UTC)
    if not allowed:
        raise PermissionError("that student is not in one of your classes")
    if not exists:
        return None
    return StudentExport(student_id=student_id, exported_at=exported_at, tables=tuple(tables))


def delete_student(
    *,
    sessions: db.SessionFactory,
    student_id: int,
    teacher_id: int | None = None,
    requested_by: str | None = None,
) -> bool:
    """Erase a student in one write transaction; False when there is no such student.

    Every row about them goes (profile with the PIN hash, so they can no longer log in;
    attempts, mastery, cards, exercise, chat, assignments, login counters) and a content-free
    tombstone is appended to the access log. `requested_by` is not stored (it could name a
    person); the tombstone's actor is the teacher, or "admin" for the operator's CLI.
    With `teacher_id`, the teacher must teach the student, else `PermissionError` (logged).
    """
    del requested_by  # accepted for the caller's own audit trail; the tombstone stays bare
    with db.write_session(sessions) as session:
        if teacher_id is not None and not teacher_owns_student(
            session=session, teacher_id=teacher_id, student_id=student_id
        ):
            _log(session, teacher_id, student_id, "delete_student", allowed=False)
            refused = True
        else:
            refused = False
            if not db.student_exists(session=session, student_id=student_id):
                return False
            db.delete_student_rows(
                session=session,
                student_id=student_id,
                username_keys=_login_keys(session, student_id),
                actor_role="admin" if teacher_id is None else "teacher",
                actor_id=teacher_id,
            )
    if refused:
        raise PermissionError("that student is not in one of your classes")
    return True


def purge_old_messages(
    *, sessions: db.SessionFactory, older_than_days: int, now: datetime | None = None
) -> int:
    """Delete chat messages older than `older_than_days` days; returns how many went."""
    if older_than_days < 1:
        raise ValueError(f"older_than_days must be at least 1; got {older_than_days}")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    with db.write_session(sessions) as session:
        return db.purge_messages_before(session=session, before=cutoff)


def _login_keys(session: Session, student_id: int) -> list[str]:
    """The name the student logs in with, as the login throttle keys it."""
    found = db.student_join_code_and_login(session=session, student_id=student_id)
    return [] if found is None else [login_key(f"{found[0]}/{found[1]}")]


def _log(
    session: Session, teacher_id: int | None, student_id: int, action: str, allowed: bool
) -> None:
    db.log_access(
        session=session,
        actor_role="admin" if teacher_id is None else "teacher",
        actor_id=teacher_id,
        subject_student_id=student_id,
        action=action,
        allowed=allowed,
    )


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")


def _csv_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping | list):
        return json.dumps(value, sort_keys=True)
    return value
