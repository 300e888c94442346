"""Crash safety: a writer answering through `Tutor.respond` is SIGKILLed 20 times at random
moments; after each kill every acknowledged answer is stored and the database is sound.
(`benchmarks/crash.py --kills 200` runs the same harness longer.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.fault_writer import check_database, prepare_database, run_kills


def test_twenty_kills_lose_no_acknowledged_answer(tmp_path: Path) -> None:
    report = run_kills(db_path=tmp_path / "crash.db", kills=20, seed=7, max_delay_s=0.2)
    assert report.kills == 20
    assert report.acked >= 20  # each writer acknowledged at least one answer before its kill
    assert (report.lost, report.integrity, report.mismatched_states) == (0, "ok", 0)


def test_the_checks_see_a_lost_answer_and_an_attempt_without_its_state(tmp_path: Path) -> None:
    path = tmp_path / "check.db"
    (student, *_) = prepare_database(path, students=1)
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO attempts (student_id, skill_key, exercise_id, seed, answer, correct,"
        " hints_used, time_taken_ms, client_submission_id, kind, created_at)"
        " VALUES (?, 'k', 'e', 1, '1', 1, 0, 0, 'stored', 'practice', '2026-01-01 00:00:00')",
        (student,),
    )
    connection.commit()
    connection.close()
    lost, verdict, mismatched = check_database(path, {"stored", "never-stored"})
    assert (lost, verdict, mismatched) == (1, "ok", 1)
