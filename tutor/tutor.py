"""The tutor: one object that joins the store, the curriculum, the learner model and a text
generator into a student's turn.

Every method takes the VERIFIED `student_id` first: identity comes from the caller's
authenticated session (the UI's `request.username`, the terminal's login), never from message
text. Streaming methods return an iterator of text pieces (deltas); the caller shows their
concatenation. The work that must not be lost (the student's message, the attempt, the BKT and
FSRS change) is committed in one write transaction when the method is CALLED, before the first
piece is produced, so a `MessageRejected` or `StoreBusy` surfaces at the call. The reply row is
created then (status "pending") and finished when the iterator ends, or marked failed when it is
abandoned or the model fails midway. No database transaction is open while the model writes.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

from sqlalchemy.orm import Session

from prompts import LearnerContext, clean_student_text, fallback
from students_db import chat as chat_store
from students_db import practice
from students_db.accounts import get_student, set_student_preferences
from students_db.engine import SessionFactory, read_session, write_session
from students_db.records import AttemptRecord
from tutor.curriculum import check_answer, reveals_answer, wording_matches_spec
from tutor.dialogue import texts
from tutor.dialogue.activity import next_activity
from tutor.dialogue.context import (
    build_context,
    mastery_lines,
    misconception_of,
    misconception_text,
)
from tutor.dialogue.hints import hint_fields, level_for, pick_similar, step_lines, worked_example
from tutor.dialogue.intent import Intent, classify
from tutor.dialogue.mastery import after_answer
from tutor.dialogue.pipeline import Part, ReplyStream
from tutor.dialogue.requests import model_part
from tutor.dialogue.state import TurnState, UnknownStudent, open_chat_session_of, read_turn_state
from tutor.dialogue.summary import summarise_session
from tutor.dialogue.validation import validate_message
from tutor.dialogue.views import (
    HistoryItem,
    MessageRejected,
    ProgressView,
    SessionSummary,
    SkillMastery,
)
from tutor.generation import TextGenerator, token_counter
from tutor.learner.bkt import is_mastered

__all__ = [
    "HistoryItem",
    "MessageRejected",
    "ProgressView",
    "SessionSummary",
    "SkillMastery",
    "Tutor",
    "UnknownStudent",
]

log = logging.getLogger(__name__)

SOLUTION_AFTER_WRONG = 2  # wrong attempts before the full solution may be shown
STYLES = ("step-by-step", "short", "example")
SESSION_IDLE = timedelta(hours=2)  # a chat session idle this long ends at the next turn
# Without a submission id, the same answer again this soon after the student's last attempt is
# a double submit (double click, client retry, two tabs), not a second try: the browser UI and
# raw API callers send no id, and 20 parallel identical answers must record one attempt.
DOUBLE_SUBMIT_WINDOW = timedelta(seconds=10)
BUTTON_TEXTS = {
    "new": "New exercise, please.",
    "hint": "Hint, please.",
    "explain": "Please explain that again.",
    "solution": "Show me the solution, please.",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Act:
    """What a turn decided: the reply's parts, the task it is stored under, whether the
    student's message and the reply are stored (not for a resubmitted answer)."""

    parts: list[Part]
    task: str | None = None
    store: bool = True


class Tutor:
    """A student's tutor. Keeps no per-student state in memory: everything is read from and
    written to the store, so one instance serves many students from many threads."""

    def __init__(
        self,
        *,
        sessions: SessionFactory,
        pack: Any,
        generator: TextGenerator,
        max_message_chars: int = 2000,
        clock: Callable[[], datetime] = utc_now,
        seed: int | None = None,
    ) -> None:
        """`sessions`: from `students_db.make_session_factory`; `pack`: the curriculum `Pack`;
        `seed`: makes exercise seeds reproducible (tests, demos)."""
        self._sessions = sessions
        self._pack = pack
        self._generator = generator
        self._max_chars = max_message_chars
        self._clock = clock
        self._rng = Random(seed)

    @property
    def model_available(self) -> bool:
        return bool(self._generator.available)

    # -- streaming turns ----------------------------------------------------------------

    def respond(
        self, student_id: int, message: str, *, submission_id: str | None = None
    ) -> Iterator[str]:
        """A typed message: an answer, a request, a question or small talk.

        Raises `MessageRejected` (nothing stored) for an empty, too long or invalid message.
        `submission_id` makes a resubmitted answer idempotent: one attempt, the same verdict.
        Without one, the same answer within `DOUBLE_SUBMIT_WINDOW` of the student's newest
        attempt is taken as a resubmission of it (a later identical answer is a new try).
        """
        validate_message(message, max_chars=self._max_chars)
        text = clean_student_text(message)
        if not text:
            raise MessageRejected(texts.REJECT_EMPTY)
        if submission_id is not None and not 0 < len(submission_id) <= 64:
            raise ValueError("submission_id must be 1 to 64 characters")

        def act(session: Session, state: TurnState, now: datetime) -> _Act:
            exercise = self._exercise_of(state)
            found = classify(text, has_exercise=exercise is not None)
            if found.intent is Intent.ANSWER and exercise is not None:
                answer = found.answer_text or text
                repeated = None if submission_id else _double_submit(state, answer, now)
                if repeated is not None:
                    return _Act([self._repeat_verdict(repeated, exercise)], store=False)
                return self._act_answer(session, state, exercise, answer, submission_id, now)
            return self._act_for(found.intent, session, state, now, question=text)

        return self._turn(student_id, text, act)

    def new_exercise(self, student_id: int) -> Iterator[str]:
        """The next activity the policy picks (due review, assigned, least mastered, new)."""
        return self._button(student_id, Intent.NEW_EXERCISE, BUTTON_TEXTS["new"])

    def hint(self, student_id: int) -> Iterator[str]:
        """The next rung of the hint ladder: a nudge, a pointed hint, a worked similar example."""
        return self._button(student_id, Intent.HINT, BUTTON_TEXTS["hint"])

    def explain_again(self, student_id: int) -> Iterator[str]:
        """An explanation of the current skill through a similar example (never this answer)."""
        return self._button(student_id, Intent.EXPLAIN, BUTTON_TEXTS["explain"])

    def show_solution(self, student_id: int) -> Iterator[str]:
        """The full worked solution: refused with a clear text before two wrong attempts;
        recorded (and the exercise closed) when shown."""
        return self._button(student_id, Intent.SOLUTION, BUTTON_TEXTS["solution"])

    # -- non-streaming ------------------------------------------------------------------

    def progress(self, student_id: int) -> ProgressView:
        now = self._clock()
        with read_session(self._sessions) as session:
            states = practice.get_skill_states(session=session, student_id=student_id)
            active = practice.get_active_exercise(session=session, student_id=student_id)
            due = practice.get_review_cards(session=session, student_id=student_id, due_before=now)
        rows = []
        for skill in self._pack.skills.values():
            known = states[skill.key].p_known if skill.key in states else skill.bkt.p_init
            rows.append(SkillMastery(skill.key, skill.name, round(known, 4), is_mastered(known)))
        statement = None
        if active is not None:
            statement = self._rebuild(active.exercise_id, active.seed).statement
        return ProgressView(
            mastery=tuple(rows),
            current_skill=active.skill_key if active else None,
            current_reason=active.reason if active else None,
            current_statement=statement,
            due_reviews=tuple(c.skill_key for c in due),
            solution_allowed=bool(
                active and (active.wrong_attempts >= SOLUTION_AFTER_WRONG or active.solution_shown)
            ),
            model_available=self.model_available,
        )

    def history(self, student_id: int, limit: int = 50) -> list[HistoryItem]:
        """The student's own most recent messages, oldest first."""
        with read_session(self._sessions) as session:
            rows = chat_store.recent_messages(session=session, student_id=student_id, limit=limit)
        return [HistoryItem(m.role, m.text, m.status) for m in rows]

    def set_style(self, student_id: int, style: str) -> None:
        """ "step-by-step" | "short" | "example"; anything else raises ValueError."""
        if style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}; got {style!r}")
        with write_session(self._sessions) as session:
            student = get_student(session=session, student_id=student_id)
            if student is None:
                raise UnknownStudent(f"no student with id {student_id}")
            prefs = {**student.preferences, "style": style}
            set_student_preferences(session=session, student_id=student_id, preferences=prefs)

    def end_session(self, student_id: int) -> SessionSummary | None:
        """Close the student's open chat session and store its summary (None: none open)."""
        now = self._clock()
        with write_session(self._sessions) as session:
            return self._close_session(session, student_id, now)

    # -- the turn -----------------------------------------------------------------------

    def _button(self, student_id: int, intent: Intent, shown_as: str) -> Iterator[str]:
        def act(session: Session, state: TurnState, now: datetime) -> _Act:
            return self._act_for(intent, session, state, now, question=None)

        return self._turn(student_id, shown_as, act)

    def _turn(
        self,
        student_id: int,
        student_text: str,
        act: Callable[[Session, TurnState, datetime], _Act],
    ) -> Iterator[str]:
        """One write transaction: read the state, act, store the messages; then stream."""
        now = self._clock()
        with write_session(self._sessions) as session:
            state = read_turn_state(session=session, student_id=student_id, now=now)
            chat_id = self._chat_session(session, state, now)
            decided = act(session, state, now)
            reply_id = None
            if decided.store:
                chat_store.add_message(
                    session=session,
                    student_id=student_id,
                    chat_session_id=chat_id,
                    role="student",
                    text=student_text,
                )
                reply_id = chat_store.add_message(
                    session=session,
                    student_id=student_id,
                    chat_session_id=chat_id,
                    role="tutor",
                    text="",
                    task=decided.task,
                    status="pending",
                ).id
        stream = ReplyStream(
            decided.parts,
            generator=self._generator,
            count_tokens=token_counter(self._generator),
            notice_pending=not state.notice_shown,
        )
        return self._stream(student_id, reply_id, stream)

    def _stream(self, student_id: int, reply_id: int | None, stream: ReplyStream) -> Iterator[str]:
        try:
            yield from stream
        finally:
            if reply_id is not None:
                self._finish(student_id, reply_id, stream)

    def _finish(self, student_id: int, reply_id: int, stream: ReplyStream) -> None:
        outcome = stream.outcome()
        try:
            with write_session(self._sessions) as session:
                chat_store.finish_message(
                    session=session,
                    student_id=student_id,
                    message_id=reply_id,
                    text=outcome.text,
                    status=outcome.status,
                    prompt_tokens=outcome.prompt_tokens or None,
                    completion_tokens=outcome.completion_tokens or None,
                    latency_ms=outcome.latency_ms,
                )
        except Exception:  # the reply was shown; its row stays "pending", which says so
            log.exception("could not store the end of reply %s", reply_id)

    def _chat_session(self, session: Session, state: TurnState, now: datetime) -> int:
        """The open chat session, ending it first when it has been idle too long."""
        student_id = state.student.id
        if state.chat_session_id is not None:
            last = state.messages[-1].created_at if state.messages else None
            if last is None or _aware(now) - _aware(last) < SESSION_IDLE:
                return state.chat_session_id
            self._close_session(session, student_id, now)
        opened = chat_store.open_chat_session(
            session=session, student_id=student_id, model_available=self.model_available
        )
        return opened.id

    def _close_session(
        self, session: Session, student_id: int, now: datetime
    ) -> SessionSummary | None:
        chat = open_chat_session_of(session=session, student_id=student_id)
        if chat is None:
            return None
        summary = summarise_session(
            session=session, chat=chat, pack=self._pack, now=now, student_id=student_id
        )
        chat_store.end_chat_session(
            session=session,
            student_id=student_id,
            chat_session_id=chat.id,
            summary=json.dumps(summary.as_dict()),
        )
        return summary

    # -- acts -----------------------------------------------------------------------------

    def _act_for(
        self,
        intent: Intent,
        session: Session,
        state: TurnState,
        now: datetime,
        *,
        question: str | None,
    ) -> _Act:
        exercise = self._exercise_of(state)
        if intent is Intent.NEW_EXERCISE:
            return self._act_new(session, state, now, intro=None)
        if intent is Intent.HINT:
            return self._act_hint(session, state, exercise)
        if intent is Intent.EXPLAIN:
            return self._act_explain(state, exercise)
        if intent is Intent.SOLUTION:
            return self._act_solution(session, state, exercise, now)
        if intent is Intent.SMALL_TALK:
            return _Act([self._small_talk(question or "", exercise is not None)])
        return self._act_question(state, exercise, question or "")

    def _act_answer(
        self,
        session: Session,
        state: TurnState,
        exercise: Any,
        answer: str,
        submission_id: str | None,
        now: datetime,
    ) -> _Act:
        active = state.active
        assert active is not None
        result = check_answer(exercise, answer)
        if result.status == "malformed":
            return _Act([texts.malformed(result.message)])
        skill_key = exercise.skill_key
        change = after_answer(
            p_before=state.known(skill_key, self._pack),
            correct=result.correct,
            params=state.bkt_params(skill_key, self._pack),
            card=state.cards.get(skill_key) if active.kind == "review" else None,
            now=now,
        )
        elapsed = max(0, int((_aware(now) - _aware(active.started_at)).total_seconds() * 1000))
        recorded = practice.record_attempt(
            session=session,
            student_id=state.student.id,
            skill_key=skill_key,
            exercise_id=exercise.id,
            seed=exercise.seed,
            answer=answer[:200],
            correct=result.correct,
            misconception_id=result.misconception.id if result.misconception else None,
            hints_used=active.hints_used,
            time_taken_ms=min(elapsed, 2**31 - 1),
            client_submission_id=submission_id or uuid.uuid4().hex,
            kind=active.kind,
        )
        if not recorded.recorded:
            return _Act([self._repeat_verdict(recorded.attempt, exercise)], store=False)
        practice.set_skill_state(
            session=session,
            student_id=state.student.id,
            skill_key=skill_key,
            p_known=change.p_after,
            correct=result.correct,
        )
        if change.card is not None and change.due_at is not None:
            practice.upsert_review_card(
                session=session,
                student_id=state.student.id,
                skill_key=skill_key,
                card=change.card,
                due_at=change.due_at,
            )
        if result.correct:
            name = self._pack.skills[skill_key].name
            praise = texts.praise(len(state.attempts))
            moved = (
                f"Your mastery of {name} is now {change.p_after:.2f} (was {change.p_before:.2f})."
            )
            if change.newly_mastered:
                moved += f" You have mastered {name}!"
            p_known = {**state.p_known, skill_key: change.p_after}
            due = tuple(k for k in state.due_reviews if k != skill_key)
            following = self._act_new(
                session, state, now, intro=f"{praise} {moved}", p_known=p_known, due=due
            )
            return _Act(following.parts, task="feedback")
        updated = practice.update_active_exercise(
            session=session, student_id=state.student.id, add_wrong_attempts=1
        )
        return _Act(self._wrong_parts(state, exercise, answer, result, updated), task="feedback")

    def _wrong_parts(
        self, state: TurnState, exercise: Any, answer: str, result: Any, active: Any
    ) -> list[Part]:
        skill = self._pack.skills[exercise.skill_key]
        fields: dict[str, object] = {
            "skill_name": skill.name,
            "statement": exercise.statement,
            "student_answer": answer,
        }
        if result.misconception is not None:
            fields["misconception"] = result.misconception.description
        leaks = _leak_check(exercise)
        feedback = model_part(
            "feedback",
            fields,
            self._context(state, exercise.skill_key),
            generator=self._generator,
            accept=lambda text: not leaks(text),
            template=texts.FEEDBACK_FOLLOW_UP,
            last_resort=texts.FEEDBACK_FOLLOW_UP,
        )
        parts: list[Part] = [result.message, feedback, texts.HINT_OFFER]
        if active.wrong_attempts >= SOLUTION_AFTER_WRONG:
            parts.append(texts.SOLUTION_OFFER)
        return parts

    def _repeat_verdict(self, attempt: AttemptRecord, exercise: Any) -> str:
        if attempt.correct:
            return f"{texts.ALREADY_RECORDED} {texts.praise(0)}"
        return f"{texts.ALREADY_RECORDED} {texts.wrong_verdict(None)} {texts.HINT_OFFER}"

    def _act_new(
        self,
        session: Session,
        state: TurnState,
        now: datetime,
        *,
        intro: str | None,
        p_known: dict[str, float] | None = None,
        due: tuple[str, ...] | None = None,
    ) -> _Act:
        activity = next_activity(
            self._pack,
            p_known=state.p_known if p_known is None else p_known,
            due_reviews=state.due_reviews if due is None else due,
            assigned=state.assigned,
            now=now,
        )
        parts: list[Part] = [intro] if intro else []
        if activity.kind == "done":
            practice.clear_active_exercise(session=session, student_id=state.student.id)
            return _Act([*parts, texts.ALL_DONE], task="exercise")
        exercise = self._pack.exercise(activity.skill_key, self._rng.randrange(2**31))
        practice.set_active_exercise(
            session=session,
            student_id=state.student.id,
            skill_key=exercise.skill_key,
            exercise_id=exercise.id,
            seed=exercise.seed,
            kind="review" if activity.kind == "review" else "practice",
            reason=activity.reason,
        )
        parts.append(texts.NEXT_UP.format(reason=activity.reason))
        parts.append(self._wording(state, exercise))
        return _Act(parts, task="exercise")

    def _wording(self, state: TurnState, exercise: Any) -> Part:
        """The exercise's wording from the model when its numbers are exactly the spec's."""
        if not exercise.spec:
            return exercise.statement
        skill = self._pack.skills[exercise.skill_key]
        return model_part(
            "exercise",
            {"skill_name": skill.name, "spec": dict(exercise.spec)},
            self._context(state, exercise.skill_key),
            generator=self._generator,
            accept=lambda text: wording_matches_spec(text, exercise.spec),
            template=exercise.statement,
            last_resort=exercise.statement,
        )

    def _act_hint(self, session: Session, state: TurnState, exercise: Any) -> _Act:
        if exercise is None or state.active is None:
            return _Act([texts.NO_EXERCISE])
        level = level_for(state.active.hints_used)
        leaks = _leak_check(exercise)
        wrong = _last_wrong(state, exercise)
        misconception = misconception_text(exercise, wrong.misconception_id if wrong else None)
        similar = None
        if level >= 3:
            found = pick_similar(self._pack, exercise, leaks=leaks, rng=self._rng)
            similar = worked_example(found) if found is not None else None
        fields = hint_fields(
            skill_name=self._pack.skills[exercise.skill_key].name,
            statement=exercise.statement,
            level=level,
            student_answer=wrong.answer if wrong else None,
            misconception=misconception,
            similar_example=similar,
        )
        practice.update_active_exercise(session=session, student_id=state.student.id, add_hints=1)
        context = self._context(state, exercise.skill_key)
        part = model_part(
            "hint",
            fields,
            context,
            generator=self._generator,
            accept=lambda text: not leaks(text),
            last_resort=texts.SAFE_HINT,
        )
        parts: list[Part] = [part]
        if level >= 3 and state.active.hints_used >= 2:
            parts.append(texts.TOP_HINT_REACHED)
        if state.active.wrong_attempts >= SOLUTION_AFTER_WRONG:
            parts.append(texts.SOLUTION_OFFER)
        return _Act(parts, task="hint")

    def _act_explain(self, state: TurnState, exercise: Any) -> _Act:
        if exercise is None:
            return _Act([texts.NO_EXERCISE])
        leaks = _leak_check(exercise)
        skill = self._pack.skills[exercise.skill_key]
        similar = pick_similar(self._pack, exercise, leaks=leaks, rng=self._rng)
        if similar is None:
            return _Act([texts.skill_overview(skill.name, skill.description)], task="explain")
        fields: dict[str, object] = {
            "skill_name": skill.name,
            "statement": similar.statement,
            "solution_steps": step_lines(similar),
            "answer": similar.answer_text,
        }
        wrong = _last_wrong(state, exercise)
        misconception = misconception_text(exercise, wrong.misconception_id if wrong else None)
        if misconception:
            fields["focus"] = f"this slip: {misconception}"
        context = self._context(state, exercise.skill_key)
        template = fallback("explain", fields, context)
        part = model_part(
            "explain",
            fields,
            context,
            generator=self._generator,
            accept=lambda text: not leaks(text),
            template=template,
            last_resort=texts.skill_overview(skill.name, skill.description),
        )
        return _Act([texts.SIMILAR_INTRO, similar.statement, part], task="explain")

    def _act_solution(
        self, session: Session, state: TurnState, exercise: Any, now: datetime
    ) -> _Act:
        active = state.active
        if exercise is None or active is None:
            return _Act([texts.NO_EXERCISE])
        if active.wrong_attempts < SOLUTION_AFTER_WRONG and not active.solution_shown:
            return _Act(
                [texts.solution_refused(active.wrong_attempts, SOLUTION_AFTER_WRONG)],
                task="solution",
            )
        practice.update_active_exercise(
            session=session, student_id=state.student.id, solution_shown=True
        )
        steps = step_lines(exercise)
        skill = self._pack.skills[exercise.skill_key]
        fields = {
            "skill_name": skill.name,
            "statement": exercise.statement,
            "solution_steps": steps,
            "answer": exercise.answer_text,
        }
        explanation = model_part(
            "explain",
            fields,
            self._context(state, exercise.skill_key),
            generator=self._generator,
            template=texts.solution_text(steps),
        )
        parts: list[Part] = [explanation, texts.solution_answer(exercise.answer_text)]
        following = self._act_new(session, state, now, intro=None)
        return _Act([*parts, *following.parts], task="solution")

    def _act_question(self, state: TurnState, exercise: Any, question: str) -> _Act:
        fields: dict[str, object] = {"question": question}
        accept = None
        skill_key = None
        if exercise is not None:
            skill_key = exercise.skill_key
            fields["skill_name"] = self._pack.skills[skill_key].name
            fields["statement"] = exercise.statement
            leaks = _leak_check(exercise)

            def accept(text: str) -> bool:
                return not leaks(text)

        part = model_part(
            "answer",
            fields,
            self._context(state, skill_key),
            generator=self._generator,
            accept=accept,
            last_resort=texts.SAFE_ANSWER,
        )
        return _Act([part], task="answer")

    def _small_talk(self, text: str, has_exercise: bool) -> str:
        if text.lower().startswith(("thank", "thx")):
            return texts.SMALL_TALK_THANKS
        return texts.SMALL_TALK if has_exercise else texts.SMALL_TALK_NO_EXERCISE

    # -- helpers ------------------------------------------------------------------------

    def _exercise_of(self, state: TurnState) -> Any | None:
        if state.active is None:
            return None
        return self._rebuild(state.active.exercise_id, state.active.seed)

    def _rebuild(self, exercise_id: str, seed: int) -> Any:
        return self._pack.exercise_by_id(exercise_id, seed)

    def _context(self, state: TurnState, skill_key: str | None) -> LearnerContext:
        wrong = [a for a in state.attempts if not a.correct][:3]
        mistakes = []
        misconceptions = []
        for attempt in wrong:
            skill = self._pack.skills.get(attempt.skill_key)
            mistakes.append(
                f"answered {attempt.answer} in {skill.name if skill else 'an exercise'}"
            )
            if attempt.misconception_id:
                text = misconception_of(self._pack, attempt)
                if text:
                    misconceptions.append(text)
        return build_context(
            grade=state.student.grade_level,
            preferences=state.student.preferences,
            mastery=mastery_lines(self._pack, skill_key, state.p_known),
            mistakes=mistakes,
            misconceptions=misconceptions,
            messages=state.messages,
        )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _leak_check(exercise: Any) -> Callable[[str], bool]:
    """True when a text states this exercise's answer in any form the curriculum can read
    (fractions, decimals and decimal commas, percentages, "3 over 4", "3÷4", number words)."""
    return lambda text: bool(reveals_answer(text, exercise))


def _double_submit(state: TurnState, answer: str, now: datetime) -> AttemptRecord | None:
    """The student's newest attempt when `answer` repeats it within `DOUBLE_SUBMIT_WINDOW`.

    Read inside the turn's write transaction (serialised per student), so of N parallel
    identical submissions exactly one records and the others see it here, even when the first
    was right and opened the next exercise (the duplicates must not count against that one)."""
    if not state.attempts:
        return None
    newest = state.attempts[0]
    recent = _aware(now) - _aware(newest.created_at) < DOUBLE_SUBMIT_WINDOW
    return newest if recent and newest.answer == answer[:200] else None


def _last_wrong(state: TurnState, exercise: Any) -> AttemptRecord | None:
    for attempt in state.attempts:  # newest first
        if attempt.exercise_id == exercise.id and attempt.seed == exercise.seed:
            return None if attempt.correct else attempt
    return None
