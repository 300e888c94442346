"""Teacher reports: what a teacher reads about their own classes, as dataclasses and frames.

Every function takes the teacher's id (from the authenticated session) and goes through the
store's teacher reads, which return nothing for another teacher's class or student and write
each read (allowed or denied) to the access log; hence they need a write session. No gradio
here: the UI renders these frames, the CLI prints them, a test reads them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy.orm import Session

from students_db.accounts import get_student
from students_db.chat import chat_sessions_of
from students_db.records import AttemptRecord, StudentRecord
from students_db.teacher import (
    authorize_student_read,
    class_mastery,
    list_students,
)
from students_db.teacher import (
    student_timeline as store_timeline,
)
from tutor.curriculum.misconceptions import CATALOGUE
from tutor.spreadsheet import csv_text

if TYPE_CHECKING:
    from tutor.curriculum.pack import Pack

# Below this P(known) a skill still "needs practice" (the heatmap's lowest band): a student is
# only flagged for little progress on a skill the heatmap also shows as weak.
LOW_MASTERY = 0.6
MASTERY_COLUMNS = ["student_id", "student", "skill_key", "skill", "p_known", "attempts"]
ATTEMPT_COLUMNS = [
    "student_id",
    "student",
    "at",
    "skill_key",
    "skill",
    "question",
    "exercise_id",
    "seed",
    "answer",
    "correct",
    "misconception_id",
    "hints_used",
    "time_taken_ms",
    "kind",
]


@dataclass(frozen=True)
class TimelineRow:
    """One event in a student's timeline, flattened for a table."""

    at: datetime
    kind: str  # "attempt" | "hint" | "student" | "tutor"
    skill_key: str | None
    text: str
    correct: bool | None
    misconception_id: str | None
    status: str | None  # message status; None for attempts


@dataclass(frozen=True)
class StrugglingStudent:
    student_id: int
    student: str
    reasons: tuple[str, ...]  # in words a teacher acts on


@dataclass(frozen=True)
class SessionSummaryRow:
    session_id: int
    student_id: int
    student: str
    started_at: datetime
    ended_at: datetime | None
    summary: dict[str, Any]  # as stored by the tutor (skills, accuracy, hints, minutes, text)


# -- mastery --------------------------------------------------------------------------------


def class_mastery_frame(
    *, session: Session, teacher_id: int, classroom_id: int, pack: Pack | None = None
) -> pd.DataFrame:
    """Long table of P(known) per (student, practised skill); empty for another's class."""
    cells = class_mastery(session=session, teacher_id=teacher_id, classroom_id=classroom_id)
    rows = [
        {
            "student_id": c.student_id,
            "student": c.display_name,
            "skill_key": c.skill_key,
            "skill": _skill_name(pack, c.skill_key),
            "p_known": round(c.p_known, 4),
            "attempts": c.attempts_count,
        }
        for c in cells
    ]
    return pd.DataFrame(rows, columns=MASTERY_COLUMNS)


def mastery_table(frame: pd.DataFrame, students: Sequence[str] = ()) -> pd.DataFrame:
    """The class x skill grid (students as rows, skills as columns) from the long table.

    `students` are the class's names: those with no practised skill get a row of blanks, so
    a teacher sees who has not started."""
    if frame.empty:
        grid = pd.DataFrame(index=pd.Index([], name="student"))
    else:
        grid = frame.pivot_table(index="student", columns="skill", values="p_known", aggfunc="max")
    missing = [name for name in students if name not in grid.index]
    if missing:
        grid = pd.concat([grid, pd.DataFrame(index=pd.Index(missing, name="student"))])
    return grid


# -- one student ----------------------------------------------------------------------------


def student_timeline(
    *, session: Session, teacher_id: int, student_id: int, limit: int = 200
) -> tuple[TimelineRow, ...]:
    """Attempts, hints and messages of one of the teacher's students, oldest first."""
    rows = []
    for entry in store_timeline(
        session=session, teacher_id=teacher_id, student_id=student_id, limit=limit
    ):
        if entry.attempt is not None:
            a = entry.attempt
            rows.append(
                TimelineRow(
                    entry.at, "attempt", a.skill_key, a.answer, a.correct, a.misconception_id, None
                )
            )
        elif entry.message is not None:
            m = entry.message
            kind = "hint" if m.role == "tutor" and (m.task or "").startswith("hint") else m.role
            rows.append(TimelineRow(entry.at, kind, None, m.text, None, None, m.status))
    return tuple(rows)


# -- the class ------------------------------------------------------------------------------


def _class_attempts(
    session: Session, teacher_id: int, classroom_id: int, *, limit: int = 500
) -> list[tuple[StudentRecord, list[AttemptRecord]]]:
    """Each student of the class with their attempts (oldest first), through the logged reads."""
    result = []
    for student in list_students(session=session, teacher_id=teacher_id, classroom_id=classroom_id):
        entries = store_timeline(
            session=session, teacher_id=teacher_id, student_id=student.id, limit=limit
        )
        result.append((student, [e.attempt for e in entries if e.attempt is not None]))
    return result


def struggling_students(
    *,
    session: Session,
    teacher_id: int,
    classroom_id: int,
    min_attempts: int = 5,
    low_growth: float = 0.15,
    hints_per_attempt: float = 1.0,
    repeated_misconception: int = 3,
    pack: Pack | None = None,
) -> tuple[StrugglingStudent, ...]:
    """Students who practise without progress, lean on hints, or repeat a misconception.

    - low mastery growth: on a skill with at least `min_attempts` attempts, the share of
      correct answers in the second half is not above the first half's by `low_growth`, the
      overall accuracy there is below one half, and the skill's mastery (what the heatmap
      shows) is still below `LOW_MASTERY`;
    - many hints: more than `hints_per_attempt` hints per attempt over the last attempts;
    - repeated misconception: the same misconception in `repeated_misconception` attempts.
    """
    found = []
    mastery = {
        (c.student_id, c.skill_key): c.p_known
        for c in class_mastery(session=session, teacher_id=teacher_id, classroom_id=classroom_id)
    }
    for student, attempts in _class_attempts(session, teacher_id, classroom_id):
        known = {key: p for (sid, key), p in mastery.items() if sid == student.id}
        reasons = _struggle_reasons(
            attempts,
            min_attempts,
            low_growth,
            hints_per_attempt,
            repeated_misconception,
            known=known,
            pack=pack,
        )
        if reasons:
            found.append(StrugglingStudent(student.id, student.display_name, tuple(reasons)))
    return tuple(found)


def _struggle_reasons(
    attempts: Sequence[AttemptRecord],
    min_attempts: int,
    low_growth: float,
    hints_per_attempt: float,
    repeated: int,
    *,
    known: dict[str, float],
    pack: Pack | None,
) -> list[str]:
    reasons = []
    by_skill: dict[str, list[AttemptRecord]] = {}
    for attempt in attempts:
        by_skill.setdefault(attempt.skill_key, []).append(attempt)
    for skill_key, tries in by_skill.items():
        if len(tries) < min_attempts:
            continue
        half = len(tries) // 2
        first = sum(a.correct for a in tries[:half]) / half
        second = sum(a.correct for a in tries[half:]) / (len(tries) - half)
        overall = sum(a.correct for a in tries) / len(tries)
        mastery = known.get(skill_key)
        weak = mastery is None or mastery < LOW_MASTERY
        if second - first <= low_growth and overall < 0.5 and weak:
            shown = "" if mastery is None else f", mastery {mastery:.0%}"
            reasons.append(
                f"little progress on {_skill_name(pack, skill_key)}: {len(tries)} attempts, "
                f"{overall:.0%} correct{shown}"
            )
    if attempts:
        hints = sum(a.hints_used for a in attempts)
        if len(attempts) >= min_attempts and hints / len(attempts) > hints_per_attempt:
            reasons.append(f"many hints: {hints} over {len(attempts)} attempts")
    counts = Counter(a.misconception_id for a in attempts if a.misconception_id)
    for misconception, count in counts.most_common():
        if count >= repeated:
            reasons.append(f"repeated mistake: {mistake_name(misconception)} ({count} times)")
    return reasons


def mistake_name(misconception_id: str | None) -> str:
    """A misconception's name as a teacher reads it ("Forgets to carry"), not its id."""
    if not misconception_id:
        return ""
    named = CATALOGUE.get(misconception_id)
    return named[0] if named else misconception_id.replace("_", " ")


def common_wrong_answers(
    *, session: Session, teacher_id: int, classroom_id: int, top: int = 5, pack: Pack | None = None
) -> pd.DataFrame:
    """Per skill, the most frequent wrong answers with their misconception (may be empty)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for _student, attempts in _class_attempts(session, teacher_id, classroom_id):
        for a in attempts:
            if not a.correct:
                counts[(a.skill_key, a.answer, a.misconception_id or "")] += 1
    rows = [
        {
            "skill_key": skill,
            "skill": _skill_name(pack, skill),
            "answer": answer,
            "misconception_id": mis or None,
            "mistake": mistake_name(mis) or "(not a known mistake)",
            "count": n,
        }
        for (skill, answer, mis), n in counts.items()
    ]
    columns = ["skill_key", "skill", "answer", "misconception_id", "mistake", "count"]
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    frame = frame.sort_values(["skill_key", "count", "answer"], ascending=[True, False, True])
    return frame.groupby("skill_key", sort=True).head(top).reset_index(drop=True)


def common_misconceptions(*, session: Session, teacher_id: int, classroom_id: int) -> pd.DataFrame:
    """Per skill, each misconception seen and how many attempts and students showed it."""
    rows = []
    for student, attempts in _class_attempts(session, teacher_id, classroom_id):
        for a in attempts:
            if a.misconception_id:
                rows.append((a.skill_key, a.misconception_id, student.id))
    frame = pd.DataFrame(rows, columns=["skill_key", "misconception_id", "student_id"])
    if frame.empty:
        return pd.DataFrame(columns=["skill_key", "misconception_id", "attempts", "students"])
    grouped = frame.groupby(["skill_key", "misconception_id"])
    result = grouped.agg(attempts=("student_id", "size"), students=("student_id", "nunique"))
    return result.reset_index().sort_values(["skill_key", "attempts"], ascending=[True, False])


# -- sessions -------------------------------------------------------------------------------


def session_summaries(
    *, session: Session, teacher_id: int, student_id: int, limit: int = 50
) -> tuple[SessionSummaryRow, ...]:
    """The ended chat sessions of one of the teacher's students, newest first, with the
    summary the tutor stored; empty for anyone else's student (and the read is logged)."""
    allowed = authorize_student_read(
        session=session, teacher_id=teacher_id, student_id=student_id, action="session_summaries"
    )
    if not allowed:
        return ()
    name = (
        student.display_name
        if (student := get_student(session=session, student_id=student_id))
        else ""
    )
    chats = chat_sessions_of(session=session, student_id=student_id, ended_only=True, limit=limit)
    return tuple(
        SessionSummaryRow(c.id, student_id, name, c.started_at, c.ended_at, _summary(c.summary))
        for c in chats
    )


def _summary(stored: str | None) -> dict[str, Any]:
    if not stored:
        return {}
    try:
        value = json.loads(stored)
    except ValueError:
        return {"text": stored}
    return value if isinstance(value, dict) else {"text": stored}


# -- exports --------------------------------------------------------------------------------


def attempts_frame(
    *, session: Session, teacher_id: int, classroom_id: int, pack: Pack | None = None
) -> pd.DataFrame:
    """Every attempt of the class, with the skill's name and the question as it was asked."""
    rows = [
        {
            "student_id": student.id,
            "student": student.display_name,
            "at": a.created_at.isoformat(),
            "skill_key": a.skill_key,
            "skill": _skill_name(pack, a.skill_key),
            "question": _question(pack, a),
            "exercise_id": a.exercise_id,
            "seed": a.seed,
            "answer": a.answer,
            "correct": a.correct,
            "misconception_id": a.misconception_id,
            "hints_used": a.hints_used,
            "time_taken_ms": a.time_taken_ms,
            "kind": a.kind,
        }
        for student, attempts in _class_attempts(session, teacher_id, classroom_id, limit=100_000)
        for a in attempts
    ]
    return pd.DataFrame(rows, columns=ATTEMPT_COLUMNS)


def export_attempts_csv(
    *, session: Session, teacher_id: int, classroom_id: int, pack: Pack | None = None
) -> str:
    """Every attempt of the class as CSV text (header only for another teacher's class)."""
    frame = attempts_frame(
        session=session, teacher_id=teacher_id, classroom_id=classroom_id, pack=pack
    )
    return _csv(frame)


def export_mastery_csv(
    *, session: Session, teacher_id: int, classroom_id: int, pack: Pack | None = None
) -> str:
    """The class's mastery table (long form) as CSV text."""
    frame = class_mastery_frame(
        session=session, teacher_id=teacher_id, classroom_id=classroom_id, pack=pack
    )
    return _csv(frame)


def _csv(frame: pd.DataFrame) -> str:
    """The frame through the one safe CSV writer (BOM, formulas defused)."""
    rows = ([None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False))
    return csv_text([str(c) for c in frame.columns], rows)


def _question(pack: Pack | None, attempt: AttemptRecord) -> str:
    """The exercise's statement, rebuilt from its id and seed ("" when the pack changed)."""
    if pack is None:
        return ""
    try:
        return str(pack.exercise_by_id(attempt.exercise_id, attempt.seed).statement)
    except (KeyError, ValueError, LookupError):
        return ""


def _skill_name(pack: Pack | None, skill_key: str) -> str:
    if pack is None:
        return skill_key
    skill = pack.skills.get(skill_key)
    return skill.name if skill is not None else skill_key
