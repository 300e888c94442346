"""The restore drill: seed a school, back it up online while the engine is open, restore into a
new file, and compare every table's row count and a checksum of its ordered rows. Also the
`tutor backup` / `tutor restore` commands, which refuse to overwrite without --yes."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

import students_db as db
from tutor import accounts
from tutor.cli import app as cli_app
from tutor.curriculum import load_default_pack
from tutor.demo import seed_demo


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", lambda: cheap)


def table_fingerprints(path: Path) -> dict[str, tuple[int, str]]:
    """{table: (rows, sha256 of its rows in primary-key order)} for every table in the file."""
    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        prints = {}
        for name in sorted(names):
            digest = hashlib.sha256()
            count = 0
            for row in connection.execute(f'SELECT * FROM "{name}" ORDER BY 1'):
                digest.update(repr(row).encode())
                count += 1
            prints[name] = (count, digest.hexdigest())
        return prints
    finally:
        connection.close()


@pytest.fixture
def seeded_db(_sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "live" / "tutor.db"
    path.parent.mkdir()
    shutil.copyfile(_sqlite_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        seed_demo(
            sessions=db.make_session_factory(engine),
            pack=load_default_pack(),
            students=3,
            turns=6,
            seed=5,
        )
    finally:
        engine.dispose()
    return path


def test_restore_drill_gives_back_every_row_of_every_table(seeded_db: Path, tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{seeded_db}")
    try:
        sessions = db.make_session_factory(engine)
        with db.read_session(sessions):  # the app is running: a connection is open
            backup = db.backup_sqlite(engine=engine, destination_dir=tmp_path / "backups")
        original = table_fingerprints(seeded_db)
    finally:
        engine.dispose()
    restored = tmp_path / "restored" / "tutor.db"
    assert db.restore_newest(backup_dir=tmp_path / "backups", target_path=restored) == backup

    assert original["attempts"][0] == 18 and original["messages"][0] > 0
    assert table_fingerprints(restored) == original
    engine = db.make_engine(f"sqlite:///{restored}")
    try:
        db.ensure_schema_current(engine)
    finally:
        engine.dispose()


def test_cli_backup_and_restore(seeded_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"TUTOR_DATA_DIR": str(seeded_db.parent), "TUTOR_BACKUP_DIR": str(tmp_path / "b")}
    original = table_fingerprints(seeded_db)

    made = runner.invoke(cli_app, ["backup"], env=env)
    assert made.exit_code == 0, made.output
    assert "backup written" in made.output and len(list((tmp_path / "b").glob("*.db"))) == 1

    refused = runner.invoke(cli_app, ["restore"], env=env)
    assert refused.exit_code == 1 and "--yes" in refused.output

    seeded_db.unlink()
    restored = runner.invoke(cli_app, ["restore"], env=env)
    assert restored.exit_code == 0, restored.output
    assert table_fingerprints(seeded_db) == original

    (backup,) = (tmp_path / "b").glob("*.db")
    again = runner.invoke(cli_app, ["restore", "--from", str(backup), "--yes"], env=env)
    assert again.exit_code == 0, again.output
    assert table_fingerprints(seeded_db) == original

    nowhere = runner.invoke(cli_app, ["backup"], env={"TUTOR_DATA_DIR": str(seeded_db.parent)})
    assert nowhere.exit_code == 2 and "TUTOR_BACKUP_DIR" in nowhere.output
