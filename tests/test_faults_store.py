"""Store faults under a real student turn: the database locked by another process past the busy
timeout, and a full disk. Either way: a clear error, nothing partial stored, integrity ok, and
the same submission succeeds once the cause is gone."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from random import Random

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

import students_db as db
from students_db import models
from tests.test_tutor_fixtures import make_school
from tutor.curriculum import load_default_pack
from tutor.demo import wrong_answer
from tutor.generation import UnavailableGenerator
from tutor.tutor import Tutor


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_default_pack()


def _counts(sessions: db.SessionFactory) -> tuple[int, int, int]:
    with db.read_session(sessions) as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(table)) or 0
            for table in (models.Attempt, models.Message, models.SkillState)
        )


def _answer_turn(tutor: Tutor, sessions: db.SessionFactory, pack, student: int) -> str:  # type: ignore[no-untyped-def]
    """The student's (right) answer to the current exercise, submitted as "sub-1"."""
    with db.read_session(sessions) as s:
        active = db.get_active_exercise(session=s, student_id=student)
    assert active is not None
    exercise = pack.exercise_by_id(active.exercise_id, active.seed)
    return "".join(tutor.respond(student, exercise.answer_text, submission_id="sub-1"))


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def test_a_lock_held_past_the_busy_timeout_is_a_retryable_error_then_the_turn_succeeds(
    _sqlite_template: Path, tmp_path: Path, pack
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tutor.db"
    shutil.copyfile(_sqlite_template, path)
    engine = db.make_engine(f"sqlite:///{path}", busy_timeout_s=0.2)
    try:
        sessions = db.make_session_factory(engine)
        (student,) = make_school(sessions, students=1).student_ids
        tutor = Tutor(sessions=sessions, pack=pack, generator=UnavailableGenerator(), seed=1)
        "".join(tutor.new_exercise(student))
        before = _counts(sessions)
        # Another process (not a thread of ours) takes the write lock and keeps it.
        holder = subprocess.Popen(
            [
                "python",
                "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
                "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.read()",
                str(path),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            with pytest.raises(db.StoreBusy, match="try again"):
                _answer_turn(tutor, sessions, pack, student)
            assert _counts(sessions) == before  # no message, attempt or state half-saved
        finally:
            assert holder.stdin is not None
            holder.stdin.close()  # the other process lets go
            holder.wait(timeout=10)
        reply = _answer_turn(tutor, sessions, pack, student)
        assert reply
        attempts, messages, _ = _counts(sessions)
        assert (attempts, messages) == (before[0] + 1, before[1] + 2)
        _answer_turn(tutor, sessions, pack, student)  # the same submission again: kept once
        assert _counts(sessions)[0] == before[0] + 1
    finally:
        engine.dispose()
    assert _integrity(path) == "ok"


def _is_full(error: BaseException) -> bool:
    """Only our own error counts: a raw driver error would reach the student as a crash."""
    return isinstance(error, db.StoreFull)


def _fill_and_check(
    sessions: db.SessionFactory,
    path: Path,
    pack,  # type: ignore[no-untyped-def]
    take_space: Callable[[], None] = lambda: None,
) -> None:
    """A student answers until a turn fails for lack of space: that turn must fail with a
    clear error and leave nothing of itself behind, and the file must stay sound."""
    (student,) = make_school(sessions, students=1).student_ids
    tutor = Tutor(sessions=sessions, pack=pack, generator=UnavailableGenerator(), seed=1)
    take_space()
    rng = Random(0)
    for turn in range(5000):
        before = _counts(sessions)
        try:
            with db.read_session(sessions) as s:
                active = db.get_active_exercise(session=s, student_id=student)
            if active is None:
                "".join(tutor.new_exercise(student))
                continue
            exercise = pack.exercise_by_id(active.exercise_id, active.seed)
            answer = wrong_answer(exercise, rng)
            "".join(tutor.respond(student, answer, submission_id=f"fill-{turn}"))
        except (db.StoreError, OperationalError) as error:
            assert _is_full(error), error
            break
    else:
        pytest.fail("the store never filled up")
    assert _counts(sessions) == before  # the failed turn left nothing partial
    assert _integrity(path) == "ok"


def test_a_full_database_size_limit_fails_cleanly_and_recovers(
    _sqlite_template: Path, tmp_path: Path, pack
) -> None:  # type: ignore[no-untyped-def]
    """A size-limited store (`PRAGMA max_page_count`): runs everywhere, no mount needed."""
    path = tmp_path / "tutor.db"
    shutil.copyfile(_sqlite_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    limit = {"pages": 0}

    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        if limit["pages"]:
            dbapi_connection.execute(f"PRAGMA max_page_count={limit['pages']}")

    try:
        sessions = db.make_session_factory(engine)
        with db.read_session(sessions) as s:
            pages = s.connection().exec_driver_sql("PRAGMA page_count").scalar()
        engine.dispose()
        limit["pages"] = int(pages) + 20  # room for the school and a few turns, then full
        _fill_and_check(sessions, path, pack)
        engine.dispose()
        limit["pages"] = 0  # space freed
    finally:
        engine.dispose()
    _recovers(path, pack)


def _recovers(path: Path, pack) -> None:  # type: ignore[no-untyped-def]
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        sessions = db.make_session_factory(engine)
        tutor = Tutor(sessions=sessions, pack=pack, generator=UnavailableGenerator(), seed=1)
        with db.read_session(sessions) as s:
            student = s.scalar(
                select(models.Student.id).where(models.Student.login_name == "pupil0")
            )
        assert student is not None
        with db.read_session(sessions) as s:
            if db.get_active_exercise(session=s, student_id=student) is None:
                "".join(tutor.new_exercise(student))
        before = _counts(sessions)
        assert _answer_turn(tutor, sessions, pack, student)
        assert _counts(sessions)[0] == before[0] + 1
    finally:
        engine.dispose()
    assert _integrity(path) == "ok"


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (needs root and a kernel that lets us mount); skipped where it cannot."""
    folder = tmp_path / "small"
    folder.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: the size-limited store test covers disk full")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({mounted.stderr.strip()}): "
            "the size-limited store test covers disk full"
        )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_fails_cleanly_and_recovers_once_space_is_freed(
    _sqlite_template: Path, small_tmpfs: Path, pack
) -> None:  # type: ignore[no-untyped-def]
    path = small_tmpfs / "tutor.db"
    shutil.copyfile(_sqlite_template, path)
    ballast = small_tmpfs / "ballast"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        sessions = db.make_session_factory(engine)

        def take_space() -> None:  # another file takes what is left of the disk
            with ballast.open("wb") as f, contextlib.suppress(OSError):
                f.write(b"\0" * (1024 * 1024))

        _fill_and_check(sessions, path, pack, take_space)
    finally:
        engine.dispose()
    ballast.unlink()  # space freed
    _recovers(path, pack)
