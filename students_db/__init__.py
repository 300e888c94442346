"""The learner store: SQLAlchemy models, engine factory, Alembic migrations, query functions.

Frozen dataclasses (`students_db.records`) are what leaves this package; no ORM object does.

    engine = make_engine(settings.resolved_database_url)
    ensure_schema_current(engine)             # refuses an old schema: `tutor db upgrade`
    factory = make_session_factory(engine)
    with write_session(factory) as session:   # BEGIN IMMEDIATE on SQLite; commits on success
        record_attempt(session=session, student_id=..., ...)
    with read_session(factory) as session:    # plain BEGIN: runs alongside writers
        context = load_learner_context(session=session, student_id=...)

Query functions are keyword-only, take the session first and the caller's identity (student or
teacher id); teacher reads append to the access log and so run in a write session.
"""

from students_db.access_log import access_log_entries, log_access
from students_db.accounts import (
    AccountRole,
    create_classroom,
    create_student,
    create_teacher,
    credential_version_of,
    get_student,
    get_student_login,
    get_teacher,
    get_teacher_login,
    normalise_join_code,
    set_student_pin,
    set_student_preferences,
    set_teacher_password,
    teacher_count,
)
from students_db.backup import backup_sqlite
from students_db.chat import (
    add_message,
    chat_sessions_of,
    current_chat_session,
    end_chat_session,
    finish_message,
    open_chat_session,
    recent_messages,
    tutor_said,
)
from students_db.context import assignments_for_student, load_learner_context
from students_db.engine import (
    SessionFactory,
    is_write_session,
    make_engine,
    make_session_factory,
    read_session,
    run_once,
    write_session,
)
from students_db.errors import InvalidInput, NotFound, SchemaOutOfDate, StoreBusy, StoreError
from students_db.fitting import iter_responses, load_skill_params, save_skill_params
from students_db.migrate import current_revision, downgrade, head_revision, upgrade
from students_db.practice import (
    clear_active_exercise,
    get_active_exercise,
    get_review_cards,
    get_skill_states,
    recent_attempts,
    record_attempt,
    set_active_exercise,
    set_skill_state,
    update_active_exercise,
    upsert_review_card,
)
from students_db.records import (
    AccessLogEntry,
    ActiveExerciseRecord,
    AssignmentRecord,
    AttemptRecord,
    ChatSessionRecord,
    ClassroomRecord,
    LearnerContextRecord,
    MasteryCell,
    MessageRecord,
    RecordedAttempt,
    Response,
    ReviewCardRecord,
    SkillParamsRecord,
    SkillStateRecord,
    StudentLogin,
    StudentRecord,
    TeacherLogin,
    TeacherRecord,
    TimelineEntry,
)
from students_db.schema_check import ensure_schema_current
from students_db.teacher import (
    assign_skill,
    authorize_student_read,
    class_mastery,
    list_classrooms,
    list_students,
    student_for_teacher,
    student_timeline,
    teacher_owns_classroom,
    teacher_owns_student,
)

__all__ = [
    "AccessLogEntry",
    "ActiveExerciseRecord",
    "AssignmentRecord",
    "AttemptRecord",
    "ChatSessionRecord",
    "ClassroomRecord",
    "InvalidInput",
    "LearnerContextRecord",
    "MasteryCell",
    "MessageRecord",
    "NotFound",
    "RecordedAttempt",
    "Response",
    "ReviewCardRecord",
    "SchemaOutOfDate",
    "SessionFactory",
    "SkillParamsRecord",
    "SkillStateRecord",
    "StoreBusy",
    "StoreError",
    "StudentLogin",
    "StudentRecord",
    "TeacherLogin",
    "TeacherRecord",
    "TimelineEntry",
    "access_log_entries",
    "add_message",
    "assign_skill",
    "assignments_for_student",
    "backup_sqlite",
    "chat_sessions_of",
    "class_mastery",
    "clear_active_exercise",
    "create_classroom",
    "create_student",
    "create_teacher",
    "current_chat_session",
    "current_revision",
    "downgrade",
    "end_chat_session",
    "ensure_schema_current",
    "finish_message",
    "get_active_exercise",
    "get_review_cards",
    "get_skill_states",
    "get_student",
    "get_student_login",
    "get_teacher",
    "get_teacher_login",
    "teacher_count",
    "head_revision",
    "is_write_session",
    "iter_responses",
    "list_classrooms",
    "list_students",
    "load_learner_context",
    "load_skill_params",
    "log_access",
    "make_engine",
    "make_session_factory",
    "normalise_join_code",
    "open_chat_session",
    "read_session",
    "run_once",
    "recent_attempts",
    "recent_messages",
    "tutor_said",
    "record_attempt",
    "save_skill_params",
    "set_active_exercise",
    "set_skill_state",
    "set_student_preferences",
    "student_for_teacher",
    "student_timeline",
    "teacher_owns_classroom",
    "teacher_owns_student",
    "authorize_student_read",
    "update_active_exercise",
    "upgrade",
    "upsert_review_card",
    "write_session",
]


# Restores and pruning of online backups (the app restores the newest valid copy at start);
# login throttling and a student's data rights (export, erasure, retention).
from students_db.backup import prune_backups, restore_backup, restore_newest
from students_db.errors import StoreFull
from students_db.security import (
    LoginAttemptsRecord,
    LoginGate,
    TableRows,
    begin_login_attempt,
    clear_login_failures,
    clear_login_locks,
    count_student_rows,
    delete_student_rows,
    latest_login_lock,
    login_attempts_of,
    purge_login_attempts,
    purge_messages_before,
    student_exists,
    student_join_code_and_login,
    student_rows,
    student_tables,
)

__all__ += [
    "LoginAttemptsRecord",
    "LoginGate",
    "StoreFull",
    "TableRows",
    "begin_login_attempt",
    "clear_login_failures",
    "count_student_rows",
    "delete_student_rows",
    "latest_login_lock",
    "login_attempts_of",
    "prune_backups",
    "purge_login_attempts",
    "purge_messages_before",
    "restore_backup",
    "restore_newest",
    "student_exists",
    "student_join_code_and_login",
    "student_rows",
    "student_tables",
]

# Credentials that login sessions are bound to (a reset or unlock ends the old sessions).
__all__ += [
    "AccountRole",
    "clear_login_locks",
    "credential_version_of",
    "set_student_pin",
    "set_teacher_password",
]
