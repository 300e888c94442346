"""Migrations: a blank database upgrades to exactly the models; the app refuses an old schema;
`tutor db upgrade` / `tutor db current` work from nothing; the engine sets its pragmas."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from typer.testing import CliRunner

import students_db
from students_db.models import Base
from tutor.cli import app as cli_app
from tutor.settings import Settings


def _diff(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_blank_database_upgrades_to_exactly_the_models(blank_database_url: str) -> None:
    engine = students_db.make_engine(blank_database_url)
    try:
        assert students_db.current_revision(engine) is None
        assert students_db.upgrade(engine) == students_db.head_revision()
        assert _diff(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        columns = {c["name"] for c in inspect(engine).get_columns("attempts")}
        assert {"client_submission_id", "misconception_id", "seed", "kind"} <= columns
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(blank_database_url: str) -> None:
    engine = students_db.make_engine(blank_database_url)
    try:
        students_db.upgrade(engine)
        assert students_db.downgrade(engine, "base") is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        students_db.upgrade(engine)
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_refuses_to_serve_a_schema_behind_head(blank_database_url: str) -> None:
    engine = students_db.make_engine(blank_database_url)
    try:
        with pytest.raises(students_db.SchemaOutOfDate, match="run `tutor db upgrade`"):
            students_db.ensure_schema_current(engine)
        students_db.upgrade(engine)
        assert students_db.ensure_schema_current(engine) == students_db.head_revision()
        # Pretend the database is at an older revision than the code's head.
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'base0'"))
        with pytest.raises(students_db.SchemaOutOfDate, match="does not know"):
            students_db.ensure_schema_current(engine)
    finally:
        engine.dispose()


def test_behind_message_names_both_revisions_and_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from students_db import schema_check

    engine = students_db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        students_db.upgrade(engine)
        current = students_db.head_revision()
        # The code moves on to a newer revision the database has not seen yet.
        monkeypatch.setattr(schema_check, "head_revision", lambda: "0999")
        monkeypatch.setattr(schema_check, "known_revisions", lambda: {current, "0999"})
        with pytest.raises(students_db.SchemaOutOfDate) as raised:
            students_db.ensure_schema_current(engine)
        expected = f"is at revision {current}, head is 0999: run `tutor db upgrade`"
        assert expected in str(raised.value)
    finally:
        engine.dispose()


def _run(args: list[str], tmp_path: Path) -> tuple[int, str]:
    settings = Settings(data_dir=tmp_path)
    result = CliRunner().invoke(cli_app, args, obj=settings)
    return result.exit_code, result.output


def test_cli_upgrade_creates_sqlite_from_nothing_and_current_prints_head(tmp_path: Path) -> None:
    code, output = _run(["db", "current"], tmp_path)
    assert code == 1 and "run `tutor db upgrade`" in output
    assert not (tmp_path / "tutor.db").exists(), "current must not create the database"
    code, output = _run(["db", "upgrade"], tmp_path)
    assert code == 0, output
    assert (tmp_path / "tutor.db").exists()
    code, output = _run(["db", "current"], tmp_path)
    assert (code, output.strip()) == (0, f"{students_db.head_revision()} (head)")
    assert _run(["db", "check"], tmp_path)[0] == 0


@pytest.mark.parametrize("command", ["upgrade", "current", "check"])
def test_cli_db_commands_have_help(command: str, tmp_path: Path) -> None:
    code, output = _run(["db", command, "--help"], tmp_path)
    assert code == 0 and "Usage" in output


@pytest.mark.parametrize(
    ("background_checkpoints", "synchronous"),
    [(True, 1), (False, 2)],  # NORMAL: the checkpoint thread fsyncs the WAL; FULL: no thread
)
def test_sqlite_connections_get_wal_sync_foreign_keys_and_busy_timeout(
    tmp_path: Path, background_checkpoints: bool, synchronous: int
) -> None:
    engine = students_db.make_engine(
        f"sqlite:///{tmp_path / 'p.db'}",
        busy_timeout_s=7,
        background_checkpoints=background_checkpoints,
    )
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
        assert pragma == {
            "journal_mode": "wal",
            "synchronous": synchronous,
            "foreign_keys": 1,
            "busy_timeout": 7000,
        }
    finally:
        engine.dispose()


def test_write_sessions_begin_immediate_and_read_sessions_plain(tmp_path: Path) -> None:
    from sqlalchemy import event

    engine = students_db.make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, stmt, *a: seen.append(stmt))
    factory = students_db.make_session_factory(engine)
    try:
        with students_db.write_session(factory) as session:
            session.execute(text("SELECT 1"))
        with students_db.read_session(factory) as session:
            session.execute(text("SELECT 1"))
        assert seen == ["BEGIN IMMEDIATE", "SELECT 1", "BEGIN", "SELECT 1"]
    finally:
        engine.dispose()


def test_the_checkpoint_thread_fsyncs_the_wal_that_commits_left_unsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """synchronous=NORMAL commits do not fsync; the power-cut bound is this thread's fsync of
    the WAL every CHECKPOINT_EVERY_S, so it must happen while the app writes."""
    import threading

    from students_db import engine as engine_module

    path = tmp_path / "s.db"
    seen = threading.Event()
    real = engine_module.fsync_path

    def recording(synced: str) -> None:
        real(synced)
        if synced == f"{path}-wal":  # other tests' engines may still have their threads
            seen.set()

    monkeypatch.setattr(engine_module, "fsync_path", recording)
    engine = students_db.make_engine(f"sqlite:///{path}")
    try:
        students_db.upgrade(engine)
        assert seen.wait(timeout=10 * engine_module.CHECKPOINT_EVERY_S)
    finally:
        engine.dispose()
