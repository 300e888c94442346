"""What one turn knows about the student, read inside the turn's write transaction.

Reading inside the same transaction that writes (SQLite: BEGIN IMMEDIATE) means two turns of
one student (two tabs) never both update mastery from the same stale P(known).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from students_db.chat import current_chat_session, recent_messages, tutor_said
from students_db.context import load_learner_context
from students_db.fitting import load_skill_params
from students_db.practice import get_active_exercise, recent_attempts
from students_db.records import (
    ActiveExerciseRecord,
    AttemptRecord,
    ChatSessionRecord,
    LearnerContextRecord,
    MessageRecord,
    StudentRecord,
)
from tutor.dialogue import texts
from tutor.dialogue.turns import substep_of
from tutor.learner.params import BktParams

if TYPE_CHECKING:
    from tutor.curriculum.pack import Pack


class UnknownStudent(LookupError):
    """No (active) student with this id: the caller's session is stale or forged."""


@dataclass(frozen=True)
class TurnState:
    student: StudentRecord
    p_known: Mapping[str, float]  # practised skills only; others are at their prior
    cards: Mapping[str, dict[str, Any]]  # FSRS cards of due reviews, by skill
    due_reviews: tuple[str, ...]  # skill keys, soonest due first
    active: ActiveExerciseRecord | None
    attempts: tuple[AttemptRecord, ...]  # newest first
    messages: tuple[MessageRecord, ...]  # oldest first
    assigned: tuple[tuple[str, datetime | None], ...]  # (skill, due) set by the teacher
    params: Mapping[str, BktParams]  # fitted parameters; the pack's priors otherwise
    chat_session_id: int | None  # the student's open chat session, if any
    notice_shown: bool  # the "templates right now" notice was shown in this chat session
    now: datetime  # the turn's clock reading
    unassisted: Mapping[str, int] = field(default_factory=dict)  # unassisted right, by skill
    tried: bool = False  # a genuine attempt at the active exercise (judged before the turn)

    def known(self, skill_key: str, pack: Pack) -> float:
        if skill_key in self.p_known:
            return self.p_known[skill_key]
        skill = pack.skills.get(skill_key)
        return skill.bkt.p_init if skill is not None else 0.0

    def bkt_params(self, skill_key: str, pack: Pack) -> BktParams:
        return self.params.get(skill_key) or pack.skills[skill_key].bkt


def read_turn_state(*, session: Session, student_id: int, now: datetime) -> TurnState:
    record = load_learner_context(session=session, student_id=student_id, now=now)
    if record is None or not record.student.active:
        raise UnknownStudent(f"no active student with id {student_id}")
    chat = open_chat_session_of(session=session, student_id=student_id)
    notice = chat is not None and tutor_said(
        session=session,
        student_id=student_id,
        chat_session_id=chat.id,
        words=texts.MODEL_OFF_NOTICE,
    )
    return _state(session, record, chat, notice, now)


def _state(
    session: Session,
    record: LearnerContextRecord,
    chat: ChatSessionRecord | None,
    notice: bool,
    now: datetime,
) -> TurnState:
    params = {
        key: BktParams(
            p_init=p.p_init,
            p_learn=p.p_learn,
            p_guess=p.p_guess,
            p_slip=p.p_slip,
            p_forget=p.p_forget,
        )
        for key, p in load_skill_params(session=session).items()
    }
    return TurnState(
        student=record.student,
        p_known={s.skill_key: s.p_known for s in record.skill_states},
        cards={c.skill_key: c.card for c in record.due_reviews},
        due_reviews=tuple(c.skill_key for c in record.due_reviews),
        active=record.active_exercise,
        attempts=record.recent_attempts,
        messages=record.recent_messages,
        assigned=tuple((a.skill_key, a.due_at) for a in record.assignments),
        params=params,
        chat_session_id=chat.id if chat is not None else None,
        notice_shown=notice,
        now=now,
        unassisted={s.skill_key: s.correct_count for s in record.skill_states},
    )


def pending_substep(state: TurnState) -> int | None:
    """The step index the tutor's last reply asked as a sub-step, if it is still open.

    Stored as the reply's task ("substep:<i>"), so it survives a reload; any later tutor
    reply (a new exercise, a verdict) closes it."""
    for message in reversed(state.messages):
        if message.role == "tutor":
            return substep_of(message.task)
    return None


@dataclass(frozen=True)
class Peek:
    """What a turn reads BEFORE its write transaction, to do slow work (checking an answer,
    judging earlier attempts) without holding the store's write lock."""

    active: ActiveExerciseRecord | None
    substep: int | None  # the open sub-step, if the tutor's last reply asked one
    attempts: tuple[AttemptRecord, ...]  # the student's recent attempts, newest first


def peek_turn(*, session: Session, student_id: int) -> Peek:
    active = get_active_exercise(session=session, student_id=student_id)
    step = None
    for message in reversed(recent_messages(session=session, student_id=student_id, limit=4)):
        if message.role == "tutor":
            step = substep_of(message.task)
            break
    attempts = tuple(recent_attempts(session=session, student_id=student_id, limit=20))
    return Peek(active, step, attempts)


def open_chat_session_of(*, session: Session, student_id: int) -> ChatSessionRecord | None:
    """The student's latest chat session that has not ended."""
    return current_chat_session(session=session, student_id=student_id)
