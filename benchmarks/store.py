"""How fast the store answers the tutor's hot paths on a big SQLite database.

Seeds (with bulk inserts, through the real migrations' schema) 100,000 students in classes of
40 and 5,000,000 attempts over 50 skills, then times, with the real query functions:

- record an attempt with its skill-state update (one write transaction, committed: fsync);
- load one student's learner context (one read transaction);
- the class x skill mastery table of a class of 40 students and 50 skills (a teacher read,
  which also appends 40 access-log rows).

Each is printed as median and p99, and as a ratio to a baseline measured in the same run: an
empty write transaction (BEGIN IMMEDIATE + COMMIT) or an empty read transaction.

Recording is also timed the way the store worked before (every commit fsyncs the WAL,
`synchronous=FULL`, and SQLite's automatic WAL checkpoint runs inside whichever commit fills
the WAL), in blocks alternating with today's engine (`synchronous=NORMAL`, a background thread
fsyncs the WAL and checkpoints every 0.5 s), so the p99 of both comes from the same run and
the same database. Both use today's statements.

    python benchmarks/store.py                         # the full size (a few minutes to seed)
    python benchmarks/store.py --students 2000 --attempts 100000    # a quick run
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

import students_db as db

SKILL_PREFIX = "skill."
CHUNK = 50_000
START = datetime(2026, 1, 1, tzinfo=UTC)


def _ts(moment: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME text format (naive UTC), so ordering matches its writes."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _chunks(rows: Iterator[tuple], size: int = CHUNK) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(engine, *, students: int, attempts: int, skills: int, class_size: int) -> dict:
    """Bulk-insert the population through one raw connection, in large transactions."""
    rng = random.Random(7)
    classes = max(1, (students + class_size - 1) // class_size)
    teachers = max(1, classes // 5)
    per_student = max(1, attempts // students)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        now = _ts(START)
        cursor.executemany(
            "INSERT INTO teachers (id, username, display_name, password_hash, created_at)"
            " VALUES (?, ?, ?, 'x', ?)",
            [(t, f"teacher{t}", f"Teacher {t}", now) for t in range(1, teachers + 1)],
        )
        cursor.executemany(
            "INSERT INTO classrooms (id, teacher_id, name, join_code, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (c, (c - 1) % teachers + 1, f"Class {c}", f"C{c:07d}", now)
                for c in range(1, classes + 1)
            ],
        )
        cursor.executemany(
            "INSERT INTO students (id, classroom_id, login_name, display_name, pin_hash,"
            " grade_level, preferences, active, created_at) VALUES (?, ?, ?, ?, 'x', 7, ?, 1, ?)",
            [
                (
                    s,
                    (s - 1) // class_size + 1,
                    f"s{s}",
                    f"Student {s}",
                    json.dumps({"style": "steps"}),
                    now,
                )
                for s in range(1, students + 1)
            ],
        )
        cursor.execute("COMMIT")

        def attempt_rows() -> Iterator[tuple]:
            attempt_id = 0
            for student in range(1, students + 1):
                for n in range(per_student):
                    attempt_id += 1
                    if attempt_id > attempts:
                        return
                    correct = rng.random() < 0.7
                    yield (
                        attempt_id,
                        student,
                        f"{SKILL_PREFIX}{n % skills}",
                        f"ex{n}",
                        n,
                        "42",
                        correct,
                        None if correct else "m1",
                        0,
                        9000,
                        f"sub{n}",
                        "practice",
                        _ts(START + timedelta(minutes=n)),
                    )

        for batch in _chunks(attempt_rows()):
            cursor.execute("BEGIN")
            cursor.executemany(
                "INSERT INTO attempts (id, student_id, skill_key, exercise_id, seed, answer,"
                " correct, misconception_id, hints_used, time_taken_ms, client_submission_id,"
                " kind, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
            cursor.execute("COMMIT")

        practised = min(skills, per_student)
        state_rows = (
            (s, f"{SKILL_PREFIX}{k}", rng.random(), per_student // practised, 1, now)
            for s in range(1, students + 1)
            for k in range(practised)
        )
        for batch in _chunks(state_rows):
            cursor.execute("BEGIN")
            cursor.executemany(
                "INSERT INTO skill_states (student_id, skill_key, p_known, attempts_count,"
                " correct_count, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                batch,
            )
            cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
        cursor.close()
    finally:
        raw.close()
    return {"classes": classes, "teachers": teachers, "skill_states": students * practised}


def timed(
    reps: int, operation: Callable[[int], None], rng: random.Random, upper: int
) -> list[float]:
    samples = []
    for _ in range(reps):
        target = rng.randint(1, upper)
        started = time.perf_counter()
        operation(target)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def record_blocks(
    path: Path, args: argparse.Namespace, record: Callable[..., None], rng: random.Random
) -> tuple[list[float], list[float]]:
    """Record attempts in alternating blocks: an engine that checkpoints inside commits (how
    the store worked before) and a fresh engine with the background checkpointer. Each
    block's engine is dropped after it, so their checkpoints never overlap."""
    before: list[float] = []
    after: list[float] = []
    block = max(1, args.reps // 4)
    for _ in range(4):
        for background, samples in ((False, before), (True, after)):
            engine = db.make_engine(f"sqlite:///{path}", background_checkpoints=background)
            factory = db.make_session_factory(engine)
            record(1, factory)  # connect outside the timing
            samples += timed(block, lambda s, f=factory: record(s, f), rng, args.students)
            engine.dispose()
            del engine, factory
            gc.collect()
            time.sleep(0.6)  # the checkpoint thread sees its engine gone and ends
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=5_000_000)
    parser.add_argument("--skills", type=int, default=50)
    parser.add_argument("--class-size", type=int, default=40)
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--dir", type=Path, default=None, help="where the database goes")
    args = parser.parse_args()

    folder = args.dir or Path(tempfile.mkdtemp(prefix="tutor-bench-"))
    path = folder / "bench.db"
    path.unlink(missing_ok=True)
    engine = db.make_engine(f"sqlite:///{path}", background_checkpoints=False)
    db.upgrade(engine)
    started = time.perf_counter()
    shape = seed(
        engine,
        students=args.students,
        attempts=args.attempts,
        skills=args.skills,
        class_size=args.class_size,
    )
    seed_s = time.perf_counter() - started
    print(
        f"seeded {args.students:,} students, {args.attempts:,} attempts, "
        f"{shape['skill_states']:,} skill states, {shape['classes']:,} classes of "
        f"{args.class_size} in {seed_s:.0f} s; file {path.stat().st_size / 2**30:.2f} GiB"
    )

    factory = db.make_session_factory(engine)
    rng = random.Random(11)
    counter = iter(range(10**9))

    def empty_write(_: int) -> None:
        with db.write_session(factory) as session:
            session.execute(text("SELECT 1"))

    def empty_read(_: int) -> None:
        with db.read_session(factory) as session:
            session.execute(text("SELECT 1"))

    def record(student: int, on: db.SessionFactory | None = None) -> None:
        n = next(counter)
        with db.write_session(on or factory) as session:
            result = db.record_attempt(
                session=session,
                student_id=student,
                skill_key=f"{SKILL_PREFIX}{n % args.skills}",
                exercise_id="bench",
                seed=n,
                answer="7",
                correct=True,
                misconception_id=None,
                hints_used=0,
                time_taken_ms=4000,
                client_submission_id=f"bench-{n}",
            )
            assert result.recorded
            db.set_skill_state(
                session=session,
                student_id=student,
                skill_key=result.attempt.skill_key,
                p_known=0.5,
                correct=True,
            )

    def context(student: int) -> None:
        with db.read_session(factory) as session:
            assert db.load_learner_context(session=session, student_id=student) is not None

    def mastery(classroom: int) -> None:
        teacher = (classroom - 1) % shape["teachers"] + 1
        with db.write_session(factory) as session:
            cells = db.class_mastery(session=session, teacher_id=teacher, classroom_id=classroom)
            assert cells

    for warm in (empty_write, empty_read, record, context, mastery):  # warm the pool and cache
        warm(1)
    engine.dispose()
    before, after = record_blocks(path, args, record, rng)
    engine = db.make_engine(f"sqlite:///{path}")  # as the app makes it
    factory = db.make_session_factory(engine)
    for warm in (empty_write, empty_read, record, context, mastery):
        warm(1)
    baseline_write = timed(args.reps, empty_write, rng, args.students)
    baseline_read = timed(args.reps, empty_read, rng, args.students)
    rows = [
        (
            "record attempt + skill state",
            timed(args.reps, record, rng, args.students),
            baseline_write,
        ),
        ("load learner context", timed(args.reps, context, rng, args.students), baseline_read),
        (
            f"class mastery ({args.class_size} x {args.skills})",
            timed(args.reps, mastery, rng, shape["classes"]),
            baseline_write,
        ),
    ]
    print(f"{'operation':<34}{'median ms':>10}{'p99 ms':>10}{'x baseline':>12}")
    for name, samples in [
        ("baseline: empty write transaction", baseline_write),
        ("baseline: empty read transaction", baseline_read),
    ]:
        print(f"{name:<34}{statistics.median(samples):>10.2f}{p99(samples):>10.2f}{'1.0':>12}")
    for name, samples, baseline in rows:
        ratio = statistics.median(samples) / statistics.median(baseline)
        print(f"{name:<34}{statistics.median(samples):>10.2f}{p99(samples):>10.2f}{ratio:>12.1f}")
    print(f"({args.reps} reps each, random students/classes; database at {path})")
    print()
    print("record attempt + skill state, fsync and checkpoints in the commit (before) or not:")
    for name, samples in (("before: FULL, checkpoint in commits", before), ("now", after)):
        print(f"  {name:<34}{statistics.median(samples):>8.2f} median{p99(samples):>8.2f} p99 ms")
    print(f"  p99 now/before: {p99(after) / p99(before):.2f}x")
    engine.dispose()


if __name__ == "__main__":
    main()
