"""Jobs that must run once across replicas (maintenance, backups): `run_once` lets exactly one
process in at a time, on SQLite (a file lock) and on PostgreSQL (an advisory lock)."""

from __future__ import annotations

import students_db as db
from tutor.maintenance import run_maintenance


def test_only_one_holder_at_a_time_and_free_again_after(database_url: str) -> None:
    first, second = db.make_engine(database_url), db.make_engine(database_url)
    try:
        with db.run_once(first, "maintenance") as won:
            assert won
            with db.run_once(second, "maintenance") as also:
                assert not also  # the other replica skips
            with db.run_once(second, "backup") as other_job:
                assert other_job  # a different job is not blocked
        with db.run_once(second, "maintenance") as now_free:
            assert now_free
    finally:
        first.dispose()
        second.dispose()


def test_maintenance_on_a_second_replica_is_skipped_while_one_runs(database_url: str) -> None:
    first, second = db.make_engine(database_url), db.make_engine(database_url)
    try:
        sessions = db.make_session_factory(second)
        with db.run_once(first, "maintenance"):
            report = run_maintenance(sessions=sessions, message_retention_days=30)
        assert report.skipped == "another process runs maintenance"
        assert run_maintenance(sessions=sessions, message_retention_days=30).skipped is None
    finally:
        first.dispose()
        second.dispose()
