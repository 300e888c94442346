"""Online SQLite backups: a consistent, checked copy that holds what was committed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import students_db as db
from students_db.backup import backup_sqlite
from tests.fixtures.postgres import REQUIRE_ENV, _unavailable


def test_backup_copies_committed_rows_while_the_engine_is_open(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'live' / 'tutor.db'}")
    (tmp_path / "live").mkdir()
    try:
        db.upgrade(engine)
        factory = db.make_session_factory(engine)
        with db.write_session(factory) as session:
            db.create_teacher(session=session, username="t", display_name="T", password_hash="h")
        path = backup_sqlite(
            engine=engine,
            destination_dir=tmp_path / "backups",
            now=datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
        )
    finally:
        engine.dispose()
    assert path.name == "tutor-20260501T120000Z.db"
    copy = db.make_engine(f"sqlite:///{path}")
    try:
        db.ensure_schema_current(copy)
        with db.read_session(db.make_session_factory(copy)) as session:
            assert db.get_teacher_login(session=session, username="t") is not None
    finally:
        copy.dispose()
    assert not list((tmp_path / "backups").glob("*.partial"))


def test_backup_refuses_the_live_folder(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'tutor.db'}")
    try:
        db.upgrade(engine)
        with pytest.raises(db.StoreError, match="another folder"):
            backup_sqlite(engine=engine, destination_dir=tmp_path)
    finally:
        engine.dispose()


def test_missing_postgres_skips_on_a_laptop_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL unavailable: no initdb"):
        _unavailable("no initdb")
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="required"):
        _unavailable("no initdb")
