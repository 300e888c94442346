"""Restores and pruning: the newest copy that passes its integrity check comes back, bad copies
are skipped, a live database is never overwritten by accident, and old copies go."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import students_db as db
from students_db.backup import (
    backup_sqlite,
    integrity_ok,
    list_backups,
    prune_backups,
    restore_backup,
    restore_newest,
)

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _live_db(template: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tutor.db"
    shutil.copyfile(template, path)
    return path


def _add_teacher(path: Path, username: str) -> None:
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        with db.write_session(db.make_session_factory(engine)) as session:
            db.create_teacher(
                session=session, username=username, display_name=username, password_hash="h"
            )
    finally:
        engine.dispose()


def _teachers(path: Path) -> set[str]:
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        db.ensure_schema_current(engine)
        with db.read_session(db.make_session_factory(engine)) as session:
            return {
                name
                for name in ("first", "second", "third")
                if db.get_teacher_login(session=session, username=name) is not None
            }
    finally:
        engine.dispose()


def _backup(path: Path, backups: Path, at: datetime) -> Path:
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        return backup_sqlite(engine=engine, destination_dir=backups, now=at)
    finally:
        engine.dispose()


def test_restore_newest_brings_back_the_newest_valid_copy_and_skips_a_corrupt_one(
    _sqlite_template: Path, tmp_path: Path
) -> None:
    live = _live_db(_sqlite_template, tmp_path / "live")
    backups = tmp_path / "backups"
    _add_teacher(live, "first")
    _backup(live, backups, T0)
    _add_teacher(live, "second")
    good = _backup(live, backups, T0 + timedelta(minutes=5))
    _add_teacher(live, "third")
    corrupt = _backup(live, backups, T0 + timedelta(minutes=10))
    corrupt.write_bytes(corrupt.read_bytes()[:3000])  # a truncated upload
    assert not integrity_ok(corrupt)

    target = tmp_path / "fresh" / "tutor.db"
    used = restore_newest(backup_dir=backups, target_path=target)

    assert used == good
    assert _teachers(target) == {"first", "second"}
    assert not list(target.parent.glob(".*restoring*"))


def test_restore_newest_refuses_to_overwrite_an_existing_database_without_force(
    _sqlite_template: Path, tmp_path: Path
) -> None:
    live = _live_db(_sqlite_template, tmp_path / "live")
    _add_teacher(live, "first")
    _backup(live, tmp_path / "backups", T0)
    _add_teacher(live, "second")
    before = live.read_bytes()

    with pytest.raises(db.StoreError, match="exists"):
        restore_newest(backup_dir=tmp_path / "backups", target_path=live)
    assert live.read_bytes() == before

    restore_newest(backup_dir=tmp_path / "backups", target_path=live, force=True)
    assert _teachers(live) == {"first"}


def test_restore_newest_without_backups_returns_none_and_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "tutor.db"
    assert restore_newest(backup_dir=tmp_path / "missing", target_path=target) is None
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "tutor-20260101T000000Z.db").write_bytes(b"")  # empty: not a backup
    assert restore_newest(backup_dir=tmp_path / "empty", target_path=target) is None
    assert not target.exists()


def test_restore_backup_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(db.StoreError, match="integrity"):
        restore_backup(source=junk, target_path=tmp_path / "out.db")
    assert not (tmp_path / "out.db").exists()


def test_two_backups_in_one_second_are_both_kept(_sqlite_template: Path, tmp_path: Path) -> None:
    live = _live_db(_sqlite_template, tmp_path / "live")
    first = _backup(live, tmp_path / "backups", T0)
    second = _backup(live, tmp_path / "backups", T0)
    assert first != second and first.exists() and second.exists()
    assert list_backups(backup_dir=tmp_path / "backups") == [second, first]


def test_prune_keeps_the_newest_and_only_touches_backups(
    _sqlite_template: Path, tmp_path: Path
) -> None:
    live = _live_db(_sqlite_template, tmp_path / "live")
    backups = tmp_path / "backups"
    made = [_backup(live, backups, T0 + timedelta(hours=i)) for i in range(5)]
    (backups / "notes.txt").write_text("keep me")
    (backups / "tutor-20260101T000000Z.db.partial").write_bytes(b"half")

    removed = prune_backups(backup_dir=backups, keep=2)

    assert set(removed) >= set(made[:3])
    assert list_backups(backup_dir=backups) == [made[4], made[3]]
    assert (backups / "notes.txt").read_text() == "keep me"
    assert not list(backups.glob("*.partial"))
    with pytest.raises(ValueError, match="keep"):
        prune_backups(backup_dir=backups, keep=0)
