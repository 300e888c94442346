"""Who is calling: the identity behind `request.username`, read from the store on every call.

Gradio's `auth=` verified the password when the session logged in and then sets
`request.username` on each request from the signed login cookie. Handlers never take identity
from a `gr.State`, a hidden field or an argument: a request that reaches a handler through the
API (by name or by `fn_index`) still carries only the username its cookie proves.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

import students_db as db
from tutor.accounts import Identity, authenticate, split_student_username

TEACHERS_ONLY = "This action is for teachers."
STUDENTS_ONLY = "This action is for students."
NOT_LOGGED_IN = "Please log in again."


def resolve(*, sessions: db.SessionFactory, username: str | None) -> Identity | None:
    """The identity of a verified login name, in the same order `authenticate` checks them
    (a teacher's username first, then "CODE/name"); None when the account is gone."""
    if not username:
        return None
    with db.read_session(sessions) as session:
        teacher = db.get_teacher_login(session=session, username=username)
        if teacher is not None:
            return Identity("teacher", teacher.id, teacher.username)
        parts = split_student_username(username)
        if parts is None or not parts[1]:
            return None
        pupil = db.get_student_login(session=session, join_code=parts[0], login_name=parts[1])
    if pupil is None or not pupil.active:
        return None
    return Identity("student", pupil.id, pupil.login_name)


def caller(sessions: db.SessionFactory, request: Any) -> Identity | None:
    username = getattr(request, "username", None) if request is not None else None
    return resolve(sessions=sessions, username=username)


def require_teacher(sessions: db.SessionFactory, request: Any) -> Identity:
    """The calling teacher, or `gr.Error` for anyone else (a student calling by fn_index too)."""
    identity = caller(sessions, request)
    if identity is None or identity.role != "teacher":
        raise gr.Error(TEACHERS_ONLY)
    return identity


def require_student(sessions: db.SessionFactory, request: Any) -> Identity:
    identity = caller(sessions, request)
    if identity is None:
        raise gr.Error(NOT_LOGGED_IN)
    if identity.role != "student":
        raise gr.Error(STUDENTS_ONLY)
    return identity


def auth_function(sessions: db.SessionFactory) -> Any:
    """The callable for `launch(auth=...)`: argon2 check in the store (lockout lives there)."""

    def check(username: str, password: str) -> bool:
        return authenticate(sessions=sessions, username=username, password=password) is not None

    return check
