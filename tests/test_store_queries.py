"""Store query functions, on SQLite and on PostgreSQL: what goes in comes out, as frozen records,
double submits record once, bad input is refused with a clear error, and deleting a student
removes their rows (but not the access log)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

import students_db as db
from students_db import models
from tests.fixtures.postgres import Store


@dataclasses.dataclass(frozen=True)
class Seeded:
    teacher: db.TeacherRecord
    classroom: db.ClassroomRecord
    student: db.StudentRecord


def _seed(store: Store, *, username: str = "smith", login: str = "ann") -> Seeded:
    with db.write_session(store.factory) as session:
        teacher = db.create_teacher(
            session=session, username=username, display_name="Ms Smith", password_hash="h$t"
        )
        classroom = db.create_classroom(session=session, teacher_id=teacher.id, name="7B")
        student = db.create_student(
            session=session,
            classroom_id=classroom.id,
            login_name=login,
            display_name=login.title(),
            pin_hash="h$p",
            grade_level=7,
            preferences={"style": "step-by-step"},
        )
    return Seeded(teacher, classroom, student)


def _attempt(store: Store, student_id: int, submission: str, **overrides) -> db.RecordedAttempt:
    values = dict(
        skill_key="fractions.add",
        exercise_id="fractions.add/1",
        seed=42,
        answer="3/4",
        correct=True,
        misconception_id=None,
        hints_used=0,
        time_taken_ms=1500,
        client_submission_id=submission,
    )
    values.update(overrides)
    with db.write_session(store.factory) as session:
        return db.record_attempt(session=session, student_id=student_id, **values)


def test_logins_find_hashes_by_join_code_and_name(store: Store) -> None:
    seeded = _seed(store)
    code = seeded.classroom.join_code
    assert len(code) == 8 and not set(code) & set("01OIL")
    with db.read_session(store.factory) as session:
        login = db.get_student_login(
            session=session, join_code=f" {code.lower()} ", login_name="ANN"
        )
        teacher = db.get_teacher_login(session=session, username="Smith")
        assert db.get_student_login(session=session, join_code="XXXXXXXX", login_name="ann") is None
    assert login == db.StudentLogin(
        id=seeded.student.id,
        classroom_id=seeded.classroom.id,
        login_name="ann",
        pin_hash="h$p",
        active=True,
        credential_version=login.credential_version,  # random at creation (issue 13)
    )
    assert teacher is not None and teacher.password_hash == "h$t"
    assert seeded.student.preferences == {"style": "step-by-step"}
    assert seeded.student.created_at.tzinfo is not None


def test_records_are_frozen(store: Store) -> None:
    seeded = _seed(store)
    with pytest.raises(dataclasses.FrozenInstanceError):
        seeded.student.display_name = "Mallory"  # type: ignore[misc]


def test_duplicate_login_in_a_class_is_refused_and_loses_nothing(store: Store) -> None:
    seeded = _seed(store)
    with (
        pytest.raises(db.InvalidInput, match="already has a student"),
        db.write_session(store.factory) as session,
    ):
        db.create_student(
            session=session,
            classroom_id=seeded.classroom.id,
            login_name="Ann",
            display_name="Other Ann",
            pin_hash="x",
        )
    with db.read_session(store.factory) as session:
        assert session.scalar(select(func.count()).select_from(models.Student)) == 1


def test_double_submit_records_once_and_returns_the_first(store: Store) -> None:
    student_id = _seed(store).student.id
    first = _attempt(store, student_id, "sub-1", answer="3/4")
    again = _attempt(store, student_id, "sub-1", answer="different")
    assert first.recorded and not again.recorded
    assert again.attempt == first.attempt and again.attempt.answer == "3/4"
    other = _attempt(store, student_id, "sub-2", correct=False, misconception_id="add-denoms")
    assert other.recorded and other.attempt.id != first.attempt.id
    with db.read_session(store.factory) as session:
        recent = db.recent_attempts(session=session, student_id=student_id)
    assert [a.client_submission_id for a in recent] == ["sub-2", "sub-1"]
    assert recent[0].misconception_id == "add-denoms"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "exam"}, "kind must be one of"),
        ({"hints_used": -1}, "hints_used must not be negative"),
        ({"client_submission_id": ""}, "client_submission_id"),
    ],
)
def test_bad_attempts_are_refused(store: Store, overrides: dict, message: str) -> None:
    student_id = _seed(store).student.id
    with pytest.raises(db.InvalidInput, match=message):
        _attempt(store, student_id, "s", **{"client_submission_id": "s", **overrides})


def test_attempt_for_an_unknown_student_is_refused(store: Store) -> None:
    with pytest.raises(db.NotFound):
        _attempt(store, 999, "s")


def test_skill_state_upsert_counts_answers(store: Store) -> None:
    student_id = _seed(store).student.id
    with db.write_session(store.factory) as session:
        db.set_skill_state(
            session=session, student_id=student_id, skill_key="a", p_known=0.3, correct=True
        )
        db.set_skill_state(
            session=session, student_id=student_id, skill_key="a", p_known=0.2, correct=False
        )
        db.set_skill_state(
            session=session, student_id=student_id, skill_key="b", p_known=0.1, correct=None
        )
    with db.read_session(store.factory) as session:
        states = db.get_skill_states(session=session, student_id=student_id)
    assert list(states) == ["a", "b"]
    assert (states["a"].p_known, states["a"].attempts_count, states["a"].correct_count) == (
        0.2,
        2,
        1,
    )
    assert (states["b"].attempts_count, states["b"].correct_count) == (0, 0)
    with (
        pytest.raises(db.InvalidInput, match="probability"),
        db.write_session(store.factory) as session,
    ):
        db.set_skill_state(
            session=session, student_id=student_id, skill_key="a", p_known=1.5, correct=True
        )


def test_review_cards_upsert_and_due_filter(store: Store) -> None:
    student_id = _seed(store).student.id
    now = datetime.now(UTC)
    with db.write_session(store.factory) as session:
        db.upsert_review_card(
            session=session, student_id=student_id, skill_key="a", card={"s": 1}, due_at=now
        )
        db.upsert_review_card(
            session=session,
            student_id=student_id,
            skill_key="a",
            card={"s": 2, "nested": [1, 2]},
            due_at=now - timedelta(days=1),
        )
        db.upsert_review_card(
            session=session,
            student_id=student_id,
            skill_key="b",
            card={"s": 3},
            due_at=now + timedelta(days=3),
        )
    with db.read_session(store.factory) as session:
        due = db.get_review_cards(session=session, student_id=student_id, due_before=now)
        every = db.get_review_cards(session=session, student_id=student_id)
    assert [(c.skill_key, c.card) for c in due] == [("a", {"s": 2, "nested": [1, 2]})]
    assert [c.skill_key for c in every] == ["a", "b"]
    assert due[0].due_at == now - timedelta(days=1)


def test_active_exercise_lifecycle(store: Store) -> None:
    student_id = _seed(store).student.id
    with db.write_session(store.factory) as session:
        db.set_active_exercise(
            session=session,
            student_id=student_id,
            skill_key="a",
            exercise_id="a/1",
            seed=1,
            kind="practice",
            reason="least mastered unlocked skill",
        )
        db.update_active_exercise(session=session, student_id=student_id, add_hints=1)
        db.update_active_exercise(
            session=session, student_id=student_id, add_wrong_attempts=2, solution_shown=True
        )
    with db.read_session(store.factory) as session:
        active = db.get_active_exercise(session=session, student_id=student_id)
    assert active is not None
    assert (active.hints_used, active.wrong_attempts, active.solution_shown) == (1, 2, True)
    with db.write_session(store.factory) as session:
        replaced = db.set_active_exercise(
            session=session,
            student_id=student_id,
            skill_key="b",
            exercise_id="b/9",
            seed=9,
            kind="review",
            reason="due review",
        )
        assert (replaced.skill_key, replaced.hints_used) == ("b", 0)
        assert db.clear_active_exercise(session=session, student_id=student_id)
        assert not db.clear_active_exercise(session=session, student_id=student_id)
        assert db.get_active_exercise(session=session, student_id=student_id) is None


def test_chat_messages_pending_then_finished(store: Store) -> None:
    student_id = _seed(store).student.id
    with db.write_session(store.factory) as session:
        chat = db.open_chat_session(session=session, student_id=student_id, model_available=False)
        assert db.current_chat_session(session=session, student_id=student_id) == chat
        db.add_message(
            session=session,
            student_id=student_id,
            chat_session_id=chat.id,
            role="student",
            text="hi",
        )
        pending = db.add_message(
            session=session,
            student_id=student_id,
            chat_session_id=chat.id,
            role="tutor",
            text="",
            task="explain",
            adapter="explain-v1",
            status="pending",
        )
    with db.write_session(store.factory) as session:
        done = db.finish_message(
            session=session,
            student_id=student_id,
            message_id=pending.id,
            text="Add the numerators.",
            status="fallback",
            prompt_tokens=120,
            completion_tokens=9,
            latency_ms=800,
        )
        ended = db.end_chat_session(
            session=session, student_id=student_id, chat_session_id=chat.id, summary="fractions"
        )
    assert (done.status, done.adapter, done.completion_tokens) == ("fallback", "explain-v1", 9)
    assert ended.ended_at is not None and ended.summary == "fractions"
    with db.read_session(store.factory) as session:
        assert db.current_chat_session(session=session, student_id=student_id) is None
        ended_sessions = db.chat_sessions_of(
            session=session, student_id=student_id, ended_only=True
        )
    assert [c.id for c in ended_sessions] == [chat.id]
    assert not ended.model_available
    with db.read_session(store.factory) as session:
        messages = db.recent_messages(session=session, student_id=student_id, limit=10)
    assert [(m.role, m.text) for m in messages] == [
        ("student", "hi"),
        ("tutor", "Add the numerators."),
    ]


def test_a_student_cannot_write_into_another_students_chat(store: Store) -> None:
    ann = _seed(store).student.id
    bob = _seed(store, username="jones", login="bob").student.id
    with db.write_session(store.factory) as session:
        chat = db.open_chat_session(session=session, student_id=ann)
        message = db.add_message(
            session=session, student_id=ann, chat_session_id=chat.id, role="student", text="x"
        )
    with pytest.raises(db.NotFound), db.write_session(store.factory) as session:
        db.add_message(
            session=session, student_id=bob, chat_session_id=chat.id, role="student", text="y"
        )
    with pytest.raises(db.NotFound), db.write_session(store.factory) as session:
        db.finish_message(
            session=session, student_id=bob, message_id=message.id, text="z", status="ok"
        )
    with db.read_session(store.factory) as session:
        assert db.recent_messages(session=session, student_id=bob) == []


def test_learner_context_gathers_one_students_state(store: Store) -> None:
    seeded = _seed(store)
    other = _seed(store, username="jones", login="bob").student.id
    ann = seeded.student.id
    _attempt(store, ann, "s1", correct=False, misconception_id="add-denoms")
    _attempt(store, other, "s1")
    with db.write_session(store.factory) as session:
        db.set_skill_state(
            session=session, student_id=ann, skill_key="a", p_known=0.4, correct=False
        )
        db.set_skill_state(
            session=session, student_id=other, skill_key="z", p_known=0.9, correct=True
        )
        db.upsert_review_card(
            session=session,
            student_id=ann,
            skill_key="a",
            card={},
            due_at=datetime.now(UTC) - timedelta(hours=1),
        )
        chat = db.open_chat_session(session=session, student_id=ann)
        db.add_message(
            session=session, student_id=ann, chat_session_id=chat.id, role="student", text="help"
        )
        db.assign_skill(
            session=session,
            teacher_id=seeded.teacher.id,
            skill_key="fractions.mul",
            classroom_id=seeded.classroom.id,
        )
    with db.read_session(store.factory) as session:
        context = db.load_learner_context(session=session, student_id=ann)
        assert db.load_learner_context(session=session, student_id=12345) is None
    assert context is not None
    assert context.student.id == ann
    assert [s.skill_key for s in context.skill_states] == ["a"]
    assert [c.skill_key for c in context.due_reviews] == ["a"]
    assert [m.text for m in context.recent_messages] == ["help"]
    assert [(a.student_id, a.misconception_id) for a in context.recent_attempts] == [
        (ann, "add-denoms")
    ]
    assert [a.skill_key for a in context.assignments] == ["fractions.mul"]
    assert context.active_exercise is None


def test_skill_params_round_trip_and_responses_in_fitting_order(store: Store) -> None:
    ann = _seed(store).student.id
    bob = _seed(store, username="jones", login="bob").student.id
    for student, submission, skill, correct in [
        (bob, "1", "b", True),
        (ann, "2", "b", False),
        (ann, "3", "a", True),
        (ann, "4", "b", True),
    ]:
        _attempt(store, student, submission, skill_key=skill, correct=correct)

    @dataclasses.dataclass(frozen=True)
    class Params:  # any object with the five attributes will do (tutor's BktParams is one)
        p_init: float = 0.2
        p_learn: float = 0.1
        p_guess: float = 0.2
        p_slip: float = 0.1
        p_forget: float = 0.0

    with db.write_session(store.factory) as session:
        db.save_skill_params(
            session=session,
            params={
                "a": Params(),
                "b": {"p_init": 0.3, "p_learn": 0.2, "p_guess": 0.1, "p_slip": 0.05},
            },
        )
        db.save_skill_params(session=session, params={"a": Params(p_learn=0.4)}, source="em")
    with db.read_session(store.factory) as session:
        params = db.load_skill_params(session=session)
        responses = list(db.iter_responses(session=session))
    assert (params["a"].p_learn, params["a"].source) == (0.4, "em")
    assert (params["b"].p_init, params["b"].p_forget) == (0.3, 0.0)
    assert responses == [(ann, "a", True), (ann, "b", False), (ann, "b", True), (bob, "b", True)]
    with pytest.raises(db.InvalidInput), db.write_session(store.factory) as session:
        db.save_skill_params(session=session, params={"c": Params(p_slip=float("nan"))})


def test_writes_in_a_read_session_are_refused(store: Store) -> None:
    student_id = _seed(store).student.id
    with pytest.raises(db.StoreError, match="write_session"), db.read_session(store.factory) as s:
        db.set_skill_state(
            session=s, student_id=student_id, skill_key="a", p_known=0.5, correct=True
        )


def test_deleting_a_student_cascades_but_the_access_log_survives(store: Store) -> None:
    seeded = _seed(store)
    ann = seeded.student.id
    _attempt(store, ann, "s1")
    with db.write_session(store.factory) as session:
        db.set_skill_state(
            session=session, student_id=ann, skill_key="a", p_known=0.4, correct=True
        )
        db.upsert_review_card(
            session=session, student_id=ann, skill_key="a", card={}, due_at=datetime.now(UTC)
        )
        chat = db.open_chat_session(session=session, student_id=ann)
        db.add_message(
            session=session, student_id=ann, chat_session_id=chat.id, role="student", text="hi"
        )
        db.set_active_exercise(
            session=session,
            student_id=ann,
            skill_key="a",
            exercise_id="a/1",
            seed=1,
            kind="practice",
            reason="r",
        )
        db.assign_skill(
            session=session, teacher_id=seeded.teacher.id, skill_key="a", student_id=ann
        )
        db.student_timeline(session=session, teacher_id=seeded.teacher.id, student_id=ann)
    with db.write_session(store.factory) as session:
        session.execute(delete(models.Student).where(models.Student.id == ann))
    with db.read_session(store.factory) as session:
        for table in (
            models.Attempt,
            models.SkillState,
            models.ReviewCard,
            models.ChatSession,
            models.Message,
            models.ActiveExercise,
            models.Assignment,
        ):
            assert session.scalar(select(func.count()).select_from(table)) == 0, table
        log = db.access_log_entries(session=session, subject_student_id=ann)
    assert [entry.action for entry in log] == ["student_timeline"]


def test_access_log_refuses_update_and_delete(store: Store) -> None:
    seeded = _seed(store)
    with db.write_session(store.factory) as session:
        db.list_classrooms(session=session, teacher_id=seeded.teacher.id)
    for statement in (
        update(models.AccessLog).values(allowed=False),
        delete(models.AccessLog),
    ):
        with (
            pytest.raises(DBAPIError, match="append-only"),
            db.write_session(store.factory) as session,
        ):
            session.execute(statement)
    with db.read_session(store.factory) as session:
        assert session.execute(text("SELECT allowed FROM access_log")).scalars().all() == [True]
