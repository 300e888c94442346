"""The session summary a teacher reads: computed by code from the stored rows, worded by the
summary template (numbers a teacher acts on are never left to a model)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from prompts import LearnerContext, fallback
from students_db.accounts import get_student
from students_db.chat import recent_messages
from students_db.practice import recent_attempts
from students_db.records import ChatSessionRecord
from tutor.dialogue.context import misconception_of
from tutor.dialogue.turns import base_task
from tutor.dialogue.views import SessionSummary

if TYPE_CHECKING:
    from tutor.curriculum.pack import Pack

MAX_ROWS = 5000


def summarise_session(
    *, session: Session, chat: ChatSessionRecord, pack: Pack, now: datetime, student_id: int
) -> SessionSummary:
    started = _aware(chat.started_at)
    attempts = [
        a
        for a in reversed(recent_attempts(session=session, student_id=student_id, limit=MAX_ROWS))
        if _aware(a.created_at) >= started
    ]
    messages = recent_messages(
        session=session, student_id=student_id, limit=MAX_ROWS, chat_session_id=chat.id
    )
    hints = sum(1 for m in messages if m.role == "tutor" and base_task(m.task) == "hint")
    names = [
        pack.skills[a.skill_key].name if a.skill_key in pack.skills else a.skill_key
        for a in attempts
    ]
    skills = tuple(dict.fromkeys(names))
    seen = tuple(dict.fromkeys(t for a in attempts if (t := misconception_of(pack, a))))
    correct = sum(1 for a in attempts if a.correct)
    accuracy = correct / len(attempts) if attempts else None
    minutes = round(max(0.0, (_aware(now) - started).total_seconds()) / 60, 1)
    student = get_student(session=session, student_id=student_id)
    text = fallback(
        "summary",
        {
            "student_name": student.display_name if student else f"student {student_id}",
            "skills_practised": list(skills) or ["nothing yet"],
            "accuracy": accuracy if accuracy is not None else "no answers",
            "misconceptions": list(seen),
            "hints_used": hints,
            "minutes": minutes,
        },
        LearnerContext(),
    )
    return SessionSummary(
        session_id=chat.id,
        student_id=student_id,
        skills_practised=skills,
        attempts=len(attempts),
        correct=correct,
        accuracy=accuracy,
        misconceptions=seen,
        hints_used=hints,
        minutes=minutes,
        text=text,
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _skill_name(pack: Pack, skill_key: str) -> str:
    skill = pack.skills.get(skill_key)
    return skill.name if skill is not None else skill_key
