"""Moved to `tutor.persistence` (operations code, not UI); kept so existing imports work."""

from tutor.persistence import BackupLoop, PreparedDatabase, prepare_database, sqlite_path

__all__ = ["BackupLoop", "PreparedDatabase", "prepare_database", "sqlite_path"]
