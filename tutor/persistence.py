"""The database the app serves from: restored, migrated when brand new, backed up while serving.

On Spaces the disk is ephemeral: the live SQLite file sits on local disk and online backups go
to `TUTOR_BACKUP_DIR` (a mounted bucket). At start, a missing SQLite file is restored from the
newest backup that passes its integrity check. A brand-new (or empty) SQLite file is migrated
here so `python app.py` works on a fresh machine; a database that holds data and is behind is
refused with the message naming `tutor db upgrade` (an operator takes a backup first).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

import students_db as db
from students_db import backup as backup_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedDatabase:
    """What start-up did to the database, for the operator's log."""

    engine: Engine
    restored_from: Path | None
    migrated: bool


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def restore_if_missing(*, url: str, backup_dir: Path | None) -> Path | None:
    """Restore the newest valid backup when the SQLite file is missing; the copy used, or None."""
    target = sqlite_path(url)
    if target is None or backup_dir is None or target.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    return backup_store.restore_newest(backup_dir=backup_dir, target_path=target)


def _is_empty(engine: Engine) -> bool:
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is not None and not path.exists():
        return True
    return not inspect(engine).get_table_names()


def prepare_database(*, url: str, backup_dir: Path | None) -> PreparedDatabase:
    """Restore (SQLite, file missing), migrate a new empty SQLite file, else check the schema.

    Raises `SchemaOutOfDate` (naming `tutor db upgrade`) for a database with data that is
    behind, and for an empty PostgreSQL database (migrations there are the operator's step).
    """
    restored = restore_if_missing(url=url, backup_dir=backup_dir)
    if restored is not None:
        log.info("restored the database from %s", restored)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(url)
    migrated = False
    if path is not None and _is_empty(engine):
        db.upgrade(engine)
        migrated = True
    db.ensure_schema_current(engine)
    return PreparedDatabase(engine=engine, restored_from=restored, migrated=migrated)


class BackupLoop:
    """A daemon thread that takes an online backup every `interval_s`, and one at `stop()`;
    only the newest `keep` copies stay.

    A failed backup is logged and retried at the next tick: serving students matters more than
    one missed copy. Does nothing for PostgreSQL (its own tools back it up).
    """

    def __init__(
        self,
        *,
        engine: Engine,
        backup_dir: Path,
        interval_s: float,
        keep: int = 48,
        backup: Callable[..., Path] = backup_store.backup_sqlite,
    ) -> None:
        self._engine = engine
        self._dir = backup_dir
        self._interval = interval_s
        self._backup = backup
        self._keep = keep
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.taken: list[Path] = []

    @property
    def enabled(self) -> bool:
        return self._engine.dialect.name == "sqlite"

    def start(self) -> None:
        if not self.enabled or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="tutor-backups", daemon=True)
        self._thread.start()

    def backup_now(self) -> Path | None:
        """One backup (serialised with the loop's); None when it failed or is not SQLite."""
        if not self.enabled:
            return None
        with self._lock:
            try:
                path = self._backup(engine=self._engine, destination_dir=self._dir)
                backup_store.prune_backups(backup_dir=self._dir, keep=self._keep)
            except Exception:
                log.exception("online backup to %s failed", self._dir)
                return None
        self.taken.append(path)
        return path

    def stop(self) -> Path | None:
        """Stop the loop and take the shutdown backup."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        return self.backup_now()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.backup_now()
