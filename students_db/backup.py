"""Online backups of a live SQLite database, safe while the app keeps writing.

SQLite's backup API copies a consistent snapshot page by page without stopping writers (a
file copy of a WAL database can catch it mid-checkpoint). The copy is checked with
`PRAGMA integrity_check` before it counts as a backup. PostgreSQL has its own tools
(pg_dump, base backups): this module refuses it rather than pretend.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from students_db.errors import StoreError

_PAGES_PER_STEP = 1024  # copy in steps so writers get the lock between them


def backup_sqlite(*, engine: Engine, destination_dir: Path, now: datetime | None = None) -> Path:
    """Write `tutor-YYYYmmddTHHMMSSZ.db` into `destination_dir` and return its path.

    The file is written under a temporary name and renamed only once it passed the integrity
    check, so a half-written or corrupt copy never looks like a backup.
    """
    if engine.dialect.name != "sqlite":
        raise StoreError("online backups here are for SQLite; use pg_dump for PostgreSQL")
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise StoreError("an in-memory database has nothing to back up")
    destination_dir.mkdir(parents=True, exist_ok=True)
    if destination_dir.resolve() == Path(source_path).resolve().parent:
        raise StoreError("back up to another folder than the live database's")
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = destination_dir / f"tutor-{stamp}.db"
    partial = final.with_suffix(".db.partial")
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(partial)
    try:
        source.backup(target, pages=_PAGES_PER_STEP)
        verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise StoreError(f"the backup copy failed its integrity check: {verdict}")
    partial.replace(final)
    return final
