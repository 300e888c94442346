"""The composition: settings -> database -> tutor (with the generator handed in) -> the app.

`app.py` and `tutor serve` both call `serve()`, and tests call `build_app()` with their own
generator. The generator is loaded by the caller (an edge that may import `adapters`), once
per process, and shared by every user through the one `Tutor`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

import students_db as db
from tutor.accounts import create_teacher
from tutor.classroom import Classroom
from tutor.curriculum import load_default_pack
from tutor.demo import login_lines, seed_demo
from tutor.generation import TextGenerator
from tutor.persistence import BackupLoop, PreparedDatabase, prepare_database
from tutor.settings import Settings
from tutor.tutor import Tutor
from tutor.ui.app import build_blocks, launch_kwargs
from tutor.ui.services import Services

log = logging.getLogger(__name__)


def configure_logging(level: str) -> None:
    """Log lines to stderr at `level` (TUTOR_LOG_LEVEL): the operator sees which adapter
    wrote each reply, and every model failure, without a debugger."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=False
    )


NO_TEACHER_HELP = (
    "No teacher account yet. Create one with `tutor teacher add USERNAME` (it asks for a "
    "password), or set TUTOR_ADMIN_USERNAME and TUTOR_ADMIN_PASSWORD before starting."
)


@dataclass(frozen=True)
class BuiltApp:
    blocks: gr.Blocks
    launch_kwargs: dict[str, Any]
    services: Services
    database: PreparedDatabase
    backups: BackupLoop | None
    notes: tuple[str, ...]  # what start-up did, for the operator

    def close(self) -> None:
        """Stop serving, take the shutdown backup, release the database."""
        self.blocks.close()
        if self.backups is not None:
            self.backups.stop()
        self.database.engine.dispose()


def ensure_first_teacher(*, sessions: db.SessionFactory, settings: Settings) -> str | None:
    """Create TUTOR_ADMIN_USERNAME when set and missing; a note for the operator, or None."""
    if settings.admin_username and settings.admin_password is not None:
        with db.read_session(sessions) as session:
            exists = db.get_teacher_login(session=session, username=settings.admin_username)
        if exists is None:
            create_teacher(
                sessions=sessions,
                username=settings.admin_username,
                password=settings.admin_password.get_secret_value(),
            )
            return f"created the teacher {settings.admin_username!r} from TUTOR_ADMIN_USERNAME"
        return None
    with db.read_session(sessions) as session:
        teachers = db.teacher_count(session=session)
    return NO_TEACHER_HELP if not teachers else None


def build_app(
    *, settings: Settings, generator: TextGenerator, start_backups: bool = True
) -> BuiltApp:
    """Everything but the launch: prepared database, tutor, the page and its launch settings."""
    prepared = prepare_database(url=settings.resolved_database_url, backup_dir=settings.backup_dir)
    notes = []
    if prepared.restored_from is not None:
        notes.append(f"restored the database from {prepared.restored_from}")
    if prepared.migrated:
        notes.append("created the database schema (a new, empty SQLite file)")
    sessions = db.make_session_factory(prepared.engine)
    teacher_note = ensure_first_teacher(sessions=sessions, settings=settings)
    if teacher_note:
        notes.append(teacher_note)
    pack = load_default_pack()
    tutor = Tutor(
        sessions=sessions,
        pack=pack,
        generator=generator,
        max_message_chars=settings.max_message_chars,
    )
    services = Services(
        sessions=sessions,
        tutor=tutor,
        classroom=Classroom(sessions=sessions, pack=pack),
        pack=pack,
        max_message_chars=settings.max_message_chars,
        model_note=None if generator.available else generator.unavailable_reason,
    )
    backups = None
    if settings.backup_dir is not None and prepared.engine.dialect.name == "sqlite":
        backups = BackupLoop(
            engine=prepared.engine,
            backup_dir=settings.backup_dir,
            interval_s=settings.backup_interval_minutes * 60,
        )
        if start_backups:
            backups.start()
    blocks = build_blocks(services)
    return BuiltApp(
        blocks=blocks,
        launch_kwargs=launch_kwargs(settings, services),
        services=services,
        database=prepared,
        backups=backups,
        notes=tuple(notes),
    )


def serve(
    settings: Settings,
    *,
    load_generator: Callable[[Settings], TextGenerator],
    echo: Callable[[str], None],
    demo: bool = False,
) -> None:
    """Build and launch the app; blocks until it is stopped, then backs up and cleans up.

    `demo`: first seed a demo teacher, class and students with some practice (through the
    same tutor) and print their logins, so a first run has someone to log in as."""
    configure_logging(settings.log_level)
    echo(f"Loading the model ({settings.base_model}) ...")
    generator = load_generator(settings)
    if generator.available:
        echo("The model is loaded.")
    else:
        echo(
            f"The model is unavailable ({generator.unavailable_reason}): "
            "explanations come from built-in templates."
        )
    built = build_app(settings=settings, generator=generator)
    for note in built.notes:
        if not (demo and note == NO_TEACHER_HELP):
            echo(note)
    if demo:
        school = seed_demo(
            sessions=built.services.sessions, pack=built.services.pack, students=6, turns=12
        )
        for line in login_lines(school, f"http://{settings.host}:{settings.port}"):
            echo(line)
    try:
        built.blocks.launch(**built.launch_kwargs)
    finally:
        built.close()
        close = getattr(generator, "close", None)
        if callable(close):
            close()
