"""Online backups of a live SQLite database, safe while the app keeps writing, and restores.

SQLite's backup API copies a consistent snapshot page by page without stopping writers (a
file copy of a WAL database can catch it mid-checkpoint). The copy is checked with
`PRAGMA integrity_check` before it counts as a backup. PostgreSQL has its own tools
(pg_dump, base backups): this module refuses it rather than pretend.

A restore goes the other way with the same care: the chosen copy is checked, copied through
the backup API into a temporary file next to the target, checked again there, and only then
renamed over the target (a rename is atomic on one file system), so a crash mid-restore leaves
either the old database or the new one, never half of each. Stale `-wal`/`-shm` files of the
replaced database are removed first: SQLite would otherwise replay the old WAL into the new file.

Backups are named `tutor-YYYYmmddTHHMMSSZ.db`; the name sorts by time, which is how "newest"
and "prune" read them. Pruning old copies is also how a deleted student's data leaves the
backups (the retention window is `keep` times the backup interval).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from students_db.engine import fsync_path
from students_db.errors import StoreError

_PAGES_PER_STEP = 1024  # copy in steps so writers get the lock between them
BACKUP_PATTERN = re.compile(r"^tutor-\d{8}T\d{6}Z(?:-\d+)?\.db$")
_SIDE_FILES = ("-wal", "-shm", "-journal")


def backup_sqlite(*, engine: Engine, destination_dir: Path, now: datetime | None = None) -> Path:
    """Write `tutor-YYYYmmddTHHMMSSZ.db` into `destination_dir` and return its path.

    The file is written under a temporary name and renamed only once it passed the integrity
    check, so a half-written or corrupt copy never looks like a backup. A second backup within
    the same second gets a `-N` suffix instead of overwriting the first.
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
    final = _free_name(destination_dir, f"tutor-{stamp}")
    partial = final.with_suffix(".db.partial")
    _copy_checked(Path(source_path), partial)
    partial.replace(final)
    return final


def _free_name(folder: Path, stem: str) -> Path:
    candidate = folder / f"{stem}.db"
    counter = 1
    while candidate.exists():
        candidate = folder / f"{stem}-{counter}.db"
        counter += 1
    return candidate


def _copy_checked(source: Path, destination: Path) -> None:
    """Copy `source` into `destination` through the backup API and check the copy; on any
    failure nothing is left at `destination`."""
    destination.unlink(missing_ok=True)
    try:
        reader = sqlite3.connect(source)
        writer = sqlite3.connect(destination)
        try:
            reader.backup(writer, pages=_PAGES_PER_STEP)
            verdict = writer.execute("PRAGMA integrity_check").fetchone()[0]
            # The restored file should not need the journal mode of its source to be read.
            writer.execute("PRAGMA journal_mode=DELETE")
        finally:
            writer.close()
            reader.close()
    except sqlite3.Error as error:
        _remove_with_side_files(destination)
        raise StoreError(f"could not copy {source}: {error}") from error
    if verdict != "ok":
        _remove_with_side_files(destination)
        raise StoreError(f"the copy of {source} failed its integrity check: {verdict}")


def integrity_ok(path: Path) -> bool:
    """Whether `path` is a non-empty SQLite database whose `PRAGMA integrity_check` is "ok".

    A missing file is not created: it is simply not ok."""
    if not path.is_file():
        return False
    try:
        connection = sqlite3.connect(path)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    # An empty file passes the check but holds nothing: restoring it would wipe the data.
    return verdict == "ok" and tables > 0


def list_backups(*, backup_dir: Path) -> list[Path]:
    """The backups in `backup_dir`, newest first (by the timestamp in their names)."""
    if not backup_dir.is_dir():
        return []
    found = [p for p in backup_dir.iterdir() if p.is_file() and BACKUP_PATTERN.match(p.name)]
    return sorted(found, key=_sort_key, reverse=True)


def _sort_key(path: Path) -> tuple[str, int]:
    stem = path.stem.removeprefix("tutor-")
    stamp, _, counter = stem.partition("-")
    return stamp, int(counter or 0)


def restore_backup(*, source: Path, target_path: Path, force: bool = False) -> Path:
    """Restore the database at `source` (a backup file) to `target_path`; returns the target.

    Refuses (`StoreError`, nothing changed) when `source` fails its integrity check, or when
    `target_path` exists and `force` is not set: overwriting a live database is a decision
    for the operator. Stop the app first: a process holding the old file open keeps writing
    to it, not to the restored one.
    """
    if not integrity_ok(source):
        raise StoreError(f"{source} is not a SQLite database that passes its integrity check")
    if target_path.exists() and not force:
        raise StoreError(f"{target_path} exists; refusing to overwrite it without force")
    if source.resolve() == target_path.resolve():
        raise StoreError("the backup and the target are the same file")
    target_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = target_path.with_name(f".{target_path.name}.restoring")
    _copy_checked(source, temporary)
    for suffix in _SIDE_FILES:
        Path(f"{target_path}{suffix}").unlink(missing_ok=True)
    os.replace(temporary, target_path)
    _fsync_folder(target_path.parent)
    return target_path


def restore_newest(*, backup_dir: Path, target_path: Path, force: bool = False) -> Path | None:
    """Restore the newest backup in `backup_dir` that passes `PRAGMA integrity_check`; returns
    the backup used, or None when there is none (the target is then left alone).

    Corrupt or truncated copies are skipped, so one bad upload never blocks a start. Refuses
    (`StoreError`) to overwrite an existing `target_path` unless `force`: the app calls this
    at start only when its database file is missing.
    """
    if target_path.exists() and not force:
        raise StoreError(f"{target_path} exists; refusing to overwrite it without force")
    for candidate in list_backups(backup_dir=backup_dir):
        if integrity_ok(candidate):
            restore_backup(source=candidate, target_path=target_path, force=force)
            return candidate
    return None


def prune_backups(*, backup_dir: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups in `backup_dir`; returns the deleted paths.

    Only files named like our backups are touched. Leftover `.partial` files of crashed
    backups are removed too (they never counted as backups).
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (the newest backup stays); got {keep}")
    removed = list_backups(backup_dir=backup_dir)[keep:]
    if backup_dir.is_dir():
        removed += sorted(backup_dir.glob("tutor-*.db.partial"))
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _remove_with_side_files(path: Path) -> None:
    path.unlink(missing_ok=True)
    for suffix in _SIDE_FILES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable: a rename lives in the folder's entry, not the file. Best
    effort: a folder that cannot be opened or synced is left as it is."""
    with contextlib.suppress(OSError):
        fsync_path(folder)
