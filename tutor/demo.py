"""`tutor demo seed`: a demo teacher, a class and simulated students with realistic histories,
so the teacher reports have something to show on a fresh install.

The histories go through the same code path as a real student: the `Tutor` picks exercises,
checks answers, updates BKT and FSRS, and stores every message and attempt. Only the student
is simulated: each has a hidden BKT per skill (as in the learner model's simulated-student
benchmark): an unknown skill is answered right by a lucky guess, a known one unless a slip, and
each attempt may teach the skill. Wrong answers reproduce the exercise's misconceptions, so
the reports show named misconceptions; weaker students ask for hints.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from typing import TYPE_CHECKING

import students_db as db
from students_db.teacher import assign_skill, list_students
from tutor import accounts
from tutor.generation import TextGenerator, UnavailableGenerator
from tutor.tutor import Tutor

if TYPE_CHECKING:
    import sympy

    from tutor.curriculum.model import Exercise
    from tutor.curriculum.pack import Pack

DEMO_TEACHER = "demo-teacher"
NAMES = (
    "Ada", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jonah",
    "Kemi", "Liam", "Maya", "Noah", "Olu", "Priya", "Quinn", "Rosa", "Sami", "Tess",
)  # fmt: skip


@dataclass(frozen=True)
class Learner:
    """A simulated student's hidden learning profile."""

    p_learn: float
    p_guess: float
    p_slip: float
    hint_rate: float  # how often they ask for a hint before answering


PROFILES = {
    "strong": Learner(p_learn=0.45, p_guess=0.25, p_slip=0.05, hint_rate=0.05),
    "average": Learner(p_learn=0.25, p_guess=0.2, p_slip=0.1, hint_rate=0.2),
    "struggling": Learner(p_learn=0.08, p_guess=0.1, p_slip=0.15, hint_rate=0.6),
}


@dataclass(frozen=True)
class DemoStudent:
    name: str
    login: str
    pin: str
    profile: str
    student_id: int


@dataclass(frozen=True)
class DemoSchool:
    teacher_username: str
    teacher_password: str
    class_name: str
    join_code: str
    students: tuple[DemoStudent, ...]
    attempts: int


def seed_demo(
    *,
    sessions: db.SessionFactory,
    pack: Pack,
    students: int = 8,
    turns: int = 30,
    seed: int = 0,
    generator: TextGenerator | None = None,
) -> DemoSchool:
    """Create the demo school and play `turns` answers per student through the tutor."""
    if not 1 <= students <= len(NAMES):
        raise ValueError(f"--students must be between 1 and {len(NAMES)}")
    rng = Random(seed)
    password = secrets.token_urlsafe(9)
    teacher = accounts.create_teacher(
        sessions=sessions, username=_free_username(sessions), password=password,
        display_name="Demo Teacher",
    )  # fmt: skip
    klass = accounts.create_class(sessions=sessions, teacher_id=teacher.id, name="Demo class")
    names = list(NAMES[:students])
    issued = accounts.add_students(
        sessions=sessions, teacher_id=teacher.id, classroom_id=klass.id, names=names, grade_level=6
    )
    with db.write_session(sessions) as session:
        roster = list_students(session=session, teacher_id=teacher.id, classroom_id=klass.id)
        ids = {s.login_name: s.id for s in roster}
        # The teacher sets the first skill of the pack for the class, due in a week.
        assign_skill(
            session=session,
            teacher_id=teacher.id,
            skill_key=next(iter(pack.skills)),
            classroom_id=klass.id,
            due_at=datetime.now(UTC) + timedelta(days=7),
        )
    tutor = Tutor(
        sessions=sessions, pack=pack, generator=generator or UnavailableGenerator(), seed=seed
    )
    kinds = tuple(PROFILES)
    demo_students = []
    attempts = 0
    for i, (name, (login, pin)) in enumerate(zip(names, issued, strict=True)):
        profile = kinds[i % len(kinds)]
        student_id = ids[login]
        attempts += simulate_student(
            tutor, sessions, pack, student_id, PROFILES[profile], turns=turns, rng=rng
        )
        demo_students.append(DemoStudent(name, login, pin, profile, student_id))
    return DemoSchool(
        teacher_username=teacher.username,
        teacher_password=password,
        class_name=klass.name,
        join_code=klass.join_code,
        students=tuple(demo_students),
        attempts=attempts,
    )


def login_lines(school: DemoSchool, url: str | None = None) -> list[str]:
    """What to print after seeding: where to go and every login (PINs are shown only now)."""
    lines = []
    if url:
        lines.append(f"Open {url} and log in as:")
    lines += [
        f"  Teacher: username {school.teacher_username}  password {school.teacher_password}",
        f"  Class: {school.class_name}  (join code {school.join_code})",
        "  Students (login is CODE/name, then the PIN):",
    ]
    lines += [
        f"    {school.join_code}/{s.login}  PIN {s.pin}  ({s.profile})" for s in school.students
    ]
    return lines


def _free_username(sessions: db.SessionFactory) -> str:
    """`demo-teacher`, or `demo-teacher-2`... when the demo was seeded before."""
    with db.read_session(sessions) as session:
        for n in range(1, 1000):
            name = DEMO_TEACHER if n == 1 else f"{DEMO_TEACHER}-{n}"
            if db.get_teacher_login(session=session, username=name) is None:
                return name
    raise RuntimeError("too many demo teachers; use a fresh database")


def simulate_student(
    tutor: Tutor,
    sessions: db.SessionFactory,
    pack: Pack,
    student_id: int,
    learner: Learner,
    *,
    turns: int,
    rng: Random,
    session_length: int = 10,
) -> int:
    """Play `turns` answers; returns how many were recorded. Sessions end every few turns."""
    known: dict[str, bool] = {}
    recorded = 0
    for turn in range(turns):
        exercise = _current_exercise(tutor, sessions, pack, student_id)
        if exercise is None:
            _drain(tutor.new_exercise(student_id))
            exercise = _current_exercise(tutor, sessions, pack, student_id)
            if exercise is None:
                break
        skill = pack.skills[exercise.skill_key]
        is_known = known.setdefault(skill.key, rng.random() < skill.bkt.p_init)
        if rng.random() < learner.hint_rate:
            _drain(tutor.hint(student_id))
        right = rng.random() < ((1 - learner.p_slip) if is_known else learner.p_guess)
        answer = exercise.answer_text if right else wrong_answer(exercise, rng)
        _drain(tutor.respond(student_id, answer, submission_id=f"demo-{student_id}-{turn}"))
        recorded += 1
        if not is_known and rng.random() < learner.p_learn:
            known[skill.key] = True
        if (turn + 1) % session_length == 0:
            tutor.end_session(student_id)
    tutor.end_session(student_id)
    # A reply to a sub-step question is not an attempt: count what the store recorded.
    with db.read_session(sessions) as session:
        return len(db.recent_attempts(session=session, student_id=student_id, limit=recorded))


def wrong_answer(exercise: Exercise, rng: Random) -> str:
    """A wrong answer a student would give: a misconception's when the exercise has one."""
    rules = [r for r in exercise.misconceptions if r.answers]
    key = exercise.answer
    if key.kind != "number":
        return "7"
    if rules and rng.random() < 0.7:
        value = rng.choice(rules).answers[0]
    else:
        value = key.value + rng.choice((1, -1, 2))
    return _as_typed(value, key.style)


def _as_typed(value: sympy.Basic, style: str) -> str:
    """A number as a student would type it for this kind of key (0.51, not 51/100)."""
    if style == "decimal" and getattr(value, "q", 1) != 1:
        return f"{float(value):.6f}".rstrip("0").rstrip(".")
    return str(value)


def _current_exercise(
    tutor: Tutor, sessions: db.SessionFactory, pack: Pack, student_id: int
) -> Exercise | None:
    with db.read_session(sessions) as session:
        active = db.get_active_exercise(session=session, student_id=student_id)
    if active is None:
        return None
    return pack.exercise_by_id(active.exercise_id, active.seed)


def _drain(pieces: Iterable[str]) -> str:
    return "".join(pieces)
