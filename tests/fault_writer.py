"""The kill harness: a writer process answering exercises through `Tutor.respond`, SIGKILLed at
random moments, and the checks after each kill.

The writer acknowledges a submission (sends its id up a pipe) only after `Tutor.respond`
returned, that is, after the write transaction holding the attempt, the BKT/FSRS change and
the student's message committed. After each kill the harness opens the database afresh (which
recovers the WAL) and checks that every acknowledged submission is there, that
`PRAGMA integrity_check` is "ok", and that every skill state counts exactly the attempts
stored for it (an attempt never lands without its mastery update, nor the reverse).

Writers are forked from a `forkserver` that preloaded this module: a fresh interpreter per
kill would spend 2.5 s importing before it wrote anything.

    python -m tests.fault_writer DB_PATH STUDENT_ID PREFIX   # one writer, acks on stdout
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from random import Random
from typing import Any

import students_db as db
from tutor.curriculum import load_default_pack
from tutor.demo import wrong_answer
from tutor.dialogue.prechecks import check_reply
from tutor.dialogue.state import peek_turn
from tutor.generation import UnavailableGenerator
from tutor.tutor import Tutor

ACK = "ACK "


def writer_loop(*, db_path: Path, student_ids: list[int], prefix: str, ack: Any, seed: int) -> None:
    """Answer forever (until killed): one answer turn per iteration, acked after commit.

    `ack(submission_id)` is called once `respond` returned; the reply is streamed afterwards
    (its `finish` write may be cut by the kill: that is allowed to leave a pending reply).
    """
    engine = db.make_engine(f"sqlite:///{db_path}")
    sessions = db.make_session_factory(engine)
    pack = load_default_pack()
    tutor = Tutor(sessions=sessions, pack=pack, generator=UnavailableGenerator(), seed=seed)
    rng = Random(seed)
    students = list(student_ids)
    for turn in range(10**9):
        slot = turn % len(students)
        exercise = _current_exercise(sessions, pack, students[slot])
        if exercise is None:
            "".join(tutor.new_exercise(students[slot]))
            exercise = _current_exercise(sessions, pack, students[slot])
            if exercise is None:  # mastered everything: a new classmate takes the seat
                students[slot] = _new_classmate(sessions, students[slot], f"{prefix}-{turn}")
                continue
        student = students[slot]
        answer = exercise.answer_text if rng.random() < 0.3 else wrong_answer(exercise, rng)
        submission = f"{prefix}-{turn}"
        records = _records_an_attempt(sessions, exercise, student, answer)
        reply = tutor.respond(student, answer, submission_id=submission)
        if records:  # an answer to an open sub-step, or a malformed one, is no attempt
            ack(submission)
        "".join(reply)


def _records_an_attempt(
    sessions: db.SessionFactory, exercise: Any, student: int, answer: str
) -> bool:
    """Whether `respond` will take `answer` as an attempt at the exercise: decided as the tutor
    decides (its own `peek_turn`, then `check_reply` with the sub-step left open), before it
    answers."""
    with db.read_session(sessions) as session:
        peek = peek_turn(session=session, student_id=student)
    checked = check_reply(exercise, peek.substep, answer, [])
    return checked.substep is None and (
        checked.result is None or checked.result.status != "malformed"
    )


def _new_classmate(sessions: db.SessionFactory, student_id: int, login: str) -> int:
    with db.write_session(sessions) as session:
        same_class = db.get_student(session=session, student_id=student_id)
        assert same_class is not None
        return db.create_student(
            session=session,
            classroom_id=same_class.classroom_id,
            login_name=login,
            display_name=login,
            pin_hash="x",
        ).id


def _current_exercise(sessions: db.SessionFactory, pack: Any, student: int) -> Any | None:
    with db.read_session(sessions) as session:
        active = db.get_active_exercise(session=session, student_id=student)
    return None if active is None else pack.exercise_by_id(active.exercise_id, active.seed)


def _forked_writer(
    db_path: str, student_ids: list[int], prefix: str, conn: Connection, seed: int
) -> None:
    # One small write per ack: a pipe write under PIPE_BUF is atomic, so a kill never tears one.
    writer_loop(
        db_path=Path(db_path),
        student_ids=student_ids,
        prefix=prefix,
        ack=lambda submission: conn.send_bytes(submission.encode()),
        seed=seed,
    )


# -- the harness ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KillReport:
    kills: int
    acked: int
    lost: int
    integrity: str
    mismatched_states: int
    wall_s: float

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.integrity == "ok" and self.mismatched_states == 0


def prepare_database(db_path: Path, students: int = 4) -> list[int]:
    """A fresh database at head with one class of `students` students; returns their ids."""
    engine = db.make_engine(f"sqlite:///{db_path}")
    try:
        db.upgrade(engine)
        with db.write_session(db.make_session_factory(engine)) as session:
            teacher = db.create_teacher(
                session=session, username="crash", display_name="Crash", password_hash="x"
            )
            room = db.create_classroom(session=session, teacher_id=teacher.id, name="kills")
            return [
                db.create_student(
                    session=session,
                    classroom_id=room.id,
                    login_name=f"s{i}",
                    display_name=f"S{i}",
                    pin_hash="x",
                ).id
                for i in range(students)
            ]
    finally:
        engine.dispose()


def run_kills(
    *,
    db_path: Path,
    kills: int,
    seed: int = 0,
    max_delay_s: float = 0.25,
    check_every: int = 1,
) -> KillReport:
    """Start a writer, kill it with SIGKILL after a random delay, check, repeat `kills` times.

    The delay starts once the writer acknowledged its first answer (so each kill lands in the
    middle of the answer turns, not in start-up); it is uniform in [0, max_delay_s].
    """
    started = time.perf_counter()
    students = prepare_database(db_path)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    rng = Random(seed)
    acked: set[str] = set()
    lost = 0
    verdict = "ok"
    mismatched = 0
    for kill in range(kills):
        receiver, sender = context.Pipe(duplex=False)
        writer = context.Process(
            target=_forked_writer,
            args=(str(db_path), students, f"k{kill}", sender, seed * 100_003 + kill),
            daemon=True,
        )
        writer.start()
        sender.close()
        if not receiver.poll(60):
            writer.kill()
            raise RuntimeError(f"writer {kill} acknowledged nothing within 60 s")
        time.sleep(rng.uniform(0, max_delay_s))
        os.kill(writer.pid or 0, signal.SIGKILL)
        writer.join()
        acked.update(_drain_acks(receiver))
        if (kill + 1) % check_every == 0 or kill == kills - 1:
            lost, verdict, mismatched = check_database(db_path, acked)
            if lost or verdict != "ok" or mismatched:
                return KillReport(
                    kill + 1, len(acked), lost, verdict, mismatched, time.perf_counter() - started
                )
    return KillReport(kills, len(acked), lost, verdict, mismatched, time.perf_counter() - started)


def _drain_acks(receiver: Connection) -> list[str]:
    found = []
    try:
        while receiver.poll(0):
            found.append(receiver.recv_bytes().decode())
    except (EOFError, OSError):
        pass  # the writer died; everything it sent before is already read
    finally:
        receiver.close()
    return found


def check_database(db_path: Path, acked: set[str]) -> tuple[int, str, int]:
    """(acked submissions missing, integrity_check verdict, skill states whose count
    disagrees with their attempts), read on a fresh connection as a restarted app would."""
    connection = sqlite3.connect(db_path)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        stored = {row[0] for row in connection.execute("SELECT client_submission_id FROM attempts")}
        mismatched = connection.execute(
            """SELECT count(*) FROM skill_states s WHERE s.attempts_count != (
                SELECT count(*) FROM attempts a
                WHERE a.student_id = s.student_id AND a.skill_key = s.skill_key)"""
        ).fetchone()[0]
        orphans = connection.execute(
            """SELECT count(*) FROM attempts a WHERE NOT EXISTS (SELECT 1 FROM skill_states s
               WHERE s.student_id = a.student_id AND s.skill_key = a.skill_key)"""
        ).fetchone()[0]
    finally:
        connection.close()
    return len(acked - stored), verdict, mismatched + orphans


def main(argv: list[str]) -> int:
    """One writer in this process, printing `ACK <id>` after each commit (until killed)."""
    db_path, student, prefix = Path(argv[0]), int(argv[1]), argv[2]

    def ack(submission: str) -> None:
        sys.stdout.write(f"{ACK}{submission}\n")
        sys.stdout.flush()

    writer_loop(db_path=db_path, student_ids=[student], prefix=prefix, ack=ack, seed=0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
