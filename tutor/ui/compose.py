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
from tutor.curriculum.pack import Pack
from tutor.demo import login_lines
from tutor.demo_start import DemoSeeding
from tutor.generation import TextGenerator
from tutor.persistence import BackupLoop, PreparedDatabase, prepare_database
from tutor.settings import Settings
from tutor.tutor import Tutor
from tutor.ui.app import build_blocks, launch_kwargs
from tutor.ui.background_model import BackgroundModel
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
    *,
    settings: Settings,
    generator: TextGenerator,
    start_backups: bool = True,
    prepared: PreparedDatabase | None = None,
    pack: Pack | None = None,
) -> BuiltApp:
    """Everything but the launch: prepared database, tutor, the page and its launch settings
    (the database and the pack: the caller's, when it prepared and loaded them already)."""
    if prepared is None:
        prepared = prepare_database(
            url=settings.resolved_database_url, backup_dir=settings.backup_dir
        )
    notes = []
    if prepared.restored_from is not None:
        notes.append(f"restored the database from {prepared.restored_from}")
    if prepared.migrated:
        notes.append("created the database schema (a new, empty SQLite file)")
    sessions = db.make_session_factory(prepared.engine)
    teacher_note = ensure_first_teacher(sessions=sessions, settings=settings)
    if teacher_note:
        notes.append(teacher_note)
    pack = pack or load_default_pack()
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
    demo: DemoSeeding | None = None,
) -> None:
    """Build and launch the app; blocks until it is stopped, then backs up and cleans up.

    The model loads in a background thread (`BackgroundModel`) from the launch on, so the
    app is up before it (the slowest part of a start, and on a small machine it would only
    slow the rest down): templates answer until it is ready. With TUTOR_REQUIRE_MODEL it
    loads first, and a failure stops the start.
    `demo`: a demo school being seeded (`tutor.demo_start`, started before Gradio was
    imported, on the database and pack the app then uses); its logins are printed before
    the launch, so a first run has someone to log in as."""
    configure_logging(settings.log_level)
    generator = model_for(settings, load_generator=load_generator, echo=echo)
    built = build_app(
        settings=settings,
        generator=generator,
        prepared=demo.database if demo else None,
        pack=demo.pack if demo else None,
    )
    for note in built.notes:
        if not (demo and note == NO_TEACHER_HELP):
            echo(note)
    if demo is not None:
        school = demo.result()
        for line in login_lines(school, f"http://{settings.host}:{settings.port}"):
            echo(line)
    if isinstance(generator, BackgroundModel):
        generator.start()
    try:
        built.blocks.launch(**built.launch_kwargs)
    finally:
        built.close()
        close = getattr(generator, "close", None)
        if callable(close):
            close()


def model_for(
    settings: Settings,
    *,
    load_generator: Callable[[Settings], TextGenerator],
    echo: Callable[[str], None],
) -> TextGenerator:
    """The generator the app serves with: a `BackgroundModel` for the caller to `start()`
    (the default), or loaded here, before anything else, when TUTOR_REQUIRE_MODEL says the
    app needs it."""
    if settings.require_model:
        echo("Loading the model (TUTOR_REQUIRE_MODEL: the app starts once it is loaded) ...")
        loaded = load_generator(settings)
        say_model(loaded, echo)
        return loaded
    echo("The model loads in the background once the app is up; until then, templates explain.")
    return BackgroundModel(
        lambda: load_generator(settings), on_ready=lambda ready: say_model(ready, echo)
    )


def say_model(generator: TextGenerator, echo: Callable[[str], None]) -> None:
    """One line for the operator: which model serves, or why templates do."""
    if generator.available:
        base = getattr(generator, "base_model", None)
        echo(f"The model is loaded ({base})." if isinstance(base, str) else "The model is loaded.")
    else:
        echo(
            f"The model is unavailable ({generator.unavailable_reason}): "
            "explanations come from built-in templates."
        )
