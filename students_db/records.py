"""What leaves the store: plain frozen dataclasses, never ORM objects.

An ORM object outside its session lazy-loads, expires and drags the database into code that
should not know about it; these records are just values. Timestamps are aware UTC datetimes.
JSON columns come out as fresh dict copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple

AttemptKind = Literal["practice", "review"]
MessageRole = Literal["student", "tutor"]
MessageStatus = Literal["ok", "failed", "fallback", "pending"]


@dataclass(frozen=True)
class TeacherRecord:
    id: int
    username: str
    display_name: str
    created_at: datetime


@dataclass(frozen=True)
class TeacherLogin:
    """What the password check needs; only the auth code should ever see a hash."""

    id: int
    username: str
    password_hash: str
    credential_version: int = 0


@dataclass(frozen=True)
class ClassroomRecord:
    id: int
    teacher_id: int
    name: str
    join_code: str
    created_at: datetime


@dataclass(frozen=True)
class StudentRecord:
    id: int
    classroom_id: int
    login_name: str
    display_name: str
    grade_level: int | None
    preferences: dict[str, Any]
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class StudentLogin:
    """What the PIN check needs: found by join code + login name, as a student types them."""

    id: int
    classroom_id: int
    login_name: str
    pin_hash: str
    active: bool
    credential_version: int = 0


@dataclass(frozen=True)
class AttemptRecord:
    id: int
    student_id: int
    skill_key: str
    exercise_id: str
    seed: int
    answer: str
    correct: bool
    misconception_id: str | None
    hints_used: int
    time_taken_ms: int
    client_submission_id: str
    kind: str
    created_at: datetime


@dataclass(frozen=True)
class RecordedAttempt:
    """`recorded` is False when this submission id was already recorded (a double submit):
    `attempt` is then the earlier row, and the caller must not update mastery again."""

    recorded: bool
    attempt: AttemptRecord


@dataclass(frozen=True)
class SkillStateRecord:
    student_id: int
    skill_key: str
    p_known: float
    attempts_count: int
    correct_count: int
    updated_at: datetime


@dataclass(frozen=True)
class ReviewCardRecord:
    student_id: int
    skill_key: str
    card: dict[str, Any]
    due_at: datetime


@dataclass(frozen=True)
class ActiveExerciseRecord:
    student_id: int
    skill_key: str
    exercise_id: str
    seed: int
    kind: str
    reason: str
    started_at: datetime
    wrong_attempts: int
    hints_used: int
    solution_shown: bool


@dataclass(frozen=True)
class ChatSessionRecord:
    id: int
    student_id: int
    started_at: datetime
    ended_at: datetime | None
    summary: str | None
    model_available: bool


@dataclass(frozen=True)
class MessageRecord:
    id: int
    session_id: int
    student_id: int
    role: str
    text: str
    task: str | None
    adapter: str | None
    status: str
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: int | None
    created_at: datetime


@dataclass(frozen=True)
class AssignmentRecord:
    id: int
    classroom_id: int | None
    student_id: int | None
    skill_key: str
    due_at: datetime | None
    created_by: int
    created_at: datetime


@dataclass(frozen=True)
class SkillParamsRecord:
    skill_key: str
    p_init: float
    p_learn: float
    p_guess: float
    p_slip: float
    p_forget: float
    fitted_at: datetime
    source: str


@dataclass(frozen=True)
class LearnerContextRecord:
    """Everything the tutor needs for one turn of one student, read in one transaction."""

    student: StudentRecord
    skill_states: tuple[SkillStateRecord, ...]
    due_reviews: tuple[ReviewCardRecord, ...]
    active_exercise: ActiveExerciseRecord | None
    recent_messages: tuple[MessageRecord, ...]
    recent_attempts: tuple[AttemptRecord, ...]
    assignments: tuple[AssignmentRecord, ...] = field(default=())


@dataclass(frozen=True)
class MasteryCell:
    """One cell of the class x skill table. Skills a student never practised have no cell."""

    student_id: int
    display_name: str
    skill_key: str
    p_known: float
    attempts_count: int


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a student's timeline: exactly one of `attempt` and `message` is set."""

    at: datetime
    attempt: AttemptRecord | None = None
    message: MessageRecord | None = None


@dataclass(frozen=True)
class AccessLogEntry:
    id: int
    actor_role: str
    actor_id: int | None
    subject_student_id: int | None
    action: str
    detail: str
    allowed: bool
    created_at: datetime


class Response(NamedTuple):
    """One graded answer for fitting BKT; a tuple so `for student, skill, correct in ...` works."""

    student_id: int
    skill_key: str
    correct: bool
