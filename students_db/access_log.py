"""The append-only access log: who read (or was refused) whose data, and when.

There is deliberately no update or delete here; the database's triggers refuse both, so a
bug or a compromised caller cannot rewrite history either.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from students_db import models
from students_db._common import require_one_of, require_write
from students_db.records import AccessLogEntry
from students_db.timestamps import utcnow


def log_access(
    *,
    session: Session,
    actor_role: str,
    actor_id: int | None,
    subject_student_id: int | None,
    action: str,
    allowed: bool,
    detail: str = "",
) -> None:
    """Append one row; it commits (or not) with the caller's transaction."""
    require_write(session, "log_access")
    require_one_of("actor_role", actor_role, models.ACTOR_ROLES)
    session.add(
        models.AccessLog(
            actor_role=actor_role,
            actor_id=actor_id,
            subject_student_id=subject_student_id,
            action=action,
            detail=detail,
            allowed=allowed,
            created_at=utcnow(),
        )
    )
    session.flush()


def access_log_entries(
    *,
    session: Session,
    subject_student_id: int | None = None,
    actor_role: str | None = None,
    actor_id: int | None = None,
    limit: int = 1000,
) -> list[AccessLogEntry]:
    """Entries oldest first, filtered. For operators and exports: never expose it to a teacher
    or student handler without an identity check of its own."""
    table = models.AccessLog
    query = select(table)
    if subject_student_id is not None:
        query = query.where(table.subject_student_id == subject_student_id)
    if actor_role is not None:
        query = query.where(table.actor_role == actor_role)
    if actor_id is not None:
        query = query.where(table.actor_id == actor_id)
    rows = session.scalars(query.order_by(table.id).limit(limit))
    return [
        AccessLogEntry(
            id=row.id,
            actor_role=row.actor_role,
            actor_id=row.actor_id,
            subject_student_id=row.subject_student_id,
            action=row.action,
            detail=row.detail,
            allowed=row.allowed,
            created_at=row.created_at,
        )
        for row in rows
    ]
