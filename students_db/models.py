"""The tables, as typed SQLAlchemy 2 models. Nothing here leaves the package: queries map rows
to the frozen records in `records.py`.

Every constraint and index is named by the convention below, so Alembic's batch mode on SQLite
(which rebuilds tables) can drop and recreate them reliably.

Every table that holds a student's data cascades from `students`: deleting a student removes
all of it. The access log alone keeps `subject_student_id` without a foreign key, so the record
of who read a student's data survives the student's deletion.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from students_db.timestamps import UtcDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Row ids of the tables that grow without bound: 64-bit on PostgreSQL; on SQLite only INTEGER
# PRIMARY KEY is the rowid alias that autoincrements.
BigId = BigInteger().with_variant(Integer(), "sqlite")
JsonDoc = JSON().with_variant(JSONB(), "postgresql")

ATTEMPT_KINDS = ("practice", "review")
MESSAGE_ROLES = ("student", "tutor")
MESSAGE_STATUSES = ("ok", "failed", "fallback", "pending")
ACTOR_ROLES = ("teacher", "student", "admin", "system")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime}


def _student_fk() -> Any:
    return ForeignKey("students.id", ondelete="CASCADE")


class Teacher(Base):
    __tablename__ = "teachers"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Bumped by a password change or unlock-with-reset: login sessions issued under an older
    # version are refused (the web layer binds each session to account id + this number).
    credential_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Classroom(Base):
    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("teachers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(128))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Student(Base):
    __tablename__ = "students"
    # The unique (classroom, login) index also serves "the students of a class".
    __table_args__ = (UniqueConstraint("classroom_id", "login_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"))
    login_name: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128))
    pin_hash: Mapped[str] = mapped_column(String(255))
    credential_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    grade_level: Mapped[int | None] = mapped_column(Integer)
    preferences: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attempt(Base):
    """One answer a student submitted. `client_submission_id` makes a double submit record once."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("student_id", "client_submission_id"),
        # A student's timeline, and their recent attempts.
        Index(None, "student_id", "created_at"),
        # Responses per (student, skill) in time order: fitting and per-skill history.
        Index(None, "student_id", "skill_key", "created_at"),
        CheckConstraint(_one_of("kind", ATTEMPT_KINDS), name="kind"),
        CheckConstraint("hints_used >= 0", name="hints_used"),
        CheckConstraint("time_taken_ms >= 0", name="time_taken_ms"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    student_id: Mapped[int] = mapped_column(_student_fk())
    skill_key: Mapped[str] = mapped_column(String(128))
    exercise_id: Mapped[str] = mapped_column(String(128))
    seed: Mapped[int] = mapped_column(BigInteger)
    answer: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    misconception_id: Mapped[str | None] = mapped_column(String(128))
    hints_used: Mapped[int] = mapped_column(Integer, default=0)
    time_taken_ms: Mapped[int] = mapped_column(Integer)
    client_submission_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="practice")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SkillState(Base):
    """The BKT probability that a student knows a skill, with the counts behind it."""

    __tablename__ = "skill_states"
    __table_args__ = (
        UniqueConstraint("student_id", "skill_key"),
        CheckConstraint("p_known >= 0 AND p_known <= 1", name="p_known"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    student_id: Mapped[int] = mapped_column(_student_fk())
    skill_key: Mapped[str] = mapped_column(String(128))
    p_known: Mapped[float] = mapped_column(Float)
    attempts_count: Mapped[int] = mapped_column(Integer, default=0)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewCard(Base):
    """The FSRS card of a mastered skill, stored as the `fsrs` package's dict."""

    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("student_id", "skill_key"),
        Index(None, "student_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    student_id: Mapped[int] = mapped_column(_student_fk())
    skill_key: Mapped[str] = mapped_column(String(128))
    card: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    due_at: Mapped[datetime] = mapped_column()


class SkillParams(Base):
    """Fitted BKT parameters of a skill, written by `tutor learner fit`."""

    __tablename__ = "skill_params"
    __table_args__ = (
        CheckConstraint(
            "p_init BETWEEN 0 AND 1 AND p_learn BETWEEN 0 AND 1 AND p_guess BETWEEN 0 AND 1"
            " AND p_slip BETWEEN 0 AND 1 AND p_forget BETWEEN 0 AND 1",
            name="probabilities",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    skill_key: Mapped[str] = mapped_column(String(128), unique=True)
    p_init: Mapped[float] = mapped_column(Float)
    p_learn: Mapped[float] = mapped_column(Float)
    p_guess: Mapped[float] = mapped_column(Float)
    p_slip: Mapped[float] = mapped_column(Float)
    p_forget: Mapped[float] = mapped_column(Float, default=0.0)
    fitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(255))


class Assignment(Base):
    """A skill a teacher set for a whole class or for one student (exactly one of the two)."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint(
            "(classroom_id IS NULL) <> (student_id IS NULL)", name="exactly_one_target"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int | None] = mapped_column(
        ForeignKey("classrooms.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int | None] = mapped_column(_student_fk(), index=True)
    skill_key: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[int] = mapped_column(
        ForeignKey("teachers.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActiveExercise(Base):
    """The exercise a student is working on now: at most one per student."""

    __tablename__ = "active_exercises"
    __table_args__ = (
        CheckConstraint(_one_of("kind", ATTEMPT_KINDS), name="kind"),
        CheckConstraint("wrong_attempts >= 0 AND hints_used >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(_student_fk(), unique=True)
    skill_key: Mapped[str] = mapped_column(String(128))
    exercise_id: Mapped[str] = mapped_column(String(128))
    seed: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    wrong_attempts: Mapped[int] = mapped_column(Integer, default=0)
    hints_used: Mapped[int] = mapped_column(Integer, default=0)
    solution_shown: Mapped[bool] = mapped_column(Boolean, default=False)


class ChatSession(Base):
    __tablename__ = "chat_sessions"
    __table_args__ = (Index(None, "student_id", "started_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    student_id: Mapped[int] = mapped_column(_student_fk())
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    summary: Mapped[str | None] = mapped_column(Text)
    model_available: Mapped[bool] = mapped_column(Boolean, default=True)


class Message(Base):
    """One chat turn. A tutor message is added `pending` before generation and finished after,
    so a failed generation leaves a row that says so rather than nothing."""

    __tablename__ = "messages"
    __table_args__ = (
        Index(None, "student_id", "created_at"),
        Index(None, "session_id", "created_at"),
        CheckConstraint(_one_of("role", MESSAGE_ROLES), name="role"),
        CheckConstraint(_one_of("status", MESSAGE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("chat_sessions.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(_student_fk())
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    task: Mapped[str | None] = mapped_column(String(64))
    adapter: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="ok")
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessLog(Base):
    """Who read or tried to read whose data, and when. Append-only: triggers (created by the
    migrations) refuse UPDATE and DELETE; `subject_student_id` has no foreign key so the log
    outlives a deleted student."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index(None, "subject_student_id", "created_at"),
        Index(None, "actor_role", "actor_id", "created_at"),
        CheckConstraint(_one_of("actor_role", ACTOR_ROLES), name="actor_role"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    subject_student_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    allowed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginAttempts(Base):
    """Login attempts per username, for rate limiting and lockout (Gradio's `auth=` has none).

    Keyed by the normalised name as typed, whether or not an account has it: an attacker then
    sees the same lockout for names that exist and names that do not. `failures` counts
    consecutive failures (cleared by a success); `window_*` counts every attempt in the
    current rate-limit window. Rows hold no secret and are purged by `tutor maintenance`.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        CheckConstraint("failures >= 0 AND window_attempts >= 0", name="counts"),
        Index(None, "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username_key: Mapped[str] = mapped_column(String(200), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    window_attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
