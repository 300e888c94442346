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

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from prompts import clean_student_text
from students_db import (
    ClassroomRecord,
    SessionFactory,
    StudentLogin,
    TeacherLogin,
    TeacherRecord,
    begin_login_attempt,
    clear_login_failures,
    create_classroom,
    create_student,
    get_student_login,
    get_teacher_login,
    login_attempts_of,
    normalise_join_code,
    read_session,
    write_session,
)
from students_db import create_teacher as store_create_teacher
from students_db.teacher import teacher_owns_classroom

PIN_DIGITS = 6
MIN_PASSWORD_CHARS = 8
MAX_SECRET_CHARS = 1024  # argon2 accepts more; a longer "password" is an attack, not a user
_STUDENT_LOGIN = re.compile(r"^\s*([A-Za-z0-9-]+)\s*[/ ]\s*(.+?)\s*$")


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
    characters (a name typed with U+202E would display reversed in every teacher view)."""
    return " ".join(clean_student_text(name).split())


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

    Raises PermissionError for another teacher's class (nothing is created) and ValueError for
    an empty or repeated name; all students are created in one transaction, or none.
    """
    cleaned = [display_text(name) for name in names]
    if not cleaned or any(not name for name in cleaned):
        raise ValueError("every student needs a name")
    logins = [_login_name(name) for name in cleaned]
    if len(set(logins)) != len(logins):
        raise ValueError("two students would get the same login name; make the names distinct")
    pins = [new_pin() for _ in cleaned]
    hashes = [hash_secret(pin) for pin in pins]
    with write_session(sessions) as session:
        if not teacher_owns_classroom(
            session=session, teacher_id=teacher_id, classroom_id=classroom_id
        ):
            raise PermissionError("that class is not one of yours")
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
    """What a student types after the class code: the name, lower case, spaces as dots."""
    login = re.sub(r"[^a-z0-9._-]+", ".", display_name.lower()).strip(".")
    if not login:
        raise ValueError(f"cannot make a login name from {display_name!r}")
    return login[:64]


def split_student_username(username: str) -> tuple[str, str] | None:
    """("CODE", "name") from "CODE/name" or "CODE name"; None when it is not of that shape."""
    match = _STUDENT_LOGIN.match(username)
    if match is None:
        return None
    return match.group(1), _login_name(match.group(2)) if match.group(2).strip() else ""


# Login throttling, per username as typed (Gradio's `auth=` has none). Five wrong passwords
# in a row lock the name for 15 minutes; a name may try at most 10 times a minute however the
# tries end. Unknown names are counted and locked the same way, so a lock says nothing about
# whether an account exists. The price: anyone can lock a known name for 15 minutes; a
# teacher can always reset a student's PIN, and the lock ends by itself.
LOCKOUT_FAILURES = 5
LOCKOUT_DURATION = timedelta(minutes=15)
RATE_LIMIT_ATTEMPTS = 10
RATE_LIMIT_WINDOW = timedelta(minutes=1)


def login_key(username: str) -> str:
    """The one spelling of a typed username that the throttle counts under: a student's
    "code/name" and "code name" (any case, spaces, dashes) are the same key."""
    student = split_student_username(username)
    if student is not None and student[1]:
        return f"{normalise_join_code(student[0])}/{student[1]}"[:200]
    return " ".join(username.split()).lower()[:200] or "-"


def authenticate(
    *,
    sessions: SessionFactory,
    username: str,
    password: str,
    now: datetime | None = None,
) -> Identity | None:
    """The identity behind a username and password (teacher) or class-code/name and PIN
    (student); None when they do not match, or while the name is locked or rate-limited
    (see LOCKOUT_FAILURES). Takes the same time for unknown names as for wrong passwords.

    The attempt is counted before the (slow) hash check, so parallel guesses cannot outrun
    the lockout; a success clears the count. `now` is for tests.
    """
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    moment = now or datetime.now(UTC)
    key = login_key(username)
    student = split_student_username(username)
    with write_session(sessions) as session:
        gate = begin_login_attempt(
            session=session,
            username_key=key,
            now=moment,
            max_failures=LOCKOUT_FAILURES,
            lockout=LOCKOUT_DURATION,
            max_attempts=RATE_LIMIT_ATTEMPTS,
            window=RATE_LIMIT_WINDOW,
        )
        teacher = get_teacher_login(session=session, username=username) if gate.allowed else None
        pupil = None
        if gate.allowed and teacher is None and student is not None and student[1]:
            pupil = get_student_login(session=session, join_code=student[0], login_name=student[1])
    if not gate.allowed:
        return None
    identity = _check_password(teacher, pupil, password)
    if identity is not None:
        with write_session(sessions) as session:
            clear_login_failures(session=session, username_key=key, now=moment)
    return identity


def login_lock(
    *, sessions: SessionFactory, username: str, now: datetime | None = None
) -> datetime | None:
    """Until when `username` is locked out (None: it is not), so a login form can say so."""
    moment = now or datetime.now(UTC)
    with read_session(sessions) as session:
        record = login_attempts_of(session=session, username_key=login_key(username))
    if record is None or record.locked_until is None or record.locked_until <= moment:
        return None
    return record.locked_until


def _check_password(
    teacher: TeacherLogin | None, pupil: StudentLogin | None, password: str
) -> Identity | None:
    if teacher is not None:
        if verify_secret(teacher.password_hash, password):
            return Identity("teacher", teacher.id, teacher.username)
        return None
    if pupil is not None and pupil.active:
        if verify_secret(pupil.pin_hash, password):
            return Identity("student", pupil.id, pupil.login_name)
        return None
    verify_secret(_DECOY_HASH, password)
    return None
