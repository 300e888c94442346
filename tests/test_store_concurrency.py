"""Concurrent writers: no "database is locked", no lost update, a double submit records once;
a lock held too long becomes a retryable `StoreBusy`; readers run alongside a writer."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

import students_db as db
from students_db import models
from tests.fixtures.postgres import Store

THREADS = 8
SUBMISSIONS_PER_THREAD = 50


def _students(store: Store, count: int) -> list[int]:
    with db.write_session(store.factory) as session:
        teacher = db.create_teacher(
            session=session, username="t", display_name="T", password_hash="h"
        )
        classroom = db.create_classroom(session=session, teacher_id=teacher.id, name="C")
        return [
            db.create_student(
                session=session,
                classroom_id=classroom.id,
                login_name=f"s{i}",
                display_name=f"S{i}",
                pin_hash="p",
            ).id
            for i in range(count)
        ]


def _submit(store: Store, student_id: int, submission: str) -> bool:
    """What the tutor does per answer: record it, read the skill state, write the update."""
    with db.write_session(store.factory) as session:
        recorded = db.record_attempt(
            session=session,
            student_id=student_id,
            skill_key="shared.skill",
            exercise_id="e",
            seed=1,
            answer="42",
            correct=True,
            misconception_id=None,
            hints_used=0,
            time_taken_ms=5,
            client_submission_id=submission,
        )
        if recorded.recorded:
            states = db.get_skill_states(session=session, student_id=student_id)
            previous = states.get("shared.skill")
            p_known = 0.1 if previous is None else min(1.0, previous.p_known + 0.001)
            db.set_skill_state(
                session=session,
                student_id=student_id,
                skill_key="shared.skill",
                p_known=p_known,
                correct=True,
            )
        return recorded.recorded


def _in_threads(count: int, work: Callable[[int], bool]) -> list[bool]:
    barrier = threading.Barrier(count)

    def run(index: int) -> bool:
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _count(store: Store, table: type) -> int:
    with db.read_session(store.factory) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


@pytest.mark.slow
def test_eight_threads_times_fifty_submissions_record_400_without_locked_errors(
    store: Store,
) -> None:
    # Two threads share each student, so read-then-write of one skill state really contends.
    students = _students(store, THREADS // 2)

    def thread(index: int) -> bool:
        for n in range(SUBMISSIONS_PER_THREAD):
            assert _submit(store, students[index % len(students)], f"t{index}-n{n}")
        return True

    assert all(_in_threads(THREADS, thread))
    assert _count(store, models.Attempt) == THREADS * SUBMISSIONS_PER_THREAD
    with db.read_session(store.factory) as session:
        states = [
            db.get_skill_states(session=session, student_id=s)["shared.skill"] for s in students
        ]
    # No lost update: every read-then-write of a shared skill state saw the previous one.
    expected_p = 0.1
    for _ in range(2 * SUBMISSIONS_PER_THREAD - 1):
        expected_p = min(1.0, expected_p + 0.001)
    for state in states:
        assert state.attempts_count == 2 * SUBMISSIONS_PER_THREAD
        assert state.p_known == pytest.approx(expected_p)


def test_twenty_concurrent_submits_of_one_submission_id_record_once(store: Store) -> None:
    (student,) = _students(store, 1)
    outcomes = _in_threads(20, lambda _: _submit(store, student, "same-click"))
    assert sorted(outcomes) == [False] * 19 + [True]
    assert _count(store, models.Attempt) == 1
    with db.read_session(store.factory) as session:
        state = db.get_skill_states(session=session, student_id=student)["shared.skill"]
    assert state.attempts_count == 1


def _sqlite_store(path: Path, busy_timeout_s: float) -> Store:
    url = f"sqlite:///{path}"
    engine = db.make_engine(url, busy_timeout_s=busy_timeout_s)
    db.upgrade(engine)
    return Store(url=url, engine=engine, factory=db.make_session_factory(engine))


def test_a_lock_held_past_the_busy_timeout_is_a_retryable_store_busy(tmp_path: Path) -> None:
    store = _sqlite_store(tmp_path / "busy.db", busy_timeout_s=0.2)
    try:
        (student,) = _students(store, 1)
        other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with pytest.raises(db.StoreBusy, match="try again"):
            _submit(store, student, "a")
        # Readers are not blocked by the writer (WAL).
        with db.read_session(store.factory) as session:
            assert db.get_student(session=session, student_id=student) is not None
        other.execute("ROLLBACK")
        other.close()
        assert _count(store, models.Attempt) == 0  # nothing half-saved
        assert _submit(store, student, "a")  # the retry succeeds
    finally:
        store.engine.dispose()


def test_a_reader_sees_a_consistent_snapshot_while_a_writer_commits(tmp_path: Path) -> None:
    store = _sqlite_store(tmp_path / "snap.db", busy_timeout_s=5)
    try:
        (student,) = _students(store, 1)
        _submit(store, student, "1")
        with db.read_session(store.factory) as session:
            before = db.recent_attempts(session=session, student_id=student)
            _submit(store, student, "2")  # commits on another connection meanwhile
            during = db.recent_attempts(session=session, student_id=student)
        assert len(before) == len(during) == 1
        assert _count(store, models.Attempt) == 2
    finally:
        store.engine.dispose()
