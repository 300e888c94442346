"""The teacher service: readable logins, PIN reset and unlock, assignments, safe CSVs,
reports in names a teacher knows, and `NotYours` for anything of another teacher's."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

import students_db as db
from tests import test_tutor_fixtures
from tests.test_tutor_fixtures import make_school
from tutor import accounts
from tutor.classroom import Classroom, ClassroomInputError, NotYours, mastery_band
from tutor.curriculum import load_default_pack
from tutor.logins import MAX_LOGIN_CHARS, fold, logins_for
from tutor.spreadsheet import csv_text, defuse, file_name

sessions = test_tutor_fixtures.sessions  # the shared fixture


@pytest.fixture(scope="module")
def pack():
    return load_default_pack()


def test_logins_are_readable_from_accented_names() -> None:
    assert fold("Zoë Brontë") == "zoe.bronte"
    assert fold("José Núñez") == "jose.nunez"
    assert fold("Øyvind Straße") == "oyvind.strasse"
    assert len(fold("A" * 70)) <= MAX_LOGIN_CHARS
    assert fold("Jean-Pierre de la Fontaine-Marchand") == "jean.pierre.de.la"


def test_non_latin_names_get_a_fallback_not_a_failed_batch() -> None:
    assert logins_for(["李明", "李明", "Ada", "ada"], taken=["student.1"]) == [
        "student.2",
        "student.3",
        "ada",
        "ada.2",
    ]


def test_add_students_uses_readable_logins_and_they_log_in(
    sessions: db.SessionFactory, pack
) -> None:
    school = make_school(sessions, students=0)
    service = Classroom(sessions=sessions, pack=pack)
    room, created = service.add_students(
        school.teacher_id, school.classroom_id, "Zoë Brontë\n\n李明\n" + "x" * 70
    )
    logins = [n.login.split("/")[1] for n in created]
    assert logins[:2] == ["zoe.bronte", "student.1"]
    assert len(logins[2]) <= MAX_LOGIN_CHARS
    first = created[0]
    who = accounts.authenticate(sessions=sessions, username=first.login, password=first.pin)
    assert who is not None and who.role == "student"
    # The same names again: still distinct logins, nothing fails.
    _room, again = service.add_students(school.teacher_id, school.classroom_id, "Zoë Brontë")
    assert again[0].login.endswith("/zoe.bronte.2")
    assert room.id == school.classroom_id


def test_another_teachers_class_or_student_is_not_yours(sessions: db.SessionFactory, pack) -> None:
    school = make_school(sessions, students=1)
    service = Classroom(sessions=sessions, pack=pack)
    with pytest.raises(NotYours):
        service.add_students(school.other_teacher_id, school.classroom_id, "Eve")
    with pytest.raises(NotYours):
        service.reset_pin(school.other_teacher_id, school.student_ids[0])
    with pytest.raises(NotYours):
        service.class_report(school.other_teacher_id, school.classroom_id)
    with pytest.raises(NotYours):
        service.student_report(school.other_teacher_id, school.student_ids[0])
    with pytest.raises(NotYours):
        service.export_attempts(school.other_teacher_id, school.classroom_id)
    with pytest.raises(ClassroomInputError):
        service.create_class(school.teacher_id, "   ")


def test_reset_pin_shows_a_new_pin_once_and_unlocks(sessions: db.SessionFactory, pack) -> None:
    school = make_school(sessions, students=0)
    service = Classroom(sessions=sessions, pack=pack)
    _room, (ada,) = service.add_students(school.teacher_id, school.classroom_id, "Ada")
    for _ in range(accounts.LOCKOUT_FAILURES):
        accounts.authenticate(sessions=sessions, username=ada.login, password="000000x")
    assert service.locked_until(ada.login) is not None
    student_id = service.students(school.teacher_id, school.classroom_id)[0].id
    assert service.unlock(school.teacher_id, student_id) is True
    assert service.locked_until(ada.login) is None
    assert accounts.authenticate(sessions=sessions, username=ada.login, password=ada.pin)

    fresh = service.reset_pin(school.teacher_id, student_id)
    assert fresh.login == ada.login and fresh.pin.isdigit()
    assert accounts.authenticate(sessions=sessions, username=ada.login, password=fresh.pin)
    if fresh.pin != ada.pin:
        assert not accounts.authenticate(sessions=sessions, username=ada.login, password=ada.pin)


def test_logins_csv_is_spreadsheet_safe(sessions: db.SessionFactory, pack) -> None:
    school = make_school(sessions, students=0)
    moment = datetime(2026, 12, 1, 9, tzinfo=UTC)
    service = Classroom(sessions=sessions, pack=pack, clock=lambda: moment)
    room, created = service.add_students(
        school.teacher_id, school.classroom_id, 'Zoë Brontë\n=HYPERLINK("x")'
    )
    download = service.logins_csv(room, created)
    assert download.name == f"logins-{file_name(room.name, day=moment.date())}"
    raw = download.text.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel shows "Zoë"
    rows = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert rows[0] == ["name", "login", "PIN"]
    assert rows[1][0] == "Zoë Brontë"
    assert rows[1][2] == f'="{created[0].pin}"'  # leading zeros survive a spreadsheet
    assert rows[2][0].startswith("'=")  # a formula shown, never run


def test_defuse_keeps_answers_and_stops_formulas() -> None:
    assert defuse("-3") == "-3" and defuse("+1/2") == "+1/2"
    assert defuse("=1+1") == "'=1+1" and defuse("@SUM(A1)") == "'@SUM(A1)"
    assert csv_text(["PIN"], [["012345"]], text_columns=["PIN"]).endswith('"=""012345"""\r\n')
    assert file_name("Année 6 / B", day=datetime(2026, 1, 2).date()) == "annee-6-b-2026-01-02.csv"


def test_class_report_names_skills_and_shows_students_not_started(
    sessions: db.SessionFactory, pack
) -> None:
    school = make_school(sessions, students=2)
    started, idle = school.student_ids
    skill = next(iter(pack.skills))
    with db.write_session(sessions) as s:
        db.set_skill_state(
            session=s, student_id=started, skill_key=skill, p_known=0.3, correct=None
        )
    service = Classroom(sessions=sessions, pack=pack)
    report = service.class_report(school.teacher_id, school.classroom_id)
    assert list(report.grid.columns) == [pack.skills[skill].name]  # the name, not the key
    assert len(report.grid.index) == 2  # the student who has not started has a row too
    assert mastery_band(0.3) == "needs practice" and mastery_band(0.99) == "mastered"


def test_assignments_say_to_whom_are_listed_and_removed(sessions: db.SessionFactory, pack) -> None:
    school = make_school(sessions, students=1)
    service = Classroom(sessions=sessions, pack=pack)
    key = list(pack.skills)[-1]
    said = service.assign(school.teacher_id, school.classroom_id, None, key)
    assert pack.skills[key].name in said and "whole class" in said
    student_said = service.assign(
        school.teacher_id, school.classroom_id, school.student_ids[0], key
    )
    assert "Pupil 0" in student_said
    listed = service.assignments(school.teacher_id, school.classroom_id)
    assert {a.to_whom for a in listed} == {"the whole class", "Pupil 0"}
    with pytest.raises(NotYours):
        service.unassign(school.other_teacher_id, listed[0].id)
    service.unassign(school.teacher_id, listed[0].id)
    assert len(service.assignments(school.teacher_id, school.classroom_id)) == 1


def test_student_report_shows_the_open_session_live(sessions: db.SessionFactory, pack) -> None:
    school = make_school(sessions, students=1)
    (student,) = school.student_ids
    with db.write_session(sessions) as s:
        db.open_chat_session(session=s, student_id=student)
    now = datetime.now(UTC) + timedelta(minutes=5)
    service = Classroom(sessions=sessions, pack=pack, clock=lambda: now)
    report = service.student_report(school.teacher_id, student)
    assert report.summaries.iloc[0]["started"] == "now (in progress)"
    assert report.summaries.iloc[0]["summary"]
