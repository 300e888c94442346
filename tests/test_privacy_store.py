"""The store side of login throttling and erasure, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import students_db as db

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
POLICY = {
    "max_failures": 5,
    "lockout": timedelta(minutes=15),
    "max_attempts": 10,
    "window": timedelta(minutes=1),
}


@pytest.fixture
def factory(database_url: str) -> Iterator[db.SessionFactory]:
    engine = db.make_engine(database_url)
    try:
        yield db.make_session_factory(engine)
    finally:
        engine.dispose()


def _attempt(factory: db.SessionFactory, key: str, at: datetime) -> db.LoginGate:
    with db.write_session(factory) as session:
        return db.begin_login_attempt(session=session, username_key=key, now=at, **POLICY)


def test_the_fifth_counted_failure_locks_until_the_lockout_ends(
    factory: db.SessionFactory,
) -> None:
    gates = [_attempt(factory, "abc/ada", T0 + timedelta(seconds=i)) for i in range(6)]
    assert [g.allowed for g in gates] == [True] * 5 + [False]
    assert gates[-1].reason == "locked" and gates[-1].retry_at == T0 + timedelta(
        seconds=4, minutes=15
    )
    assert _attempt(factory, "abc/ada", T0 + timedelta(seconds=4, minutes=15)).allowed
    with db.write_session(factory) as session:
        db.clear_login_failures(session=session, username_key="abc/ada", now=T0)
    with db.read_session(factory) as session:
        record = db.login_attempts_of(session=session, username_key="abc/ada")
    assert record is not None and (record.failures, record.locked_until) == (0, None)
    assert _attempt(factory, "other", T0).allowed  # names are counted apart


def test_erasure_in_the_store_leaves_only_the_access_log(factory: db.SessionFactory) -> None:
    with db.write_session(factory) as session:
        teacher = db.create_teacher(
            session=session, username="t", display_name="T", password_hash="x"
        )
        room = db.create_classroom(session=session, teacher_id=teacher.id, name="c")
        ids = [
            db.create_student(
                session=session,
                classroom_id=room.id,
                login_name=name,
                display_name=name,
                pin_hash="x",
            ).id
            for name in ("ada", "ben")
        ]
        for student in ids:
            chat = db.open_chat_session(session=session, student_id=student, model_available=True)
            db.add_message(
                session=session,
                student_id=student,
                chat_session_id=chat.id,
                role="student",
                text="hello",
            )
            db.log_access(
                session=session,
                actor_role="teacher",
                actor_id=teacher.id,
                subject_student_id=student,
                action="read",
                allowed=True,
            )
    _attempt(factory, "code/ada", T0)
    with db.write_session(factory) as session:
        deleted = db.delete_student_rows(
            session=session,
            student_id=ids[0],
            username_keys=["code/ada"],
            actor_role="admin",
            actor_id=None,
        )
    assert deleted["students"] == 1 and deleted["login_attempts"] == 1
    with db.read_session(factory) as session:
        ada = db.count_student_rows(session=session, student_id=ids[0], username_keys=["code/ada"])
        ben = db.count_student_rows(session=session, student_id=ids[1])
    assert {t: n for t, n in ada.items() if n} == {"access_log": 2}  # the read and the tombstone
    assert ben["messages"] == 1 and ben["students"] == 1
