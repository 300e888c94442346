"""Teacher reports: a teacher sees their own classes only; the figures come from the rows."""

from __future__ import annotations

import csv
import io
import json

import students_db as db
from tests import test_tutor_fixtures
from tests.test_tutor_fixtures import School, make_school
from tutor import reports

sessions = test_tutor_fixtures.sessions  # the shared fixture


def _practise(
    sessions: db.SessionFactory,
    student_id: int,
    results: list[tuple[str, bool, str | None, int]],
    skill: str = "fractions.add_like",
) -> None:
    """Attempts (answer, correct, misconception, hints) and the skill state they lead to."""
    with db.write_session(sessions) as s:
        for i, (answer, correct, misconception, hints) in enumerate(results):
            db.record_attempt(
                session=s,
                student_id=student_id,
                skill_key=skill,
                exercise_id="gen:x",
                seed=i,
                answer=answer,
                correct=correct,
                misconception_id=misconception,
                hints_used=hints,
                time_taken_ms=1000,
                client_submission_id=f"{student_id}-{skill}-{i}",
            )
        right = sum(c for _, c, _, _ in results)
        db.set_skill_state(
            session=s,
            student_id=student_id,
            skill_key=skill,
            p_known=right / len(results),
            correct=None,
        )


def _school_with_history(sessions: db.SessionFactory) -> School:
    school = make_school(sessions, students=2)
    struggling, fine = school.student_ids
    wrong = ("2/8", False, "add_denominators", 2)
    _practise(sessions, struggling, [wrong, wrong, ("3/4", True, None, 3), wrong, wrong, wrong])
    _practise(sessions, fine, [("1/2", False, None, 0)] + [("3/4", True, None, 0)] * 5)
    _practise(sessions, school.other_student_id, [("=HYPERLINK()", False, None, 0)])
    return school


def test_another_teachers_class_reports_nothing(sessions: db.SessionFactory) -> None:
    school = _school_with_history(sessions)
    other, theirs = school.other_teacher_id, school.classroom_id
    with db.write_session(sessions) as s:
        assert reports.class_mastery_frame(session=s, teacher_id=other, classroom_id=theirs).empty
        assert (
            reports.student_timeline(session=s, teacher_id=other, student_id=school.student_ids[0])
            == ()
        )
        assert reports.struggling_students(session=s, teacher_id=other, classroom_id=theirs) == ()
        assert reports.common_wrong_answers(session=s, teacher_id=other, classroom_id=theirs).empty
        assert (
            reports.session_summaries(session=s, teacher_id=other, student_id=school.student_ids[0])
            == ()
        )
        exported = reports.export_attempts_csv(session=s, teacher_id=other, classroom_id=theirs)
        assert exported.lstrip("\ufeff").strip() == ",".join(reports.ATTEMPT_COLUMNS)
        mine = reports.class_mastery_frame(
            session=s, teacher_id=school.teacher_id, classroom_id=theirs
        )
    assert set(mine["student_id"]) == set(school.student_ids)  # the same call, by the owner
    with db.read_session(sessions) as s:
        denied = [e for e in db.access_log_entries(session=s) if not e.allowed]
    assert denied and all(e.actor_id == other for e in denied)


def test_reports_of_own_class(sessions: db.SessionFactory) -> None:
    school = _school_with_history(sessions)
    struggling, fine = school.student_ids
    me, klass = school.teacher_id, school.classroom_id
    with db.write_session(sessions) as s:
        mastery = reports.class_mastery_frame(session=s, teacher_id=me, classroom_id=klass)
        flagged = reports.struggling_students(session=s, teacher_id=me, classroom_id=klass)
        wrong = reports.common_wrong_answers(session=s, teacher_id=me, classroom_id=klass)
        seen = reports.common_misconceptions(session=s, teacher_id=me, classroom_id=klass)
        timeline = reports.student_timeline(session=s, teacher_id=me, student_id=struggling)
        attempts_csv = reports.export_attempts_csv(session=s, teacher_id=me, classroom_id=klass)
        mastery_csv = reports.export_mastery_csv(session=s, teacher_id=me, classroom_id=klass)

    assert len(mastery) == 2 and mastery["p_known"].between(0, 1).all()
    grid = reports.mastery_table(mastery)
    assert grid.shape == (2, 1)

    assert [f.student_id for f in flagged] == [struggling]
    reasons = " | ".join(flagged[0].reasons)
    assert "little progress" in reasons
    assert "many hints" in reasons
    assert "repeated mistake: Adds denominators (5 times)" in reasons
    assert "add_denominators" not in reasons  # names a teacher knows, not internal ids

    top = wrong.iloc[0]
    assert (top["answer"], top["misconception_id"], top["count"]) == ("2/8", "add_denominators", 5)
    assert seen.iloc[0][["attempts", "students"]].tolist() == [5, 1]
    assert [row.kind for row in timeline].count("attempt") == 6

    assert attempts_csv.startswith("\ufeff")  # Excel reads the BOM as UTF-8
    rows = list(csv.DictReader(io.StringIO(attempts_csv.lstrip("\ufeff"))))
    assert len(rows) == 12 and set(rows[0]) == set(reports.ATTEMPT_COLUMNS)
    assert len(list(csv.DictReader(io.StringIO(mastery_csv.lstrip("\ufeff"))))) == 2


def test_csv_defuses_spreadsheet_formulas(sessions: db.SessionFactory) -> None:
    school = _school_with_history(sessions)
    with db.write_session(sessions) as s:
        text = reports.export_attempts_csv(
            session=s, teacher_id=school.other_teacher_id, classroom_id=school.other_classroom_id
        )
    (row,) = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["answer"] == "'=HYPERLINK()"


def test_session_summaries_come_back_as_stored(sessions: db.SessionFactory) -> None:
    school = make_school(sessions, students=1)
    (student,) = school.student_ids
    stored = {"skills_practised": ["Adding fractions"], "accuracy": 0.5, "hints_used": 2}
    with db.write_session(sessions) as s:
        chat = db.open_chat_session(session=s, student_id=student)
        db.end_chat_session(
            session=s, student_id=student, chat_session_id=chat.id, summary=json.dumps(stored)
        )
        db.open_chat_session(session=s, student_id=student)  # still open: not summarised
    with db.write_session(sessions) as s:
        (row,) = reports.session_summaries(
            session=s, teacher_id=school.teacher_id, student_id=student
        )
    assert row.summary == stored and row.student == "Pupil 0"
