"""Initial schema: accounts, attempts, learner state, chat, assignments, access log.

The access log is append-only: triggers on both dialects refuse UPDATE and DELETE.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here, not imported from the models: a migration must keep meaning what it meant.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

APPEND_ONLY_MESSAGE = "access_log is append-only"
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER trg_access_log_no_{verb.lower()} BEFORE {verb} ON access_log
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_FUNCTION = f"""CREATE FUNCTION access_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END
$$"""
POSTGRES_TRIGGER = """CREATE TRIGGER trg_access_log_append_only
BEFORE UPDATE OR DELETE ON access_log
FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()"""


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_access_log_append_only ON access_log")
        op.execute("DROP FUNCTION IF EXISTS access_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_access_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS trg_access_log_no_delete")


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("subject_student_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "actor_role IN ('teacher', 'student', 'admin', 'system')",
            name=op.f("ck_access_log_actor_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_log_actor_role_actor_id_created_at"),
            ["actor_role", "actor_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_access_log_subject_student_id_created_at"),
            ["subject_student_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "skill_params",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("skill_key", sa.String(length=128), nullable=False),
        sa.Column("p_init", sa.Float(), nullable=False),
        sa.Column("p_learn", sa.Float(), nullable=False),
        sa.Column("p_guess", sa.Float(), nullable=False),
        sa.Column("p_slip", sa.Float(), nullable=False),
        sa.Column("p_forget", sa.Float(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.CheckConstraint(
            "p_init BETWEEN 0 AND 1 AND p_learn BETWEEN 0 AND 1 AND p_guess BETWEEN 0 AND 1"
            " AND p_slip BETWEEN 0 AND 1 AND p_forget BETWEEN 0 AND 1",
            name=op.f("ck_skill_params_probabilities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_params")),
        sa.UniqueConstraint("skill_key", name=op.f("uq_skill_params_skill_key")),
    )
    op.create_table(
        "teachers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teachers")),
        sa.UniqueConstraint("username", name=op.f("uq_teachers_username")),
    )
    op.create_table(
        "classrooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("join_code", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["teachers.id"],
            name=op.f("fk_classrooms_teacher_id_teachers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classrooms")),
        sa.UniqueConstraint("join_code", name=op.f("uq_classrooms_join_code")),
    )
    with op.batch_alter_table("classrooms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classrooms_teacher_id"), ["teacher_id"], unique=False)

    op.create_table(
        "students",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("classroom_id", sa.Integer(), nullable=False),
        sa.Column("login_name", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("pin_hash", sa.String(length=255), nullable=False),
        sa.Column("grade_level", sa.Integer(), nullable=True),
        sa.Column("preferences", JSON_DOC, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["classroom_id"],
            ["classrooms.id"],
            name=op.f("fk_students_classroom_id_classrooms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_students")),
        sa.UniqueConstraint(
            "classroom_id", "login_name", name=op.f("uq_students_classroom_id_login_name")
        ),
    )
    op.create_table(
        "active_exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("skill_key", sa.String(length=128), nullable=False),
        sa.Column("exercise_id", sa.String(length=128), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wrong_attempts", sa.Integer(), nullable=False),
        sa.Column("hints_used", sa.Integer(), nullable=False),
        sa.Column("solution_shown", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('practice', 'review')", name=op.f("ck_active_exercises_kind")),
        sa.CheckConstraint(
            "wrong_attempts >= 0 AND hints_used >= 0", name=op.f("ck_active_exercises_counts")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_active_exercises_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_active_exercises")),
        sa.UniqueConstraint("student_id", name=op.f("uq_active_exercises_student_id")),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("classroom_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("skill_key", sa.String(length=128), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(classroom_id IS NULL) <> (student_id IS NULL)",
            name=op.f("ck_assignments_exactly_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["classroom_id"],
            ["classrooms.id"],
            name=op.f("fk_assignments_classroom_id_classrooms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["teachers.id"],
            name=op.f("fk_assignments_created_by_teachers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_assignments_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignments_classroom_id"), ["classroom_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assignments_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_student_id"), ["student_id"], unique=False)

    op.create_table(
        "attempts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("skill_key", sa.String(length=128), nullable=False),
        sa.Column("exercise_id", sa.String(length=128), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("misconception_id", sa.String(length=128), nullable=True),
        sa.Column("hints_used", sa.Integer(), nullable=False),
        sa.Column("time_taken_ms", sa.Integer(), nullable=False),
        sa.Column("client_submission_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('practice', 'review')", name=op.f("ck_attempts_kind")),
        sa.CheckConstraint("hints_used >= 0", name=op.f("ck_attempts_hints_used")),
        sa.CheckConstraint("time_taken_ms >= 0", name=op.f("ck_attempts_time_taken_ms")),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_attempts_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
        sa.UniqueConstraint(
            "student_id",
            "client_submission_id",
            name=op.f("uq_attempts_student_id_client_submission_id"),
        ),
    )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attempts_student_id_created_at"),
            ["student_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_attempts_student_id_skill_key_created_at"),
            ["student_id", "skill_key", "created_at"],
            unique=False,
        )

    op.create_table(
        "chat_sessions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("model_available", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_chat_sessions_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_sessions")),
    )
    with op.batch_alter_table("chat_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chat_sessions_student_id_started_at"),
            ["student_id", "started_at"],
            unique=False,
        )

    op.create_table(
        "review_cards",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("skill_key", sa.String(length=128), nullable=False),
        sa.Column("card", JSON_DOC, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_review_cards_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_cards")),
        sa.UniqueConstraint(
            "student_id", "skill_key", name=op.f("uq_review_cards_student_id_skill_key")
        ),
    )
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_cards_student_id_due_at"), ["student_id", "due_at"], unique=False
        )

    op.create_table(
        "skill_states",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("skill_key", sa.String(length=128), nullable=False),
        sa.Column("p_known", sa.Float(), nullable=False),
        sa.Column("attempts_count", sa.Integer(), nullable=False),
        sa.Column("correct_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("p_known >= 0 AND p_known <= 1", name=op.f("ck_skill_states_p_known")),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_skill_states_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_states")),
        sa.UniqueConstraint(
            "student_id", "skill_key", name=op.f("uq_skill_states_student_id_skill_key")
        ),
    )
    op.create_table(
        "messages",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("session_id", BIG_ID, nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("task", sa.String(length=64), nullable=True),
        sa.Column("adapter", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('student', 'tutor')", name=op.f("ck_messages_role")),
        sa.CheckConstraint(
            "status IN ('ok', 'failed', 'fallback', 'pending')", name=op.f("ck_messages_status")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["chat_sessions.id"],
            name=op.f("fk_messages_session_id_chat_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_messages_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_messages_session_id_created_at"),
            ["session_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_messages_student_id_created_at"),
            ["student_id", "created_at"],
            unique=False,
        )

    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_student_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_messages_session_id_created_at"))

    op.drop_table("messages")
    op.drop_table("skill_states")
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_cards_student_id_due_at"))

    op.drop_table("review_cards")
    with op.batch_alter_table("chat_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_sessions_student_id_started_at"))

    op.drop_table("chat_sessions")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempts_student_id_skill_key_created_at"))
        batch_op.drop_index(batch_op.f("ix_attempts_student_id_created_at"))

    op.drop_table("attempts")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_student_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_created_by"))
        batch_op.drop_index(batch_op.f("ix_assignments_classroom_id"))

    op.drop_table("assignments")
    op.drop_table("active_exercises")
    op.drop_table("students")
    with op.batch_alter_table("classrooms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classrooms_teacher_id"))

    op.drop_table("classrooms")
    op.drop_table("teachers")
    op.drop_table("skill_params")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_log_subject_student_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_access_log_actor_role_actor_id_created_at"))

    op.drop_table("access_log")
