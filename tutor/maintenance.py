"""`tutor maintenance`: the housekeeping that keeps the store within its stated retention.

- Chat messages older than `message_retention_days` (a setting; off when unset) are deleted.
- Login-attempt counters untouched for a day are forgotten (they hold typed usernames).
- Backups beyond the newest `keep_backups` are deleted, which is also when an erased student
  leaves the backups.

Each step is its own short write transaction, so maintenance never holds the lock for long.
It runs in one process at a time across every replica that shares the database (`run_once`):
a second run at the same moment is skipped and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import students_db as db
from tutor.privacy import purge_old_messages

LOGIN_ATTEMPTS_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class MaintenanceReport:
    """What one run removed; None where the step did not run (not configured)."""

    messages_deleted: int | None
    login_attempts_deleted: int
    backups_deleted: tuple[Path, ...] | None
    skipped: str | None = None  # why nothing ran (another process is running maintenance)


def run_maintenance(
    *,
    sessions: db.SessionFactory,
    message_retention_days: int | None,
    backup_dir: Path | None = None,
    keep_backups: int | None = None,
    now: datetime | None = None,
) -> MaintenanceReport:
    """Apply the retention rules once (safe to run again at any time)."""
    with db.run_once(sessions.engine, "maintenance") as mine:
        if not mine:
            return MaintenanceReport(None, 0, None, skipped="another process runs maintenance")
        return _apply(sessions, message_retention_days, backup_dir, keep_backups, now)


def _apply(
    sessions: db.SessionFactory,
    message_retention_days: int | None,
    backup_dir: Path | None,
    keep_backups: int | None,
    now: datetime | None,
) -> MaintenanceReport:
    moment = now or datetime.now(UTC)
    messages = None
    if message_retention_days is not None:
        messages = purge_old_messages(
            sessions=sessions, older_than_days=message_retention_days, now=moment
        )
    with db.write_session(sessions) as session:
        logins = db.purge_login_attempts(session=session, before=moment - LOGIN_ATTEMPTS_KEPT)
    pruned = None
    if backup_dir is not None and keep_backups is not None:
        pruned = tuple(db.prune_backups(backup_dir=backup_dir, keep=keep_backups))
    return MaintenanceReport(
        messages_deleted=messages, login_attempts_deleted=logins, backups_deleted=pruned
    )
