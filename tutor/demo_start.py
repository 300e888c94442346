"""`python app.py --demo`: the demo school is seeded in a thread while the app starts.

A first start is mostly two things: seeding the demo (argon2 hashes, then ~70 practice turns
through the `Tutor`) and starting the app (importing Gradio, building the page). Here the
database is prepared and the pack loaded first, the seeding starts in a thread on them, and
the caller imports Gradio and builds the app meanwhile, then takes the result:

    app.py --demo ── prepare_database, pack ─┬─ import Gradio, build the app ─┬─ logins, launch
                                             └─ (thread) seed_demo ───────────┘

The hashes and the database writes release the GIL, so the two overlap. Measured on a
2-core machine shared with other work (load ~5.5), time until the URL prints: a thread
26-28 s, one after the other 28-29 s, a spawned process 32-36 s (it imports everything
again).

Light on purpose: importing this module imports neither Gradio nor the dialogue code, so
`app.py` can start the seeding before Gradio is imported.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tutor.persistence import PreparedDatabase, prepare_database
from tutor.settings import Settings

if TYPE_CHECKING:
    from tutor.curriculum.pack import Pack
    from tutor.demo import DemoSchool

DEMO_STUDENTS = 6
DEMO_TURNS = 12  # answers per student: enough for the reports to show something


@dataclass
class DemoSeeding:
    """A demo seeding under way: the prepared database and pack it uses, and its thread."""

    database: PreparedDatabase
    pack: Pack
    _thread: threading.Thread
    _outcome: list[DemoSchool | BaseException] = field(default_factory=list)

    def result(self, timeout_s: float | None = None) -> DemoSchool:
        """The seeded school; the seeding's own error if it failed; TimeoutError if it has
        not ended within `timeout_s`."""
        self._thread.join(timeout_s)
        if self._thread.is_alive() or not self._outcome:
            raise TimeoutError("the demo is still being seeded")
        outcome = self._outcome[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def start_demo_seed(
    settings: Settings, *, students: int = DEMO_STUDENTS, turns: int = DEMO_TURNS
) -> DemoSeeding:
    """Prepare the database and load the pack (here, so no import races the caller's), then
    seed the demo school in a thread."""
    import students_db as db
    from tutor.curriculum import load_default_pack
    from tutor.demo import seed_demo

    database = prepare_database(url=settings.resolved_database_url, backup_dir=settings.backup_dir)
    pack = load_default_pack()
    sessions = db.make_session_factory(database.engine)
    outcome: list[DemoSchool | BaseException] = []

    def seed() -> None:
        try:
            outcome.append(seed_demo(sessions=sessions, pack=pack, students=students, turns=turns))
        except BaseException as error:  # handed to the caller by `result()`
            outcome.append(error)

    thread = threading.Thread(target=seed, name="demo-seed", daemon=True)
    thread.start()
    return DemoSeeding(database, pack, thread, outcome)
