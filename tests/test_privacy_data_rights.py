"""A student's data rights: the export holds all of their data and nothing of anyone else's;
erasure leaves none of their rows in any table (checked table by table from the schema), a
content-free tombstone, and no way to log in; retention deletes old chat messages."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from typer.testing import CliRunner

import students_db as db
from students_db import models
from students_db.teacher import assign_skill
from tests import test_tutor_fixtures
from tutor import accounts
from tutor.cli import app as cli_app
from tutor.curriculum import load_default_pack
from tutor.demo import DemoSchool, seed_demo
from tutor.maintenance import run_maintenance
from tutor.privacy import delete_student, export_student, purge_old_messages

sessions = test_tutor_fixtures.sessions  # the shared fixture

# Tables that hold nothing about any one student (checked: a new table must be placed here or
# be found as a student's table by `students_db.student_tables`, or the erasure test fails).
NOT_ABOUT_A_STUDENT = {"teachers", "classrooms", "skill_params"}


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_default_pack()


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", lambda: cheap)


@dataclass(frozen=True)
class Seeded:
    school: DemoSchool
    ada: int
    ben: int
    ada_login: str
    ada_pin: str
    other_teacher: int


def _seed(sessions: db.SessionFactory, pack) -> Seeded:  # type: ignore[no-untyped-def]
    school = seed_demo(sessions=sessions, pack=pack, students=2, turns=8, seed=3)
    ada, ben = school.students
    skill = next(iter(pack.skills))
    with db.write_session(sessions) as session:
        teacher = db.get_teacher_login(session=session, username=school.teacher_username)
        assert teacher is not None
        for student in (ada, ben):
            assign_skill(
                session=session,
                teacher_id=teacher.id,
                skill_key=skill,
                student_id=student.student_id,
            )
        other = db.create_teacher(
            session=session, username="other", display_name="Other", password_hash="x"
        )
    for student in (ada, ben):  # a wrong PIN each: login counters about both
        user = f"{school.join_code}/{student.login}"
        assert accounts.authenticate(sessions=sessions, username=user, password="nope") is None
    return Seeded(
        school, ada.student_id, ben.student_id, f"{school.join_code}/{ada.login}", ada.pin, other.id
    )


def _key(seeded: Seeded, login: str) -> str:
    return accounts.login_key(f"{seeded.school.join_code}/{login}")


def _counts(sessions: db.SessionFactory, student_id: int, key: str) -> dict[str, int]:
    with db.read_session(sessions) as session:
        return db.count_student_rows(session=session, student_id=student_id, username_keys=[key])


def test_every_table_is_either_about_a_student_or_listed_as_not() -> None:
    found = {table.name for table in db.student_tables()}
    assert found.isdisjoint(NOT_ABOUT_A_STUDENT)
    assert found | NOT_ABOUT_A_STUDENT == set(models.Base.metadata.tables)


def test_the_export_holds_all_of_the_student_and_nothing_of_anyone_else(
    sessions: db.SessionFactory, pack
) -> None:  # type: ignore[no-untyped-def]
    seeded = _seed(sessions, pack)
    before = _counts(sessions, seeded.ada, _key(seeded, "ada"))
    exported = export_student(sessions=sessions, student_id=seeded.ada)
    assert exported is not None

    for table in ("attempts", "messages", "skill_states", "chat_sessions", "assignments"):
        assert exported.rows(table), f"the demo student has {table}"
        assert {row["student_id"] for row in exported.rows(table)} == {seeded.ada}
    assert [row["id"] for row in exported.rows("students")] == [seeded.ada]
    assert {row["subject_student_id"] for row in exported.rows("access_log")} == {seeded.ada}
    assert [row["username_key"] for row in exported.rows("login_attempts")] == [_key(seeded, "ada")]
    # Every row about her, as counted by the erasure check (plus the export's own log row).
    for dump in exported.tables:
        extra = 1 if dump.table == "access_log" else 0
        assert len(dump.rows) == before[dump.table] + extra, dump.table

    document = exported.to_json()
    parsed = json.loads(document)
    assert parsed["student_id"] == seeded.ada
    assert "pin_hash" not in document and "argon2" not in document
    assert "/ben" not in document and '"ben"' not in document
    assert not any(
        f"demo-{seeded.ben}-" in row["client_submission_id"] for row in exported.rows("attempts")
    )
    files = exported.to_csv_files()
    assert set(files) == {f"{dump.table}.csv" for dump in exported.tables}
    for dump in exported.tables:
        rows = list(csv.reader(io.StringIO(files[f"{dump.table}.csv"])))
        assert rows[0] == list(dump.columns) and len(rows) == len(dump.rows) + 1
        assert "pin_hash" not in rows[0]


def test_erasure_removes_every_row_leaves_a_tombstone_and_blocks_login(
    sessions: db.SessionFactory, pack
) -> None:  # type: ignore[no-untyped-def]
    seeded = _seed(sessions, pack)
    ben_before = _counts(sessions, seeded.ben, _key(seeded, "ben"))
    with db.read_session(sessions) as session:
        log_before = db.access_log_entries(session=session, subject_student_id=seeded.ada)

    assert delete_student(sessions=sessions, student_id=seeded.ada, requested_by="test")

    after = _counts(sessions, seeded.ada, _key(seeded, "ada"))
    assert set(after) == {t.name for t in db.student_tables()}
    for table, count in after.items():
        if table != "access_log":
            assert count == 0, f"{table} still holds {count} rows of the erased student"
    with db.read_session(sessions) as session:
        log_after = db.access_log_entries(session=session, subject_student_id=seeded.ada)
    assert log_after[: len(log_before)] == log_before  # the append-only log keeps its rows
    tombstone = log_after[-1]
    assert (tombstone.action, tombstone.actor_role, tombstone.detail, tombstone.allowed) == (
        "delete_student",
        "admin",
        "",
        True,
    )
    for entry in log_after:  # content-free: ids, action names, class ids
        assert entry.detail == "" or entry.detail.startswith("classroom ")
    # Nobody else lost anything.
    assert _counts(sessions, seeded.ben, _key(seeded, "ben")) == ben_before
    # She cannot log in with her own PIN any more.
    found = accounts.authenticate(
        sessions=sessions, username=seeded.ada_login, password=seeded.ada_pin
    )
    assert found is None
    assert not delete_student(sessions=sessions, student_id=seeded.ada)  # already gone
    assert export_student(sessions=sessions, student_id=seeded.ada) is None


def test_a_teacher_may_export_and_erase_only_their_own_students(
    sessions: db.SessionFactory, pack
) -> None:  # type: ignore[no-untyped-def]
    seeded = _seed(sessions, pack)
    with db.read_session(sessions) as session:
        owner = db.get_teacher_login(session=session, username=seeded.school.teacher_username)
    assert owner is not None
    with pytest.raises(PermissionError):
        export_student(sessions=sessions, student_id=seeded.ada, teacher_id=seeded.other_teacher)
    with pytest.raises(PermissionError):
        delete_student(sessions=sessions, student_id=seeded.ada, teacher_id=seeded.other_teacher)
    with pytest.raises(PermissionError):  # an id that does not exist looks the same
        export_student(sessions=sessions, student_id=99999, teacher_id=seeded.other_teacher)
    assert _counts(sessions, seeded.ada, _key(seeded, "ada"))["attempts"] > 0
    with db.read_session(sessions) as session:
        denied = db.access_log_entries(session=session, actor_id=seeded.other_teacher)
    assert [(e.action, e.subject_student_id, e.allowed) for e in denied][-3:] == [
        ("export_student", seeded.ada, False),
        ("delete_student", seeded.ada, False),
        ("export_student", 99999, False),
    ]

    exported = export_student(sessions=sessions, student_id=seeded.ada, teacher_id=owner.id)
    assert exported is not None and exported.rows("attempts")
    assert delete_student(sessions=sessions, student_id=seeded.ada, teacher_id=owner.id)
    with db.read_session(sessions) as session:
        tombstone = db.access_log_entries(session=session, subject_student_id=seeded.ada)[-1]
    assert (tombstone.action, tombstone.actor_role, tombstone.actor_id) == (
        "delete_student",
        "teacher",
        owner.id,
    )


def test_retention_deletes_only_messages_older_than_the_setting(
    sessions: db.SessionFactory, pack
) -> None:  # type: ignore[no-untyped-def]
    seeded = _seed(sessions, pack)
    now = datetime.now(UTC)
    with db.write_session(sessions) as session:  # age Ada's messages by 40 days
        session.execute(
            update(models.Message)
            .where(models.Message.student_id == seeded.ada)
            .values(created_at=now - timedelta(days=40))
        )
    with db.read_session(sessions) as session:
        total = session.scalar(select(func.count()).select_from(models.Message))
        old = session.scalar(select(func.count()).where(models.Message.student_id == seeded.ada))
    assert old and total and total > old
    assert purge_old_messages(sessions=sessions, older_than_days=60, now=now) == 0
    report = run_maintenance(sessions=sessions, message_retention_days=30, now=now)
    assert report.messages_deleted == old
    with db.read_session(sessions) as session:
        left = session.scalar(select(func.count()).select_from(models.Message))
    assert left == total - old
    with pytest.raises(ValueError):
        purge_old_messages(sessions=sessions, older_than_days=0)


def test_cli_export_then_delete_by_class_code_and_name(
    sessions: db.SessionFactory, pack, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    seeded = _seed(sessions, pack)
    url = str(sessions.engine.url)
    env = {"DATABASE_URL": url, "TUTOR_DATA_DIR": str(tmp_path)}
    runner = CliRunner()

    exported = runner.invoke(
        cli_app, ["export", "--student", seeded.ada_login, "--to", str(tmp_path / "out")], env=env
    )
    assert exported.exit_code == 0, exported.output
    document = json.loads((tmp_path / "out" / "student.json").read_text())
    assert document["tables"]["students"][0]["id"] == seeded.ada
    assert (tmp_path / "out" / "attempts.csv").exists()

    refused = runner.invoke(cli_app, ["delete", "--student", seeded.ada_login], env=env)
    assert refused.exit_code == 1 and "--yes" in refused.output
    assert _counts(sessions, seeded.ada, _key(seeded, "ada"))["students"] == 1

    deleted = runner.invoke(cli_app, ["delete", "--student", seeded.ada_login, "--yes"], env=env)
    assert deleted.exit_code == 0, deleted.output
    assert _counts(sessions, seeded.ada, _key(seeded, "ada"))["students"] == 0
    again = runner.invoke(cli_app, ["delete", "--student", seeded.ada_login, "--yes"], env=env)
    assert again.exit_code == 1 and "no student" in again.output
    bad = runner.invoke(cli_app, ["export", "--student", "nonsense"], env=env)
    assert bad.exit_code == 2
