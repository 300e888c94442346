"""A teacher sees only their own classes and students, and every teacher read is logged:
allowed reads per student read, refused ones as denied rows."""

from __future__ import annotations

import pytest

import students_db as db
from tests.fixtures.postgres import Store


def _school(store: Store) -> dict[str, int]:
    """Two teachers, one class each, two students in the first class and one in the second."""
    with db.write_session(store.factory) as s:
        smith = db.create_teacher(session=s, username="smith", display_name="S", password_hash="h")
        jones = db.create_teacher(session=s, username="jones", display_name="J", password_hash="h")
        class_a = db.create_classroom(session=s, teacher_id=smith.id, name="A")
        class_b = db.create_classroom(session=s, teacher_id=jones.id, name="B")
        ids = {"smith": smith.id, "jones": jones.id, "class_a": class_a.id, "class_b": class_b.id}
        for name, classroom in (("ann", class_a), ("amy", class_a), ("bob", class_b)):
            student = db.create_student(
                session=s,
                classroom_id=classroom.id,
                login_name=name,
                display_name=name.title(),
                pin_hash="p",
            )
            ids[name] = student.id
            for skill, p_known in (("add", 0.5), ("mul", 0.96)):
                db.set_skill_state(
                    session=s, student_id=student.id, skill_key=skill, p_known=p_known, correct=True
                )
            db.record_attempt(
                session=s,
                student_id=student.id,
                skill_key="add",
                exercise_id="add/1",
                seed=1,
                answer="2",
                correct=True,
                misconception_id=None,
                hints_used=0,
                time_taken_ms=10,
                client_submission_id="c1",
            )
    return ids


def _log(store: Store) -> list[db.AccessLogEntry]:
    with db.read_session(store.factory) as session:
        return db.access_log_entries(session=session)


def test_teacher_query_for_a_student_outside_their_classes_returns_nothing(store: Store) -> None:
    ids = _school(store)
    with db.write_session(store.factory) as session:
        assert (
            db.student_timeline(session=session, teacher_id=ids["smith"], student_id=ids["bob"])
            == []
        )
        assert (
            db.student_for_teacher(session=session, teacher_id=ids["smith"], student_id=ids["bob"])
            is None
        )
        assert (
            db.class_mastery(session=session, teacher_id=ids["smith"], classroom_id=ids["class_b"])
            == []
        )
        assert (
            db.list_students(session=session, teacher_id=ids["smith"], classroom_id=ids["class_b"])
            == []
        )
        assert (
            db.assign_skill(
                session=session, teacher_id=ids["smith"], skill_key="add", student_id=ids["bob"]
            )
            is None
        )
        # The same teacher does see their own student.
        own = db.student_timeline(session=session, teacher_id=ids["smith"], student_id=ids["ann"])
        assert [e.attempt.student_id for e in own if e.attempt] == [ids["ann"]]
    denied = [(e.action, e.subject_student_id) for e in _log(store) if not e.allowed]
    assert denied == [
        ("student_timeline", ids["bob"]),
        ("student_profile", ids["bob"]),
        ("class_mastery", None),
        ("list_students", None),
        ("assign_skill", ids["bob"]),
    ]
    assert all(e.actor_id == ids["smith"] and e.actor_role == "teacher" for e in _log(store))


def test_class_mastery_is_the_class_by_skill_table(store: Store) -> None:
    ids = _school(store)
    with db.write_session(store.factory) as session:
        cells = db.class_mastery(
            session=session, teacher_id=ids["smith"], classroom_id=ids["class_a"]
        )
    assert [(c.display_name, c.skill_key, c.p_known) for c in cells] == [
        ("Amy", "add", 0.5),
        ("Amy", "mul", 0.96),
        ("Ann", "add", 0.5),
        ("Ann", "mul", 0.96),
    ]
    assert ids["bob"] not in {c.student_id for c in cells}


def test_every_teacher_read_appears_in_the_access_log(store: Store) -> None:
    ids = _school(store)
    smith, class_a = ids["smith"], ids["class_a"]
    with db.write_session(store.factory) as session:
        db.list_classrooms(session=session, teacher_id=smith)
        students = db.list_students(session=session, teacher_id=smith, classroom_id=class_a)
        db.class_mastery(session=session, teacher_id=smith, classroom_id=class_a)
        db.student_timeline(session=session, teacher_id=smith, student_id=ids["ann"])
        db.student_for_teacher(session=session, teacher_id=smith, student_id=ids["amy"])
    assert {s.id for s in students} == {ids["ann"], ids["amy"]}
    allowed = sorted((e.action, e.subject_student_id or 0) for e in _log(store) if e.allowed)
    assert allowed == sorted(
        [
            ("list_classrooms", 0),
            ("list_students", ids["ann"]),
            ("list_students", ids["amy"]),
            ("class_mastery", ids["ann"]),
            ("class_mastery", ids["amy"]),
            ("student_timeline", ids["ann"]),
            ("student_profile", ids["amy"]),
        ]
    )


def test_teacher_reads_need_a_write_session_because_they_log(store: Store) -> None:
    ids = _school(store)
    with pytest.raises(db.StoreError, match="access log"), db.read_session(store.factory) as s:
        db.class_mastery(session=s, teacher_id=ids["smith"], classroom_id=ids["class_a"])
    assert _log(store) == []


def test_a_failed_transaction_drops_its_log_rows_with_it(store: Store) -> None:
    """The log row and the read commit together: nothing is logged for a read never served."""
    ids = _school(store)
    with pytest.raises(RuntimeError), db.write_session(store.factory) as session:
        db.student_timeline(session=session, teacher_id=ids["smith"], student_id=ids["ann"])
        raise RuntimeError("handler failed before replying")
    assert _log(store) == []


def test_assignments_reach_the_class_and_the_student(store: Store) -> None:
    ids = _school(store)
    with db.write_session(store.factory) as session:
        db.assign_skill(
            session=session, teacher_id=ids["smith"], skill_key="mul", classroom_id=ids["class_a"]
        )
        db.assign_skill(
            session=session, teacher_id=ids["smith"], skill_key="div", student_id=ids["ann"]
        )
        with pytest.raises(ValueError, match="exactly one"):
            db.assign_skill(session=session, teacher_id=ids["smith"], skill_key="x")
    with db.read_session(store.factory) as session:
        ann = db.assignments_for_student(session=session, student_id=ids["ann"])
        amy = db.assignments_for_student(session=session, student_id=ids["amy"])
        bob = db.assignments_for_student(session=session, student_id=ids["bob"])
    assert sorted(a.skill_key for a in ann) == ["div", "mul"]
    assert [a.skill_key for a in amy] == ["mul"]
    assert bob == []
