"""Chat sessions and messages of one student.

A tutor reply is written in two short transactions around generation: `add_message(...,
status="pending")` before, `finish_message(...)` after. No transaction stays open while the
model writes, and a crash mid-generation leaves a row that says so.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from students_db import models
from students_db._common import (
    chat_session_record,
    message_record,
    require_non_negative,
    require_one_of,
    require_write,
)
from students_db.errors import NotFound
from students_db.records import ChatSessionRecord, MessageRecord
from students_db.timestamps import utcnow

# Every turn writes two messages, finishes one and reads the latest ones: built once, given
# their values at execution (building them, and the ORM's unit of work, cost more than the
# database's own work).
_MESSAGES = cast(Table, models.Message.__table__)
_INSERT_MESSAGE = insert(_MESSAGES).returning(*_MESSAGES.c)
_FINISH_MESSAGE = (
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message_id"))
    .where(_MESSAGES.c.student_id == bindparam("owner_id"))
    .returning(*_MESSAGES.c)
)
_NEWEST_FIRST = (_MESSAGES.c.created_at.desc(), _MESSAGES.c.id.desc())
_RECENT_MESSAGES = (
    select(*_MESSAGES.c)
    .where(_MESSAGES.c.student_id == bindparam("student_id"))
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("limit"))
)
_RECENT_MESSAGES_OF_SESSION = _RECENT_MESSAGES.where(
    _MESSAGES.c.session_id == bindparam("chat_session_id")
)


def open_chat_session(
    *, session: Session, student_id: int, model_available: bool = True
) -> ChatSessionRecord:
    require_write(session, "open_chat_session")
    if session.get(models.Student, student_id) is None:
        raise NotFound(f"no student with id {student_id}")
    row = models.ChatSession(
        student_id=student_id, started_at=utcnow(), model_available=model_available
    )
    session.add(row)
    session.flush()
    return chat_session_record(row)


def end_chat_session(
    *, session: Session, student_id: int, chat_session_id: int, summary: str | None = None
) -> ChatSessionRecord:
    """Close the student's chat session, keeping an optional summary for the teacher."""
    require_write(session, "end_chat_session")
    row = _own_chat_session(session, student_id, chat_session_id)
    row.ended_at = utcnow()
    row.summary = summary
    session.flush()
    return chat_session_record(row)


def add_message(
    *,
    session: Session,
    student_id: int,
    chat_session_id: int,
    role: str,
    text: str,
    task: str | None = None,
    adapter: str | None = None,
    status: str = "ok",
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    latency_ms: int | None = None,
) -> MessageRecord:
    require_write(session, "add_message")
    require_one_of("role", role, models.MESSAGE_ROLES)
    require_one_of("status", status, models.MESSAGE_STATUSES)
    for name, value in (
        ("prompt_tokens", prompt_tokens),
        ("completion_tokens", completion_tokens),
        ("latency_ms", latency_ms),
    ):
        require_non_negative(name, value)
    _own_chat_session(session, student_id, chat_session_id)
    values = {
        "session_id": chat_session_id,
        "student_id": student_id,
        "role": role,
        "text": text,
        "task": task,
        "adapter": adapter,
        "status": status,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "latency_ms": latency_ms,
        "created_at": utcnow(),
    }
    return message_record(session.execute(_INSERT_MESSAGE, values).one())


def finish_message(
    *,
    session: Session,
    student_id: int,
    message_id: int,
    text: str,
    status: str,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    latency_ms: int | None = None,
) -> MessageRecord:
    """Fill in a (pending) message once generation is done, failed or fell back."""
    require_write(session, "finish_message")
    require_one_of("status", status, models.MESSAGE_STATUSES)
    values = {
        "message_id": message_id,
        "owner_id": student_id,
        "text": text,
        "status": status,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "latency_ms": latency_ms,
    }
    row = session.execute(_FINISH_MESSAGE, values).first()
    if row is None:
        raise NotFound(f"student {student_id} has no message {message_id}")
    return message_record(row)


def recent_messages(
    *, session: Session, student_id: int, limit: int = 20, chat_session_id: int | None = None
) -> list[MessageRecord]:
    """The student's latest messages, in the order they were written (oldest first)."""
    if chat_session_id is None:
        rows = session.execute(_RECENT_MESSAGES, {"student_id": student_id, "limit": limit})
    else:
        parameters = {"student_id": student_id, "chat_session_id": chat_session_id}
        rows = session.execute(_RECENT_MESSAGES_OF_SESSION, {**parameters, "limit": limit})
    return [message_record(row) for row in reversed(rows.all())]


def tutor_said(*, session: Session, student_id: int, chat_session_id: int, words: str) -> bool:
    """Whether a tutor message of this chat session contains `words` (one indexed EXISTS
    probe; reading the session's messages to look cost every turn of a long chat)."""
    table = models.Message
    query = select(table.id).where(
        table.student_id == student_id,
        table.session_id == chat_session_id,
        table.role == "tutor",
        table.text.contains(words, autoescape=True),
    )
    return session.scalar(query.limit(1)) is not None


def current_chat_session(*, session: Session, student_id: int) -> ChatSessionRecord | None:
    """The student's latest chat session that has not ended, if any."""
    table = models.ChatSession
    row = session.scalar(
        select(table)
        .where(table.student_id == student_id, table.ended_at.is_(None))
        .order_by(table.started_at.desc(), table.id.desc())
        .limit(1)
    )
    return None if row is None else chat_session_record(row)


def chat_sessions_of(
    *, session: Session, student_id: int, ended_only: bool = False, limit: int = 50
) -> list[ChatSessionRecord]:
    """The student's chat sessions, newest first (teacher callers check ownership and log)."""
    table = models.ChatSession
    query = select(table).where(table.student_id == student_id)
    if ended_only:
        query = query.where(table.ended_at.is_not(None))
    rows = session.scalars(query.order_by(table.started_at.desc(), table.id.desc()).limit(limit))
    return [chat_session_record(row) for row in rows]


def _own_chat_session(
    session: Session, student_id: int, chat_session_id: int
) -> models.ChatSession:
    row = session.get(models.ChatSession, chat_session_id)
    if row is None or row.student_id != student_id:
        raise NotFound(f"student {student_id} has no chat session {chat_session_id}")
    return row
