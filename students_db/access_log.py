"""The append-only access log: who read (or was refused) whose data, and when.

There is deliberately no update or delete here; the database's triggers refuse both, so a
bug or a compromised caller cannot rewrite history either.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from sqlalchemy import Table, event, insert, select
from sqlalchemy.orm import Session

from students_db import models
from students_db._common import require_one_of, require_write
from students_db.records import AccessLogEntry
from students_db.timestamps import utcnow

log = logging.getLogger(__name__)
_TABLE = cast(Table, models.AccessLog.__table__)
_PENDING = "students_db.access_log.pending_denials"  # rows `log_denial` keeps for the end
_DENIED = "students_db.access_log.denied"  # (role, actor, student) logged as denied already


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
    if not allowed:
        denied = session.info.setdefault(_DENIED, set())
        denied.add(_denial_key(actor_role, actor_id, subject_student_id))
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


def log_denial(
    *,
    session: Session,
    actor_role: str,
    actor_id: int | None,
    subject_student_id: int | None,
    action: str,
    detail: str = "",
) -> None:
    """Record a refused read once, even when the caller's transaction rolls back.

    A handler that refuses by raising inside its `write_session` rolls the transaction back,
    and a `log_access` row would go with it: the probe would leave no trace. This row waits
    in the session: at commit it is written unless the caller logged its own denied row for
    the same actor and student (no double rows); after a rollback it is written in a short
    transaction of its own (`_write_denials_after_rollback`).
    """
    require_write(session, "log_denial")
    require_one_of("actor_role", actor_role, models.ACTOR_ROLES)
    row = {
        "actor_role": actor_role,
        "actor_id": actor_id,
        "subject_student_id": subject_student_id,
        "action": action,
        "detail": detail,
        "allowed": False,
    }
    session.info.setdefault(_PENDING, []).append(row)


def _denial_key(actor_role: str, actor_id: int | None, subject: int | None) -> tuple[Any, ...]:
    return (actor_role, actor_id, subject)


@event.listens_for(Session, "before_commit")
def _write_pending_denials(session: Session) -> None:
    rows: list[dict[str, Any]] = session.info.pop(_PENDING, None) or []
    logged = session.info.get(_DENIED, set())
    keep = [
        r
        for r in rows
        if _denial_key(r["actor_role"], r["actor_id"], r["subject_student_id"]) not in logged
    ]
    if keep:
        now = utcnow()
        session.execute(insert(_TABLE), [{**r, "created_at": now} for r in keep])


@event.listens_for(Session, "after_commit")
def _forget_denials(session: Session) -> None:
    session.info.pop(_DENIED, None)


@event.listens_for(Session, "after_rollback")
def _write_denials_after_rollback(session: Session) -> None:
    session.info.pop(_DENIED, None)
    rows: list[dict[str, Any]] | None = session.info.pop(_PENDING, None)
    if not rows:
        return
    now = utcnow()
    try:
        with Session(bind=session.bind, info=dict(session.info)) as again, again.begin():
            again.execute(insert(_TABLE), [{**r, "created_at": now} for r in rows])
    except Exception:  # the refusal itself stands; only its log row is lost
        log.warning("could not keep %d denied access-log rows after a rollback", len(rows))


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
