"""Accounts: teachers with passwords, classes with join codes, students with generated PINs,
and the login check behind the app's `auth=`.

Only argon2 hashes are stored. A student's PIN is generated here with `secrets`, returned once
for the teacher to hand out, and never stored in the clear. Hashing happens outside the write
transaction (argon2 is deliberately slow), so creating a class of 30 never holds the lock long.

Login names:
- a teacher logs in with their username and password;
- a student logs in with "<class code>/<name>" (or "<class code> <name>") and their PIN.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from prompts import clean_student_text
from students_db import (
    ClassroomRecord,
    SessionFactory,
    StudentLogin,
    TeacherLogin,
    TeacherRecord,
    begin_login_attempt,
    clear_login_failures,
    clear_login_locks,
    create_classroom,
    create_student,
    get_student_login,
    get_teacher_login,
    latest_login_lock,
    login_attempts_of,
    normalise_join_code,
    read_session,
    set_student_pin,
    set_teacher_password,
    student_join_code_and_login,
    write_session,
)
from students_db import create_teacher as store_create_teacher
from students_db.teacher import list_students, teacher_owns_classroom, teacher_owns_student
from tutor.logins import fold, logins_for

PIN_DIGITS = 6
MIN_PASSWORD_CHARS = 8
HASH_WORKERS = 4  # argon2 hashes at once when creating many accounts (64 MiB each)
MAX_SECRET_CHARS = 1024  # argon2 accepts more; a longer "password" is an attack, not a user
MAX_USERNAME_CHARS = 200  # "CODE/name" or a teacher's username; longer is refused unread
MAX_NAME_CHARS = 128  # a class's or a student's name as shown (the columns hold 128)
_JOIN_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class Identity:
    """Who logged in: the id every later call passes as the verified caller."""

    role: Literal["teacher", "student"]
    id: int
    display: str


def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended costs


def hash_secret(secret: str) -> str:
    """An argon2id hash of a password or PIN (salted; the salt and costs are in the string)."""
    if not isinstance(secret, str) or not secret or len(secret) > MAX_SECRET_CHARS:
        raise ValueError("a password or PIN must be 1 to 1024 characters")
    return _hasher().hash(secret)


def hash_secrets(secrets_: Sequence[str]) -> list[str]:
    """`hash_secret` of each, in order; several at once where the machine has the cores.

    Each argon2 hash already runs `parallelism` lanes in threads of its own (4 with the
    library's costs), so hashes run side by side only where cores are left over (16 cores:
    4 at a time); on a 2-core machine they run one after another, which measured faster
    than threads there. The costs are the same as for one hash: parallel, never weaker."""
    lanes = max(1, _hasher().parallelism)
    workers = min(len(secrets_), HASH_WORKERS, max(1, (os.cpu_count() or 1) // lanes))
    if workers <= 1:
        return [hash_secret(secret) for secret in secrets_]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(hash_secret, secrets_))


def verify_secret(secret_hash: str, secret: str) -> bool:
    """Whether `secret` matches `secret_hash`; False (never an exception) for any mismatch."""
    if not isinstance(secret, str) or not secret or len(secret) > MAX_SECRET_CHARS:
        return False
    try:
        return _hasher().verify(secret_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# The hash of a random secret nobody knows: verifying against it for an unknown name keeps a
# failed login as slow as a wrong password, so timing does not tell which names exist.
_DECOY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$x/lQf65gp02fPDpM7CKwHQ$mZXJfW"
    "wLmaXpUvQjhm+/LeOl5HEfPCEA/iFvP4/VMvY"
)


def new_pin() -> str:
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def display_text(name: str) -> str:
    """A name as shown to teachers: NFC, one line, no bidi overrides, zero-width, tag or control
    characters (a name typed with U+202E would display reversed in every teacher view).

    Raises ValueError, with the limit, for a name over MAX_NAME_CHARS (a teacher's paste of a
    megabyte is refused before any work, not stored)."""
    if not isinstance(name, str):
        raise ValueError("a name must be text")
    if len(name) > 4 * MAX_NAME_CHARS:
        raise ValueError(f"a name may have at most {MAX_NAME_CHARS} characters")
    shown = " ".join(clean_student_text(name).split())
    if len(shown) > MAX_NAME_CHARS:
        raise ValueError(f"a name may have at most {MAX_NAME_CHARS} characters")
    return shown


def create_teacher(
    *, sessions: SessionFactory, username: str, password: str, display_name: str | None = None
) -> TeacherRecord:
    """A teacher who logs in with `username` and `password` (at least 8 characters)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    password_hash = hash_secret(password)
    with write_session(sessions) as session:
        return store_create_teacher(
            session=session,
            username=username,
            display_name=display_text(display_name or username),
            password_hash=password_hash,
        )


def create_class(*, sessions: SessionFactory, teacher_id: int, name: str) -> ClassroomRecord:
    """A class of the teacher's, with a fresh join code students type at login."""
    name = display_text(name)
    if not name:
        raise ValueError("a class needs a name")
    with write_session(sessions) as session:
        return create_classroom(session=session, teacher_id=teacher_id, name=name)


def add_students(
    *,
    sessions: SessionFactory,
    teacher_id: int,
    classroom_id: int,
    names: Sequence[str],
    grade_level: int | None = None,
) -> list[tuple[str, str]]:
    """Students in one of the teacher's classes: returns (login name, PIN) pairs, shown once.

    The one way students are created (the teacher view through `Classroom.add_students`, the
    demo, the CLI and tests): logins are readable ASCII from the names (`tutor.logins`),
    distinct within the batch and from every login the class already has ("ada" is taken:
    the new Ada is "ada.2"). Raises PermissionError for another teacher's class (nothing is
    created) and ValueError for an empty name; all are created in one transaction, or none.
    """
    cleaned = [display_text(name) for name in names]
    if not cleaned or any(not name for name in cleaned):
        raise ValueError("every student needs a name")
    pins = [new_pin() for _ in cleaned]
    hashes = hash_secrets(pins)  # slow: outside the write transaction
    with write_session(sessions) as session:
        if not teacher_owns_classroom(
            session=session, teacher_id=teacher_id, classroom_id=classroom_id
        ):
            raise PermissionError("that class is not one of yours")
        taken = [
            student.login_name
            for student in list_students(
                session=session, teacher_id=teacher_id, classroom_id=classroom_id
            )
        ]
        logins = logins_for(cleaned, taken)  # never fails on a non-Latin name
        created = [
            create_student(
                session=session,
                classroom_id=classroom_id,
                login_name=login,
                display_name=name,
                pin_hash=pin_hash,
                grade_level=grade_level,
            )
            for name, login, pin_hash in zip(cleaned, logins, hashes, strict=True)
        ]
    return [(student.login_name, pin) for student, pin in zip(created, pins, strict=True)]


def _login_name(display_name: str) -> str:
    """What a student types after the class code, folded the way logins are made
    (`tutor.logins.fold`): "Zoë.Brontë" and "zoe bronte" both read as "zoe.bronte"."""
    login = fold(display_name)
    if not login:
        raise ValueError(f"cannot make a login name from {display_name!r}")
    return login[:64]


def split_student_username(username: str) -> tuple[str, str] | None:
    """("CODE", "name") from "CODE/name" or "CODE name"; None when it is not of that shape.

    One left-to-right pass, no regular expression (a backtracking pattern here once froze the
    server for 20 s on one crafted login), and nothing longer than MAX_USERNAME_CHARS is read.
    The name is NFKC-folded first, so a full-width "ａｄａ" is "ada"; a name with no letter or
    digit left (``CODE/!!!``) gives ("CODE", "") rather than an error.
    """
    if not isinstance(username, str) or len(username) > MAX_USERNAME_CHARS:
        return None
    text = username.strip()
    end = 0
    while end < len(text) and text[end] in _JOIN_CODE_CHARS:
        end += 1
    code, rest = text[:end], text[end:]
    after_space = rest.lstrip()
    if after_space.startswith("/"):
        name = after_space[1:].strip()
    elif " " in rest[: len(rest) - len(after_space)]:
        name = after_space.strip()
    else:
        return None
    if not code or not name or any(unicodedata.category(c) == "Cc" for c in name):
        return None
    return code, _login_name_or_empty(name)


def _login_name_or_empty(typed: str) -> str:
    try:
        return _login_name(unicodedata.normalize("NFKC", typed))
    except ValueError:
        return ""


# Login throttling (Gradio's `auth=` has none), in three budgets:
# - per name and client (the caller's address, hashed): five wrong secrets in a row lock the
#   name for that client for 15 minutes, and a name may try at most 10 times a minute from
#   one client however the tries end. A stranger's five wrong PINs no longer lock a teacher
#   or a classmate out everywhere: only the stranger's own address is locked.
# - per name, across all clients: NAME_FAILURES_PER_DAY failures lock the name for a day
#   (a teacher's unlock ends it), so many addresses cannot spray one PIN space for long.
# - per client across names, and globally: in memory at the web layer (tutor.web.login_guard).
# Unknown names are counted and locked the same way, so a lock says nothing about whether an
# account exists. Without a client (the CLI, tests) the first budget is per name alone.
LOCKOUT_FAILURES = 5
LOCKOUT_DURATION = timedelta(minutes=15)
RATE_LIMIT_ATTEMPTS = 10
RATE_LIMIT_WINDOW = timedelta(minutes=1)
NAME_FAILURES_PER_DAY = 50
NAME_LOCKOUT = timedelta(days=1)


@dataclass(frozen=True)
class LoginResult:
    """A successful login: who, the name the session is known by (one spelling per
    account), and the credential version the session is bound to."""

    identity: Identity
    session_name: str
    credential_version: int


def login_key(username: str) -> str:
    """The one spelling of a typed username that the throttle counts under: a student's
    "code/name" and "code name" (any case, spaces, dashes) are the same key."""
    student = split_student_username(username)
    if student is not None and student[1]:
        return f"{normalise_join_code(student[0])}/{student[1]}"[:200]
    return " ".join(username[: MAX_USERNAME_CHARS + 1].split()).lower()[:200] or "-"


def client_key(username_key: str, client: str | None) -> str:
    """The per-client throttle key: the name and a hash of the address (no address stored)."""
    if not client:
        return username_key
    digest = hashlib.sha256(client.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{username_key[:180]}|{digest}"


def authenticate(
    *,
    sessions: SessionFactory,
    username: str,
    password: str,
    now: datetime | None = None,
    client: str | None = None,
) -> Identity | None:
    """The identity behind a username and password (teacher) or class-code/name and PIN
    (student); None when they do not match, or while the name is locked or rate-limited
    (see LOCKOUT_FAILURES). Takes the same time for unknown names as for wrong passwords.

    The attempt is counted before the (slow) hash check, so parallel guesses cannot outrun
    the lockout; a success clears the count. `now` is for tests; `client` is the caller's
    address (the web layer passes it).
    """
    result = log_in(sessions=sessions, username=username, password=password, now=now, client=client)
    return None if result is None else result.identity


def log_in(
    *,
    sessions: SessionFactory,
    username: str,
    password: str,
    now: datetime | None = None,
    client: str | None = None,
) -> LoginResult | None:
    """`authenticate`, with what a login session is bound to (see LoginResult)."""
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    if len(username) > MAX_USERNAME_CHARS or len(password) > MAX_SECRET_CHARS:
        return None  # refused unread: no row, no hash, no regular expression
    moment = now or datetime.now(UTC)
    key = login_key(username)
    keys = [client_key(key, client)] + ([key] if client else [])
    student = split_student_username(username)
    with write_session(sessions) as session:
        gate = _gate(session, keys, moment)
        teacher = get_teacher_login(session=session, username=username) if gate else None
        pupil = None
        if gate and teacher is None and student is not None and student[1]:
            pupil = get_student_login(session=session, join_code=student[0], login_name=student[1])
    if not gate:
        return None
    result = _check_password(teacher, pupil, password, key)
    if result is not None:
        with write_session(sessions) as session:
            for each in keys:
                clear_login_failures(session=session, username_key=each, now=moment)
    return result


def _gate(session: Session, keys: list[str], moment: datetime) -> bool:
    """Count the attempt under each key (per client first, then the name's daily budget)."""
    budgets = [
        (LOCKOUT_FAILURES, LOCKOUT_DURATION, RATE_LIMIT_ATTEMPTS, RATE_LIMIT_WINDOW),
        (NAME_FAILURES_PER_DAY, NAME_LOCKOUT, 10 * NAME_FAILURES_PER_DAY, NAME_LOCKOUT),
    ]
    for each, (failures, lockout, attempts, window) in zip(keys, budgets, strict=False):
        gate = begin_login_attempt(
            session=session,
            username_key=each,
            now=moment,
            max_failures=failures,
            lockout=lockout,
            max_attempts=attempts,
            window=window,
        )
        if not gate.allowed:
            return False
    return True


def unlock_login(*, sessions: SessionFactory, teacher_id: int, student_id: int) -> None:
    """A teacher ends every lock on one of their students' login names (all clients).

    Raises PermissionError for a student not in the teacher's classes (logged as denied).
    """
    with write_session(sessions) as session:
        if not teacher_owns_student(session=session, teacher_id=teacher_id, student_id=student_id):
            refused = True
        else:
            refused = False
            found = student_join_code_and_login(session=session, student_id=student_id)
            if found is not None:
                clear_login_locks(session=session, username_key=login_key(f"{found[0]}/{found[1]}"))
    if refused:
        raise PermissionError("that student is not in one of your classes")


def reset_student_pin(*, sessions: SessionFactory, teacher_id: int, student_id: int) -> str:
    """A new PIN for one of the teacher's students, returned once to show the teacher.

    The old PIN stops working, every login session of the student ends (a new credential
    version), and the name's locks are cleared. PermissionError for anyone else's student.
    """
    pin = new_pin()
    pin_hash = hash_secret(pin)  # slow: outside the write transaction
    with write_session(sessions) as session:
        if not teacher_owns_student(session=session, teacher_id=teacher_id, student_id=student_id):
            refused = True
        else:
            refused = False
            set_student_pin(session=session, student_id=student_id, pin_hash=pin_hash)
            found = student_join_code_and_login(session=session, student_id=student_id)
            if found is not None:
                clear_login_locks(session=session, username_key=login_key(f"{found[0]}/{found[1]}"))
    if refused:
        raise PermissionError("that student is not in one of your classes")
    return pin


def unlock_teacher(*, sessions: SessionFactory, username: str) -> None:
    """The operator ends every lock on a teacher's login name (`tutor` CLI, or a script)."""
    with write_session(sessions) as session:
        clear_login_locks(session=session, username_key=login_key(username))


def change_teacher_password(*, sessions: SessionFactory, teacher_id: int, password: str) -> None:
    """A new password (at least 8 characters); every login session of the teacher ends."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    password_hash = hash_secret(password)
    with write_session(sessions) as session:
        set_teacher_password(session=session, teacher_id=teacher_id, password_hash=password_hash)


def login_lock(
    *, sessions: SessionFactory, username: str, now: datetime | None = None
) -> datetime | None:
    """Until when `username` is locked out (None: it is not), so a login form can say so."""
    moment = now or datetime.now(UTC)
    with read_session(sessions) as session:
        until = latest_login_lock(session=session, username_key=login_key(username))
    if until is None:
        return None
    until = until if until.tzinfo else until.replace(tzinfo=UTC)  # SQLite keeps no zone
    return until if until > moment else None


@dataclass(frozen=True)
class LoginRefusal:
    """Why a login just failed, as far as the caller may be told: the lock or rate limit on
    the typed name (for this client, or the name's daily budget) and the tries left before a
    lock. Unknown names are counted exactly as real ones, so this says nothing about whether
    an account exists."""

    locked_until: datetime | None = None
    rate_limited_until: datetime | None = None
    tries_left: int | None = None  # wrong tries left before this client is locked out


def login_refusal(
    *,
    sessions: SessionFactory,
    username: str,
    client: str | None = None,
    now: datetime | None = None,
) -> LoginRefusal:
    """The state of the throttle on `username` (from `client`) right after a failed login, so
    the login page can say "locked for 14 more minutes" or "2 tries left"."""
    moment = now or datetime.now(UTC)
    if not isinstance(username, str) or len(username) > MAX_USERNAME_CHARS:
        return LoginRefusal()
    key = login_key(username)
    mine = client_key(key, client)
    with read_session(sessions) as session:
        rows = [login_attempts_of(session=session, username_key=mine)]
        if client:
            rows.append(login_attempts_of(session=session, username_key=key))
    locks = [_aware(r.locked_until) for r in rows if r is not None and r.locked_until]
    locked_until = max((at for at in locks if at > moment), default=None)
    own = rows[0]
    limited = None
    tries_left = None
    if own is not None:
        window_end = _aware(own.window_started_at) + RATE_LIMIT_WINDOW
        if own.window_attempts >= RATE_LIMIT_ATTEMPTS and window_end > moment:
            limited = window_end
        tries_left = max(LOCKOUT_FAILURES - own.failures, 0)
    return LoginRefusal(locked_until, limited, tries_left)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite keeps no zone


def _check_password(
    teacher: TeacherLogin | None, pupil: StudentLogin | None, password: str, key: str
) -> LoginResult | None:
    if teacher is not None:
        if verify_secret(teacher.password_hash, password):
            who = Identity("teacher", teacher.id, teacher.username)
            return LoginResult(who, teacher.username, teacher.credential_version)
        return None
    if pupil is not None and pupil.active:
        if verify_secret(pupil.pin_hash, password):
            who = Identity("student", pupil.id, pupil.login_name)
            return LoginResult(who, key, pupil.credential_version)
        return None
    verify_secret(_DECOY_HASH, password)
    return None
