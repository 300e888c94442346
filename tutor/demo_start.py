"""`python app.py --demo`: the demo school is seeded in a second process while the app starts.

Both halves of a first start are about ten seconds of one core's Python: seeding (argon2
hashes, then ~70 practice turns through the `Tutor`) and starting the app (importing Gradio,
building the page). In one process they queue behind each other; here the database is
prepared first (restored, migrated), the seeding starts in a fresh ("spawn") process on it,
and the caller imports Gradio and builds the app meanwhile, then takes the result:

    app.py --demo ── prepare_database ─┬─ import Gradio, build the app ──┬─ print logins, launch
                                       └─ (process) seed_demo ──────────┘

Light on purpose: this module imports neither Gradio nor the tutor's dialogue code, so
`app.py` can start the seeding before either is imported.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.persistence import PreparedDatabase, prepare_database
from tutor.settings import Settings

if TYPE_CHECKING:
    from tutor.demo import DemoSchool

DEMO_STUDENTS = 6
DEMO_TURNS = 12  # answers per student: enough for the reports to show something


@dataclass
class DemoSeeding:
    """A demo seeding under way: the prepared database and the seeding process."""

    database: PreparedDatabase
    _future: Future[DemoSchool]
    _pool: ProcessPoolExecutor

    def result(self, timeout_s: float | None = None) -> DemoSchool:
        """The seeded school (the seeding's error, if it failed); the process is released."""
        try:
            return self._future.result(timeout=timeout_s)
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)


def start_demo_seed(
    settings: Settings, *, students: int = DEMO_STUDENTS, turns: int = DEMO_TURNS
) -> DemoSeeding:
    """Prepare the database, then seed the demo school in a spawned process on it."""
    database = prepare_database(url=settings.resolved_database_url, backup_dir=settings.backup_dir)
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    future = pool.submit(seed_at, settings.resolved_database_url, students, turns)
    return DemoSeeding(database, future, pool)


def seed_at(url: str, students: int, turns: int) -> DemoSchool:
    """`seed_demo` on the database at `url` (in the seeding process: its own engine)."""
    import students_db as db
    from tutor.curriculum import load_default_pack
    from tutor.demo import seed_demo

    engine = db.make_engine(url)
    try:
        sessions = db.make_session_factory(engine)
        return seed_demo(
            sessions=sessions, pack=load_default_pack(), students=students, turns=turns
        )
    finally:
        engine.dispose()
