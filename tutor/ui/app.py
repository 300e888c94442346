"""The Gradio app: one page, a student view and a teacher view, and the safe launch settings.

The page shows the view of the logged-in role; both are built, and the one that does not
apply stays hidden. Hiding is cosmetic: every handler checks the caller's role itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from tutor.persistence import sqlite_path
from tutor.settings import Settings
from tutor.ui.identity import auth_function, caller, credential_version
from tutor.ui.keyboard import RADIO_GROUPS_SCRIPT
from tutor.ui.login_page import LOGIN_MESSAGE, LOGIN_SCRIPT
from tutor.ui.services import Services
from tutor.ui.session_guard import SessionGuard
from tutor.ui.student import build_student_view
from tutor.ui.teacher import build_teacher_view
from tutor.web.login_guard import LoginGuard
from tutor.web.origin_guard import OriginGuard
from tutor.web.page_script import PageScript
from tutor.web.sessions import Binding, SessionBook, SessionGate
from tutor.web.timeouts import BodyDeadline

TITLE = "The tutor"
AUTH_MESSAGE = LOGIN_MESSAGE  # the login card's only part an app controls (see login_page)
QUEUE_MAX_SIZE = 64
# Gradio's cache (files written for components) is swept every hour of anything older than
# an hour; the app serves no uploads (the route is closed), so nothing there is ours to keep.
DELETE_CACHE = (3600, 3600)
PAGE_SCRIPTS = LOGIN_SCRIPT + RADIO_GROUPS_SCRIPT  # the app's own, on every page load
# Gradio's queue rebuilds a pandas summary of its last GRADIO_ANALYTICS_MAX_EVENTS events after
# every event (for its monitoring page, which this app does not use): a cost per request that
# grew with uptime, to tens of ms at the default 10,000. Read when the Blocks' queue is made.
QUEUE_ANALYTICS = {
    "GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000000000",
    "GRADIO_ANALYTICS_MAX_EVENTS": "1",
}


def build_blocks(services: Services) -> gr.Blocks:
    """The page; `services` is the per-process state (store, tutor with its one model)."""
    for name, value in QUEUE_ANALYTICS.items():
        os.environ.setdefault(name, value)
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=DELETE_CACHE) as demo:
        with gr.Row():
            header = gr.Markdown(f"## {TITLE}", elem_id="header")
            gr.Button("Log out", link="/logout", size="sm", scale=0, elem_id="logout")
        with gr.Column(visible=False) as student_column:
            student = build_student_view(services)
        with gr.Column(visible=False) as teacher_column:
            teacher = build_teacher_view(services)

        def whoami(request: gr.Request) -> tuple[Any, Any, str]:
            identity = caller(services.sessions, request)
            if identity is None:
                return gr.update(visible=False), gr.update(visible=False), "## Please log in."
            is_student = identity.role == "student"
            role = "student" if is_student else "teacher"
            greeting = f"## {TITLE}\nLogged in as **{identity.display}** ({role})."
            return gr.update(visible=is_student), gr.update(visible=not is_student), greeting

        demo.load(
            whoami, None, [student_column, teacher_column, header], api_visibility="private"
        ).then(student["load"], None, student["load_outputs"], api_visibility="private").then(
            teacher["load"], None, teacher["load_outputs"], api_visibility="private"
        )
    demo.queue(max_size=QUEUE_MAX_SIZE, default_concurrency_limit=2, api_open=False)
    return demo


def blocked_paths(settings: Settings) -> list[str]:
    """The database file (and its WAL files), the backups and the adapters: never served."""
    paths: list[Path] = []
    database = sqlite_path(settings.resolved_database_url)
    if database is not None:
        paths += [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    if settings.backup_dir is not None:
        paths.append(settings.backup_dir)
    paths.append(settings.resolved_adapters_dir)
    return [str(p.resolve()) for p in paths]


def end_chat_on_logout(services: Services) -> Callable[[Binding], None]:
    """What a logout does besides ending the login sessions: a student's open chat session
    ends too (its summary stored, so the teacher sees it ended) instead of after hours idle."""

    def ended(binding: Binding) -> None:
        if binding.role == "student":
            services.tutor.end_session(binding.account_id)

    return ended


def middleware(services: Services) -> list[Middleware]:
    """Our ASGI layer in front of Gradio's routes, outermost first (docs/security.md):
    cross-site refusal, body deadlines, the page's scripts (login form, radio keys), the
    login route, login
    sessions bound to accounts (a student's logout ends their chat session), and the
    session-hash guard. Gradio adds its own CORS layer outside all of them."""
    book = SessionBook(credential_version(services.sessions))
    return [
        Middleware(OriginGuard),
        Middleware(BodyDeadline),
        Middleware(PageScript, script=PAGE_SCRIPTS),
        Middleware(LoginGuard, book=book),
        Middleware(SessionGate, book=book, on_logout=end_chat_on_logout(services)),
        Middleware(SessionGuard, book=book),
    ]


def launch_kwargs(settings: Settings, services: Services) -> dict[str, Any]:
    """The safe launch settings (see docs/security.md)."""
    return {
        "auth": auth_function(services.sessions),
        "auth_message": AUTH_MESSAGE,
        "server_name": settings.host,
        "server_port": settings.port,
        "show_error": False,
        "enable_monitoring": False,
        "run_history": False,
        "allowed_paths": [],
        "blocked_paths": blocked_paths(settings),
        "max_file_size": "1mb",
        "strict_cors": True,
        "ssr_mode": False,
        "mcp_server": False,
        "share": False,
        "footer_links": ["gradio"],
        "state_session_capacity": 2000,
        "app_kwargs": {"middleware": middleware(services)},
    }
