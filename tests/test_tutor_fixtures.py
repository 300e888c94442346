"""Shared fixtures of the tutor's tests (imported by the `test_tutor_*` / `test_reports_*`
modules): a real SQLite file at the head revision, and a small school in it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import students_db as db


@pytest.fixture
def sessions(_sqlite_template: Path, tmp_path: Path) -> Iterator[db.SessionFactory]:
    """A session factory on a fresh SQLite file (a copy of the migrated template)."""
    path = tmp_path / "tutor.db"
    shutil.copyfile(_sqlite_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        yield db.make_session_factory(engine)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class School:
    teacher_id: int
    classroom_id: int
    join_code: str
    student_ids: tuple[int, ...]
    other_teacher_id: int
    other_classroom_id: int
    other_student_id: int


def make_school(sessions: db.SessionFactory, students: int = 2) -> School:
    """Two teachers with one class each; hashes are placeholders (no login in these tests)."""
    with db.write_session(sessions) as s:
        smith = db.create_teacher(
            session=s, username="smith", display_name="Ms Smith", password_hash="x"
        )
        jones = db.create_teacher(
            session=s, username="jones", display_name="Mr Jones", password_hash="x"
        )
        a = db.create_classroom(session=s, teacher_id=smith.id, name="5A")
        b = db.create_classroom(session=s, teacher_id=jones.id, name="5B")
        ids = tuple(
            db.create_student(
                session=s,
                classroom_id=a.id,
                login_name=f"pupil{i}",
                display_name=f"Pupil {i}",
                pin_hash="x",
                grade_level=5,
            ).id
            for i in range(students)
        )
        other = db.create_student(
            session=s, classroom_id=b.id, login_name="bob", display_name="Bob", pin_hash="x"
        )
    return School(smith.id, a.id, a.join_code, ids, jones.id, b.id, other.id)
