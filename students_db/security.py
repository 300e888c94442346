"""Login throttling state, and a student's data rights (export, erasure, retention) in the store.

Login attempts: `begin_login_attempt` runs BEFORE the password is checked and counts the
attempt as a failure up front; `clear_login_failures` undoes that on success. Counting first
means a burst of parallel guesses cannot all slip through while the (slow) hashes run: the
lockout holds however many requests arrive at once. The policy numbers are the caller's
(`tutor.accounts`); this module only keeps the counts.

Data rights: the tables about a student are found from the schema itself (`Base.metadata`), not
from a hand-kept list, so a table added later is exported and erased without anyone
remembering to: a table is about a student through `students.id`, a `student_id` column (all
of them cascade from `students`), `access_log.subject_student_id`, or the student's login
names in `login_attempts`. Columns whose name ends in `_hash` never leave in an export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Column, Table, delete, func, or_, select
from sqlalchemy.orm import Session

from students_db import models
from students_db._common import affected_rows, require_write
from students_db.access_log import log_access
from students_db.errors import InvalidInput

_LOGINS = cast(Table, models.LoginAttempts.__table__)  # Tables: typed for delete()
_MESSAGES = cast(Table, models.Message.__table__)
ACCESS_LOG_TABLE = "access_log"
LOGIN_ATTEMPTS_TABLE = "login_attempts"
STUDENTS_TABLE = "students"
# What an erasure leaves in the access log: who, what, whom (an id), when; nothing else.
TOMBSTONE_ACTION = "delete_student"


# -- login attempts ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginGate:
    """Whether a login attempt may go on to the password check, and if not, why and until when."""

    allowed: bool
    reason: str | None = None  # "locked" | "rate_limited"
    retry_at: datetime | None = None


@dataclass(frozen=True)
class LoginAttemptsRecord:
    username_key: str
    failures: int
    locked_until: datetime | None
    window_started_at: datetime
    window_attempts: int
    updated_at: datetime


def begin_login_attempt(
    *,
    session: Session,
    username_key: str,
    now: datetime,
    max_failures: int,
    lockout: timedelta,
    max_attempts: int,
    window: timedelta,
) -> LoginGate:
    """Admit or refuse one attempt for `username_key`, counting it as a failure if admitted.

    Refused while locked (until `locked_until`) or when `max_attempts` attempts already came in
    the current `window`; a refused attempt is not counted, so waiting always helps. The
    attempt that reaches `max_failures` consecutive failures sets the lock; a success clears
    it (`clear_login_failures`).
    """
    require_write(session, "begin_login_attempt")
    if now.tzinfo is None:
        raise InvalidInput("now must be a timezone-aware datetime")
    row = _login_row(session, username_key, now)
    if row.locked_until is not None and _aware(row.locked_until) > now:
        return LoginGate(False, "locked", _aware(row.locked_until))
    if row.locked_until is not None:  # the lock ran out: a fresh start
        row.locked_until = None
        row.failures = 0
    if now - _aware(row.window_started_at) >= window:
        row.window_started_at = now
        row.window_attempts = 0
    if row.window_attempts >= max_attempts:
        row.updated_at = now
        session.flush()
        return LoginGate(False, "rate_limited", _aware(row.window_started_at) + window)
    row.window_attempts += 1
    row.failures += 1
    if row.failures >= max_failures:
        row.locked_until = now + lockout
    row.updated_at = now
    session.flush()
    return LoginGate(True)


def clear_login_failures(*, session: Session, username_key: str, now: datetime) -> None:
    """A successful login: the consecutive-failure count and any lock go (the rate-limit
    window stays, so successes are throttled too)."""
    require_write(session, "clear_login_failures")
    row = session.scalar(
        select(models.LoginAttempts).where(models.LoginAttempts.username_key == username_key)
    )
    if row is None:
        return
    row.failures = 0
    row.locked_until = None
    row.updated_at = now
    session.flush()


def login_attempts_of(*, session: Session, username_key: str) -> LoginAttemptsRecord | None:
    row = session.scalar(
        select(models.LoginAttempts).where(models.LoginAttempts.username_key == username_key)
    )
    if row is None:
        return None
    return LoginAttemptsRecord(
        username_key=row.username_key,
        failures=row.failures,
        locked_until=row.locked_until,
        window_started_at=row.window_started_at,
        window_attempts=row.window_attempts,
        updated_at=row.updated_at,
    )


def clear_login_locks(*, session: Session, username_key: str) -> int:
    """Forget every count and lock of one login name: the name's own row and its per-client
    rows (``name|client``). A teacher's unlock; returns the rows removed."""
    require_write(session, "clear_login_locks")
    return affected_rows(session, delete(_LOGINS).where(_key_or_its_clients(username_key)))


def latest_login_lock(*, session: Session, username_key: str) -> datetime | None:
    """The latest lock on a login name or any of its per-client rows (None: never locked),
    so a teacher sees a student locked out from any one device."""
    return session.scalar(
        select(func.max(_LOGINS.c.locked_until)).where(_key_or_its_clients(username_key))
    )


def _key_or_its_clients(username_key: str) -> Any:
    column = _LOGINS.c.username_key
    return (column == username_key) | column.startswith(f"{username_key}|", autoescape=True)


def purge_login_attempts(*, session: Session, before: datetime) -> int:
    """Forget attempt counts last touched before `before`, except live locks; returns rows."""
    require_write(session, "purge_login_attempts")
    return affected_rows(
        session,
        delete(_LOGINS).where(
            _LOGINS.c.updated_at < before,
            (_LOGINS.c.locked_until.is_(None)) | (_LOGINS.c.locked_until < before),
        ),
    )


def _login_row(session: Session, username_key: str, now: datetime) -> models.LoginAttempts:
    if not username_key or len(username_key) > 200:
        raise InvalidInput("username_key must be 1 to 200 characters")
    query = select(models.LoginAttempts).where(models.LoginAttempts.username_key == username_key)
    row = session.scalar(query.with_for_update())
    if row is not None:
        return row
    # Two first attempts for one name at once: on SQLite BEGIN IMMEDIATE serialises them; on
    # PostgreSQL the unique key makes the loser fail, and a failed login check is safe.
    _make_room(session, now)
    row = models.LoginAttempts(
        username_key=username_key,
        failures=0,
        window_started_at=now,
        window_attempts=0,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


# The table is bounded: names that do not exist are counted too (so a lock says nothing about
# whether an account exists), and anyone can type new names. Past MAX_LOGIN_ROWS the oldest
# rows without a live lock make room; live locks are never dropped.
MAX_LOGIN_ROWS = 50_000
_MAKE_ROOM_BATCH = 100


def _make_room(session: Session, now: datetime) -> None:
    rows = session.scalar(select(func.count()).select_from(_LOGINS)) or 0
    if rows < MAX_LOGIN_ROWS:
        return
    unlocked = (_LOGINS.c.locked_until.is_(None)) | (_LOGINS.c.locked_until < now)
    oldest = (
        select(_LOGINS.c.id)
        .where(unlocked)
        .order_by(_LOGINS.c.updated_at)
        .limit(rows - MAX_LOGIN_ROWS + _MAKE_ROOM_BATCH)
    )
    session.execute(delete(_LOGINS).where(_LOGINS.c.id.in_(oldest)))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- data rights ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRows:
    """One table's rows about a student: column names and value tuples, in id order."""

    table: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def student_tables() -> list[Table]:
    """Every table that can hold rows about a student (see the module docstring)."""
    return [t for t in models.Base.metadata.sorted_tables if _student_link(t) is not None]


def student_exists(*, session: Session, student_id: int) -> bool:
    return session.get(models.Student, student_id) is not None


def student_join_code_and_login(*, session: Session, student_id: int) -> tuple[str, str] | None:
    """(class join code, login name): what the student types at login, as stored."""
    row = session.execute(
        select(models.Classroom.join_code, models.Student.login_name)
        .join(models.Student, models.Student.classroom_id == models.Classroom.id)
        .where(models.Student.id == student_id)
    ).first()
    return None if row is None else (row[0], row[1])


def student_rows(
    *, session: Session, student_id: int, username_keys: Sequence[str] = ()
) -> list[TableRows]:
    """All rows about one student, table by table (secret hashes left out); nothing about
    anyone else. `username_keys`: the names the student logs in with, for `login_attempts`."""
    dumps = []
    for table in student_tables():
        condition = _about(table, student_id, username_keys)
        if condition is None:
            continue
        columns = [c for c in table.columns if not c.name.endswith("_hash")]
        order = table.primary_key.columns.values()
        rows = session.execute(select(*columns).where(condition).order_by(*order)).all()
        dumps.append(
            TableRows(
                table=table.name,
                columns=tuple(c.name for c in columns),
                rows=tuple(tuple(row) for row in rows),
            )
        )
    return dumps


def delete_student_rows(
    *,
    session: Session,
    student_id: int,
    username_keys: Sequence[str] = (),
    actor_role: str,
    actor_id: int | None,
) -> dict[str, int]:
    """Erase a student: every row about them goes (children first, then the student row),
    and one content-free tombstone is appended to the access log. Returns rows deleted per table.

    The access log is append-only (a trigger refuses DELETE) and keeps its earlier rows about
    the student: they hold only ids, an action name, a class id and a time, never content.
    Run it inside `write_session`: all of it commits together or not at all.
    """
    require_write(session, "delete_student_rows")
    deleted: dict[str, int] = {}
    for table in reversed(student_tables()):
        if table.name == ACCESS_LOG_TABLE:
            continue
        condition = _about(table, student_id, username_keys)
        if condition is None:
            continue
        deleted[table.name] = affected_rows(session, delete(table).where(condition))
    log_access(
        session=session,
        actor_role=actor_role,
        actor_id=actor_id,
        subject_student_id=student_id,
        action=TOMBSTONE_ACTION,
        allowed=True,
    )
    return deleted


def count_student_rows(
    *, session: Session, student_id: int, username_keys: Sequence[str] = ()
) -> dict[str, int]:
    """Rows about the student per table (the erasure check reads this)."""
    counts = {}
    for table in student_tables():
        condition = _about(table, student_id, username_keys)
        if condition is not None:
            counts[table.name] = session.scalar(select(func.count()).where(condition)) or 0
    return counts


def purge_messages_before(*, session: Session, before: datetime) -> int:
    """Delete every chat message created before `before` (the retention rule); returns rows."""
    require_write(session, "purge_messages_before")
    return affected_rows(session, delete(_MESSAGES).where(_MESSAGES.c.created_at < before))


def _student_link(table: Table) -> Column[Any] | None:
    if table.name == STUDENTS_TABLE:
        return table.c.id
    if table.name == ACCESS_LOG_TABLE:
        return table.c.subject_student_id
    if table.name == LOGIN_ATTEMPTS_TABLE:
        return table.c.username_key
    return table.c.get("student_id")


def _about(table: Table, student_id: int, username_keys: Iterable[str]) -> Any | None:
    link = _student_link(table)
    if link is None:
        return None
    if table.name == LOGIN_ATTEMPTS_TABLE:
        keys = list(username_keys)
        return or_(*(_key_or_its_clients(k) for k in keys)) if keys else None
    return link == student_id
