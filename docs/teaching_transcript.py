"""Acceptance 3 of issue 10: a `tutor chat` session through a pseudo-terminal, as a student
with the borrowing bug would type it.

    python docs/teaching_transcript.py [--out docs/teaching_transcript.txt]

Sets up a fresh SQLite store (a teacher, a class, one student whose current exercise is a
subtraction that borrows in the tens column), then runs the real `python -m tutor chat
--templates` in a pseudo-terminal and types, line by line, what the student types:

1. the answer the "smaller digit from the larger" rule gives (computed from the exercise's
   own misconception rule, not typed in here),
2. the answer to the sub-step the tutor asks (the step's result from the trace),
3. the exercise's answer,
4. "why do we borrow?",
5. "I hate this",
6. /quit.

Everything the terminal showed is written to `--out` and printed.
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import students_db as db  # noqa: E402
from students_db import models  # noqa: E402
from tutor import accounts  # noqa: E402
from tutor.curriculum import load_default_pack  # noqa: E402
from tutor.curriculum.model import Exercise  # noqa: E402

SKILL = "whole.subtract"


def borrowing_exercise(pack, place: str = "tens column") -> tuple[Exercise, str, str]:  # type: ignore[no-untyped-def]
    """A subtraction whose borrowing slip shows first in `place`: (exercise, the slip's
    wrong answer, the slipped step's right result)."""
    for seed in range(5000):
        exercise = pack.exercise(SKILL, seed)
        for rule in exercise.misconceptions:
            if rule.id != "smaller_from_larger" or not rule.slips or rule.slips[0] is None:
                continue
            step = exercise.solution[rule.slips[0].step_index]
            if step.place == place and step.result:
                return exercise, str(rule.answers[0]), step.result
    raise LookupError(f"no {SKILL} exercise slips first in the {place}")


def set_up(database: Path) -> tuple[str, Exercise, list[str]]:
    """The store, the student, the current exercise; returns (CODE/name, exercise, lines)."""
    engine = db.make_engine(f"sqlite:///{database}")
    db.upgrade(engine)
    sessions = db.make_session_factory(engine)
    pack = load_default_pack()
    teacher = accounts.create_teacher(
        sessions=sessions, username="ms-rivera", password="a long password", display_name="Ms R"
    )
    klass = accounts.create_class(sessions=sessions, teacher_id=teacher.id, name="5B")
    ((login, _pin),) = accounts.add_students(
        sessions=sessions, teacher_id=teacher.id, classroom_id=klass.id, names=["Sam"],
        grade_level=5,
    )  # fmt: skip
    exercise, wrong, step_result = borrowing_exercise(pack)
    open_exercise(sessions, f"{klass.join_code}/{login}", exercise)
    engine.dispose()
    lines = [wrong, step_result, exercise.answer_text, "why do we borrow?", "I hate this", "/quit"]
    return f"{klass.join_code}/{login}", exercise, lines


def open_exercise(sessions: db.SessionFactory, login: str, exercise: Exercise) -> None:
    """Make `exercise` the current exercise of the student who logs in as `login`
    (`CODE/name`), as a teacher's assignment would."""
    code, name = login.split("/", 1)
    with db.write_session(sessions) as session:
        student = db.get_student_login(session=session, join_code=code, login_name=name)
        assert student is not None, login
        db.set_active_exercise(
            session=session,
            student_id=student.id,
            skill_key=exercise.skill_key,
            exercise_id=exercise.id,
            seed=exercise.seed,
            kind="practice",
            reason="assigned by your teacher",
        )


def run_in_pty(argv: list[str], lines: list[str], env: dict[str, str], prompt: bytes) -> str:
    """Run `argv` on a pseudo-terminal; type each line after the next `prompt` (the student's
    "name> "); return everything the terminal showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    seen = bytearray()
    pending = list(lines)
    deadline = time.monotonic() + 600  # the real model loads and writes on a CPU
    prompts = 0
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen.extend(chunk)
        if seen.count(prompt) > prompts and pending:
            prompts = seen.count(prompt)
            os.write(master, (pending.pop(0) + "\n").encode())
        if proc.poll() is not None and not ready:
            break
    proc.wait(timeout=30)
    os.close(master)
    return seen.decode("utf-8", "replace").replace("\r\n", "\n")


def replies_as_stored(database: Path) -> str:
    """Each tutor reply as the store recorded it: which task and adapter, and whether the
    model's words were shown (`ok`) or failed the verifier and the template was (`fallback`)."""
    engine = db.make_engine(f"sqlite:///{database}")
    with db.read_session(db.make_session_factory(engine)) as session:
        rows = session.execute(
            models.Message.__table__.select()
            .where(models.Message.role == "tutor")
            .order_by(models.Message.id)
        ).all()
    engine.dispose()
    lines = ["", "replies as stored (task, adapter, status, first words):"]
    for row in rows:
        words = " ".join(row.text.split())[:90]
        lines.append(f"  {row.task or '-':<22} {row.adapter or '-':<10} {row.status:<9} {words}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "teaching_transcript.txt")
    parser.add_argument(
        "--model",
        action="store_true",
        help="word the plans with the serving model and its adapters (not --templates); the "
        "store's record of each tutor reply (task, adapter, ok/fallback) is printed after",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "tutor.db"
        who, exercise, lines = set_up(database)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "TUTOR_DATA_DIR": folder,
            "PYTHONPATH": str(ROOT),
        }
        mode = [] if args.model else ["--templates"]
        argv = [sys.executable, "-m", "tutor", "chat", "--student", who, *mode]
        name = who.split("/", 1)[1]
        transcript = run_in_pty(argv, lines, env, prompt=f"{name}> ".encode())
        if args.model:
            transcript += replies_as_stored(database)
    header = (
        f"$ tutor chat --student {who} {' '.join(mode)}   "
        f"# current exercise: {exercise.statement} (answer {exercise.answer_text})\n"
    )
    args.out.write_text(header + transcript)
    sys.stdout.write(header + transcript)


if __name__ == "__main__":
    main()
