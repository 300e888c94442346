"""Start-up: a new SQLite file is migrated, a missing one restored from the newest backup, a
behind database with data refused; backups while serving and at shutdown; the first teacher;
the safe launch settings; and the app in template mode says so."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from gradio_client import Client

import students_db as db
from students_db.errors import SchemaOutOfDate
from tests.fixtures.app_server import AppServer
from tutor import accounts
from tutor.dialogue.texts import MODEL_OFF_NOTICE
from tutor.generation import UnavailableGenerator
from tutor.persistence import BackupLoop, prepare_database
from tutor.settings import Settings
from tutor.ui.app import blocked_paths, launch_kwargs
from tutor.ui.compose import NO_TEACHER_HELP, build_app, ensure_first_teacher


def url_of(folder: Path) -> str:
    return f"sqlite:///{folder / 'tutor.db'}"


def test_a_new_sqlite_file_is_migrated(tmp_path: Path) -> None:
    prepared = prepare_database(url=url_of(tmp_path), backup_dir=None)
    try:
        assert prepared.migrated and prepared.restored_from is None
        assert db.current_revision(prepared.engine) == db.head_revision()
    finally:
        prepared.engine.dispose()
    again = prepare_database(url=url_of(tmp_path), backup_dir=None)
    again.engine.dispose()
    assert not again.migrated


def test_a_database_with_data_on_an_old_schema_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "tutor.db") as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.execute("INSERT INTO notes VALUES ('keep me')")
    with pytest.raises(SchemaOutOfDate, match="tutor db upgrade"):
        prepare_database(url=url_of(tmp_path), backup_dir=None)
    with sqlite3.connect(tmp_path / "tutor.db") as connection:
        assert connection.execute("SELECT text FROM notes").fetchall() == [("keep me",)]


def test_backups_while_serving_and_a_restore_at_start(tmp_path: Path) -> None:
    live, backups = tmp_path / "live", tmp_path / "bucket"
    prepared = prepare_database(url=url_of(live), backup_dir=backups)
    sessions = db.make_session_factory(prepared.engine)
    accounts.create_teacher(sessions=sessions, username="kept", password="a long password")
    loop = BackupLoop(engine=prepared.engine, backup_dir=backups, interval_s=0.2)
    loop.start()
    deadline = time.monotonic() + 10
    while not loop.taken and time.monotonic() < deadline:
        time.sleep(0.05)
    assert loop.taken, "the loop took no backup"
    final = loop.stop()
    assert final is not None and final.exists()
    prepared.engine.dispose()

    for path in live.iterdir():  # the Space restarted: its disk is empty again
        path.unlink()
    restored = prepare_database(url=url_of(live), backup_dir=backups)
    try:
        assert restored.restored_from is not None and not restored.migrated
        found = accounts.authenticate(
            sessions=db.make_session_factory(restored.engine),
            username="kept",
            password="a long password",
        )
        assert found is not None and found.role == "teacher"
    finally:
        restored.engine.dispose()


def test_a_failed_backup_is_logged_and_serving_goes_on(tmp_path: Path) -> None:
    prepared = prepare_database(url=url_of(tmp_path / "live"), backup_dir=None)

    def broken(**_kwargs: object) -> Path:
        raise OSError("bucket unmounted")

    loop = BackupLoop(
        engine=prepared.engine, backup_dir=tmp_path / "b", interval_s=60, backup=broken
    )
    try:
        assert loop.backup_now() is None
    finally:
        prepared.engine.dispose()


def test_the_first_teacher_from_settings_or_a_hint(tmp_path: Path) -> None:
    prepared = prepare_database(url=url_of(tmp_path), backup_dir=None)
    sessions = db.make_session_factory(prepared.engine)
    try:
        bare = Settings(data_dir=tmp_path)
        assert ensure_first_teacher(sessions=sessions, settings=bare) == NO_TEACHER_HELP
        admin = Settings(
            data_dir=tmp_path, admin_username="head", admin_password="a secret of length"
        )
        assert "created" in (ensure_first_teacher(sessions=sessions, settings=admin) or "")
        assert ensure_first_teacher(sessions=sessions, settings=admin) is None  # only once
        who = accounts.authenticate(
            sessions=sessions, username="head", password="a secret of length"
        )
        assert who is not None and who.role == "teacher"
        assert ensure_first_teacher(sessions=sessions, settings=bare) is None
    finally:
        prepared.engine.dispose()


def test_the_launch_settings_are_the_safe_ones(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", backup_dir=tmp_path / "bucket")
    built = build_app(settings=settings, generator=UnavailableGenerator(), start_backups=False)
    try:
        kwargs = launch_kwargs(settings, built.services)
        assert kwargs["show_error"] is False
        assert kwargs["enable_monitoring"] is False
        assert kwargs["run_history"] is False
        assert kwargs["allowed_paths"] == []
        assert callable(kwargs["auth"])
        blocked = blocked_paths(settings)
        assert str((tmp_path / "data" / "tutor.db").resolve()) in blocked
        assert str((tmp_path / "bucket").resolve()) in blocked
        assert str(settings.resolved_adapters_dir.resolve()) in blocked
        assert built.blocks._queue.max_size is not None
        # Monitoring is off, yet Gradio's queue rebuilt its summary after every event.
        assert built.blocks._queue.ANAYLTICS_CACHE_FREQUENCY >= 10**9
        assert built.blocks._queue.ANALYTICS_MAX_EVENTS == 1
        model_events = [fn for fn in built.blocks.fns.values() if fn.concurrency_id == "model"]
        assert {fn.api_name for fn in model_events} >= {
            "send", "new_exercise", "hint", "explain_again", "show_solution"
        }  # fmt: skip
    finally:
        built.close()


def test_without_a_model_the_student_is_told_templates_answer(
    template_app_server: AppServer,
) -> None:
    assert not template_app_server.model_available
    student = Client(template_app_server.url, auth=template_app_server.students[0], verbose=False)
    reply, _note = student.predict([], api_name="/new_exercise")
    text = " ".join(str(m["content"]) for m in reply)
    assert MODEL_OFF_NOTICE in text
    history, _ = student.predict("what is a fraction?", reply, api_name="/send")
    assert len(history) == 4 and str(history[-1]["content"]).strip()


def test_the_model_loads_in_the_background_and_templates_answer_meanwhile() -> None:
    """`model_for`: the app does not wait for the model (the slowest part of a start);
    until it is ready the generator is unavailable ("still loading"), then it is the loaded
    one; a load that fails leaves templates, with the reason; TUTOR_REQUIRE_MODEL waits."""
    import threading

    from tutor.generation import ScriptedGenerator
    from tutor.ui.background_model import LOADING, BackgroundModel
    from tutor.ui.compose import model_for

    release = threading.Event()
    said: list[str] = []

    def slow_load(_settings: Settings) -> ScriptedGenerator:
        assert release.wait(10)
        return ScriptedGenerator(default="model words")

    settings = Settings(data_dir=Path("."))
    model = model_for(settings, load_generator=slow_load, echo=said.append)
    assert isinstance(model, BackgroundModel) and model.loading
    model.start()
    assert not model.available and model.unavailable_reason == LOADING
    assert not hasattr(model, "requests")  # the unavailable stand-in has no such attribute
    release.set()
    assert model.wait(10) and model.available
    assert model.requests == []  # the loaded generator's own attributes, by name
    assert said[-1] == "The model is loaded."

    def broken(_settings: Settings) -> ScriptedGenerator:
        raise OSError("no weights here")

    failed = model_for(settings, load_generator=broken, echo=said.append)
    assert isinstance(failed, BackgroundModel) and failed.start().wait(10)
    assert not failed.available and failed.unavailable_reason == "no weights here"
    assert "no weights here" in said[-1]

    required = Settings(data_dir=Path("."), require_model=True)
    release.set()
    loaded = model_for(required, load_generator=slow_load, echo=said.append)
    assert isinstance(loaded, ScriptedGenerator)  # loaded before the app starts
