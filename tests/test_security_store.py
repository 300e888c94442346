"""The store side of issue 13: a bounded login_attempts table (finding 16), denied rows that
survive the caller's rollback (finding 14), per-client locks, the per-name daily budget and
a teacher's unlock (finding 7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

import students_db as db
from students_db import models
from students_db import security as store_security
from tests import test_tutor_fixtures
from tutor import accounts

sessions = test_tutor_fixtures.sessions  # the shared fixture

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", lambda: cheap)
    monkeypatch.setattr(accounts, "_DECOY_HASH", cheap.hash("nobody knows this"))


@pytest.fixture
def school(sessions: db.SessionFactory) -> tuple[int, int, int, str, str]:
    """(teacher id, other teacher id, student id, "CODE/login", PIN)."""
    teacher = accounts.create_teacher(sessions=sessions, username="smith", password="longpassword")
    other = accounts.create_teacher(sessions=sessions, username="jones", password="longpassword")
    room = accounts.create_class(sessions=sessions, teacher_id=teacher.id, name="5A")
    ((login, pin),) = accounts.add_students(
        sessions=sessions, teacher_id=teacher.id, classroom_id=room.id, names=["Ada"]
    )
    with db.write_session(sessions) as session:
        (pupil,) = db.list_students(session=session, teacher_id=teacher.id, classroom_id=room.id)
    return teacher.id, other.id, pupil.id, f"{room.join_code}/{login}", pin


def _rows(sessions: db.SessionFactory, table: type) -> int:
    with db.read_session(sessions) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_16_the_login_attempts_table_is_bounded(
    sessions: db.SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_security, "MAX_LOGIN_ROWS", 30)
    monkeypatch.setattr(store_security, "_MAKE_ROOM_BATCH", 5)
    for _ in range(accounts.LOCKOUT_FAILURES):  # one live lock, which must survive
        accounts.authenticate(sessions=sessions, username="locked", password="x", now=T0)
    for i in range(200):
        moment = T0 + timedelta(seconds=i)
        accounts.authenticate(sessions=sessions, username=f"new-name-{i}", password="x", now=moment)
        assert _rows(sessions, models.LoginAttempts) <= 30
    assert accounts.login_lock(sessions=sessions, username="locked", now=T0) is not None


def test_14_a_denied_probe_is_logged_even_when_the_caller_rolls_back(
    sessions: db.SessionFactory, school: tuple[int, int, int, str, str]
) -> None:
    teacher_id, other_id, student_id, _login, _pin = school
    before = _rows(sessions, models.AccessLog)
    with pytest.raises(RuntimeError), db.write_session(sessions) as session:
        assert not db.teacher_owns_student(
            session=session, teacher_id=other_id, student_id=student_id
        )
        raise RuntimeError("the handler refuses by raising inside its transaction")
    with db.read_session(sessions) as session:
        entries = db.access_log_entries(session=session, actor_id=other_id)
    assert _rows(sessions, models.AccessLog) == before + 1
    assert [(e.action, e.subject_student_id, e.allowed) for e in entries] == [
        ("teacher_owns_student", student_id, False)
    ]
    with db.write_session(sessions) as session:  # an allowed check logs nothing by itself
        assert db.teacher_owns_student(
            session=session, teacher_id=teacher_id, student_id=student_id
        )
    assert _rows(sessions, models.AccessLog) == before + 1


def test_7_locks_are_per_client_and_a_teacher_can_unlock(
    sessions: db.SessionFactory, school: tuple[int, int, int, str, str]
) -> None:
    teacher_id, other_id, student_id, login, pin = school
    wrong = "000000" if pin != "000000" else "111111"

    def attempt(secret: str, client: str, at: datetime = T0) -> bool:
        found = accounts.authenticate(
            sessions=sessions, username=login, password=secret, now=at, client=client
        )
        return found is not None

    for _ in range(accounts.LOCKOUT_FAILURES):
        assert not attempt(wrong, "198.51.100.7")
    assert not attempt(pin, "198.51.100.7")  # the stranger's address is locked
    assert attempt(pin, "192.0.2.1")  # the student's is not
    with pytest.raises(PermissionError):
        accounts.unlock_login(sessions=sessions, teacher_id=other_id, student_id=student_id)
    accounts.unlock_login(sessions=sessions, teacher_id=teacher_id, student_id=student_id)
    assert attempt(pin, "198.51.100.7")


def test_7_a_name_has_a_daily_failure_budget_across_clients(
    sessions: db.SessionFactory, school: tuple[int, int, int, str, str]
) -> None:
    _teacher_id, _other_id, _student_id, login, pin = school
    wrong = "000000" if pin != "000000" else "111111"
    for i in range(accounts.NAME_FAILURES_PER_DAY):
        client = f"203.0.113.{i % 250}-{i}"  # a new address each time
        found = accounts.authenticate(
            sessions=sessions, username=login, password=wrong, now=T0, client=client
        )
        assert found is None
    late = T0 + timedelta(hours=1)
    fresh = accounts.authenticate(
        sessions=sessions, username=login, password=pin, now=late, client="192.0.2.9"
    )
    assert fresh is None  # the name is locked for the day, from everywhere
    tomorrow = T0 + timedelta(days=1, minutes=1)
    assert accounts.authenticate(
        sessions=sessions, username=login, password=pin, now=tomorrow, client="192.0.2.9"
    )
