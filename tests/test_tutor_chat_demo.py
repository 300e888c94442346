"""The terminal chat loop and the demo seed, driven without a terminal: real store, real pack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import students_db as db
from tests import test_tutor_fixtures
from tests.test_tutor_fixtures import make_school
from tutor import accounts, reports
from tutor.chat import run_chat
from tutor.cli import app as cli_app
from tutor.curriculum import load_default_pack
from tutor.demo import seed_demo
from tutor.generation import UnavailableGenerator
from tutor.settings import Settings
from tutor.tutor import Tutor

sessions = test_tutor_fixtures.sessions  # the shared fixture


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_default_pack()


def test_chat_commands_and_answers(sessions: db.SessionFactory, pack) -> None:  # type: ignore[no-untyped-def]
    (student,) = make_school(sessions, students=1).student_ids
    tutor = Tutor(sessions=sessions, pack=pack, generator=UnavailableGenerator(), seed=2)
    lines = iter(["/hint", "/solution", "/progress", "/style short", "/style loud", "", "abc?",
                  "\x00", "/nope", "/quit", "never read"])  # fmt: skip
    written: list[str] = []
    run_chat(tutor, student, read=lambda _prompt: next(lines), write=written.append, name="ana")
    out = "".join(written)
    assert "Next up:" in out  # a first exercise is opened at once
    assert "Your exercise:" in out  # /hint: a rung of the ladder, then the exercise again
    assert "try an answer of your own" in out  # /solution refused: no attempt yet
    assert "Mastery (* = mastered)" in out and "explain things short" in out
    assert re.search(r" \d+% ", out) and not re.search(r" 0\.\d\d ", out)  # as the panel
    assert "Styles: step-by-step, short, example" in out
    assert "characters I cannot read" in out  # the NUL message was refused, the loop went on
    assert "Unknown command /nope" in out
    assert out.rstrip().endswith("Bye!") and "Session summary:" in out
    assert next(lines) == "never read"


def test_demo_seed_gives_reports_data(sessions: db.SessionFactory, pack) -> None:  # type: ignore[no-untyped-def]
    school = seed_demo(sessions=sessions, pack=pack, students=3, turns=12, seed=1)
    # Wrong answers open sub-step questions; a reply to one is not an attempt, so fewer than
    # the 36 answers played are recorded.
    assert 12 <= school.attempts <= 36 and len(school.students) == 3
    teacher = accounts.authenticate(
        sessions=sessions, username=school.teacher_username, password=school.teacher_password
    )
    assert teacher is not None and teacher.role == "teacher"
    first = school.students[0]
    pupil = accounts.authenticate(
        sessions=sessions, username=f"{school.join_code}/{first.login}", password=first.pin
    )
    assert pupil is not None and pupil.id == first.student_id
    with db.write_session(sessions) as s:
        (klass,) = db.teacher.list_classrooms(session=s, teacher_id=teacher.id)
        mastery = reports.class_mastery_frame(
            session=s, teacher_id=teacher.id, classroom_id=klass.id
        )
        attempts = reports.attempts_frame(session=s, teacher_id=teacher.id, classroom_id=klass.id)
        summaries = reports.session_summaries(
            session=s, teacher_id=teacher.id, student_id=first.student_id
        )
    assert set(mastery["student_id"]) == {s.student_id for s in school.students}
    assert len(attempts) == school.attempts
    assert attempts["correct"].any() and not attempts["correct"].all()
    assert summaries and summaries[0].summary["attempts"] > 0
    again = seed_demo(sessions=sessions, pack=pack, students=1, turns=0, seed=2)
    assert again.teacher_username == "demo-teacher-2"  # seeding twice makes a second school


def test_cli_chat_opens_the_store_like_every_command(tmp_path: Path) -> None:
    """`tutor chat` goes through the CLI's one `open_store`: an empty database is refused with
    the upgrade hint (exit 1), an unknown student is named, a real one chats and says bye."""
    runner = CliRunner()
    settings = Settings(data_dir=tmp_path)
    refused = runner.invoke(cli_app, ["chat", "--student", "ABCD1234/ada", "--templates"],
                            obj=settings)  # fmt: skip
    assert refused.exit_code == 1 and "tutor db upgrade" in refused.output
    assert runner.invoke(cli_app, ["db", "upgrade"], obj=settings).exit_code == 0
    url = settings.resolved_database_url
    engine = db.make_engine(url)
    store = db.make_session_factory(engine)
    teacher = accounts.create_teacher(sessions=store, username="t-cli", password="long enough pw")
    room = accounts.create_class(sessions=store, teacher_id=teacher.id, name="Cli class")
    ((login, _pin),) = accounts.add_students(
        sessions=store, teacher_id=teacher.id, classroom_id=room.id, names=["Ada"]
    )
    engine.dispose()
    unknown = runner.invoke(
        cli_app, ["chat", "--student", f"{room.join_code}/nobody", "--templates"], obj=settings
    )
    assert unknown.exit_code == 1 and "No active student 'nobody'" in unknown.output
    chatted = runner.invoke(
        cli_app,
        ["chat", "--student", login, "--class", room.join_code, "--templates"],
        obj=settings,
        input="/progress\n/quit\n",
    )
    assert chatted.exit_code == 0, chatted.output
    assert f"Hello {login}!" in chatted.output and chatted.output.rstrip().endswith("Bye!")


def test_app_demo_seeds_in_a_thread_on_the_prepared_database(tmp_path: Path) -> None:
    """`python app.py --demo` (tutor.demo_start): the database is migrated and the pack loaded
    before the seeding starts; the school's logins work; a seeding error reaches the caller."""
    from tutor.demo_start import start_demo_seed

    seeding = start_demo_seed(Settings(data_dir=tmp_path), students=2, turns=2)
    school = seeding.result(timeout_s=120)
    assert seeding.database.migrated and seeding.pack.skills
    assert [s.login for s in school.students] == ["ada", "ben"]
    store = db.make_session_factory(seeding.database.engine)
    first = school.students[0]
    who = accounts.authenticate(
        sessions=store, username=f"{school.join_code}/{first.login}", password=first.pin
    )
    assert who is not None and who.id == first.student_id
    seeding.database.engine.dispose()
    broken = start_demo_seed(Settings(data_dir=tmp_path / "other"), students=0)
    with pytest.raises(ValueError, match="--students"):
        broken.result(timeout_s=60)
    broken.database.engine.dispose()
