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
from tutor.accounts import (
    Identity,
    LoginResult,
    log_in,
    login_refusal,
    split_student_username,
)
from tutor.ui.login_page import refusal_text
from tutor.web.login_guard import make_auth

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
    """The `async def` for `launch(auth=...)`: the argon2 check and the store's lockout, run
    in a few worker threads off the event loop (tutor.web.login_guard.make_auth), with the
    caller's address for the per-client lockout; a failure is answered with the login
    page's words for it (locked and for how long, or tries left)."""

    def check(username: str, password: str, client: str | None) -> LoginResult | None:
        return log_in(sessions=sessions, username=username, password=password, client=client)

    def explain(username: str, client: str | None) -> str:
        return refusal_text(login_refusal(sessions=sessions, username=username, client=client))

    return make_auth(check, explain=explain)


def credential_version(sessions: db.SessionFactory) -> Any:
    """(role, account id) -> the account's credential version, or None when it is gone: what
    the login-session book re-reads to end sessions of deleted or reset accounts."""

    def lookup(role: str, account_id: int) -> int | None:
        if role not in ("teacher", "student"):
            return None
        with db.read_session(sessions) as session:
            return db.credential_version_of(
                session=session,
                role="teacher" if role == "teacher" else "student",
                account_id=account_id,
            )

    return lookup
