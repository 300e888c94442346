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
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from random import Random

from sqlalchemy.orm import Session

from prompts import LearnerContext, clean_student_text
from students_db import chat as chat_store
from students_db import practice
from students_db.accounts import get_student, set_student_preferences
from students_db.engine import SessionFactory, read_session, write_session
from students_db.records import AttemptRecord
from tutor.curriculum import CheckResult, wording_matches_spec
from tutor.curriculum.model import Exercise
from tutor.curriculum.pack import Pack
from tutor.dialogue import texts
from tutor.dialogue.context import build_context, mastery_lines, misconception_of
from tutor.dialogue.exercise_plan import exercise_plan
from tutor.dialogue.intent import Classified, Intent, classify
from tutor.dialogue.mastery import after_answer, is_assisted
from tutor.dialogue.pipeline import ModelPart, Part, ReplyStream
from tutor.dialogue.planner import Planner, learner_of, solution_open
from tutor.dialogue.prechecks import CheckedAnswer, Prepared, check_reply, prepare_turn
from tutor.dialogue.state import (
    TurnState,
    UnknownStudent,
    open_chat_session_of,
    peek_turn,
    pending_substep,
    read_turn_state,
)
from tutor.dialogue.summary import summarise_session
from tutor.dialogue.turns import (
    CloseExercise,
    CountHelp,
    Effect,
    MarkSolutionShown,
    OpenExercise,
    Reply,
    StorePlan,
    Wording,
)
from tutor.dialogue.validation import validate_message
from tutor.dialogue.views import (
    HistoryItem,
    MessageRejected,
    ProgressView,
    SessionSummary,
    SkillMastery,
)
from tutor.dialogue.words import words_part
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


class Tutor:
    """A student's tutor. Keeps no per-student state in memory: everything is read from and
    written to the store, so one instance serves many students from many threads."""

    def __init__(
        self,
        *,
        sessions: SessionFactory,
        pack: Pack,
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
        self._planner = Planner(pack, self._rng)

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

        prepared = self._prepare(student_id, text)
        checked = prepared.checked

        def act(session: Session, state: TurnState, now: datetime) -> Reply:
            exercise = self._exercise_of(state)
            found = classify(
                text,
                has_exercise=exercise is not None,
                skill_key=exercise.skill_key if exercise is not None else None,
            )
            if found.intent is Intent.ANSWER and exercise is not None:
                answer = found.answer_text or text
                return self._answer_turn(
                    session, state, exercise, answer, checked, submission_id, now
                )
            return self._planner.for_request(
                found, state, exercise, text=text, pending=pending_substep(state)
            )

        return self._turn(student_id, text, act, tried=prepared.tried)

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
            attempts = practice.recent_attempts(session=session, student_id=student_id, limit=20)
        rows = []
        for skill in self._pack.skills.values():
            known = states[skill.key].p_known if skill.key in states else skill.bkt.p_init
            rows.append(SkillMastery(skill.key, skill.name, round(known, 4), is_mastered(known)))
        statement = None
        allowed = False
        if active is not None:
            exercise = self._rebuild(active.exercise_id, active.seed)
            statement = exercise.statement
            allowed = solution_open(active, attempts, exercise)
        return ProgressView(
            mastery=tuple(rows),
            current_skill=active.skill_key if active else None,
            current_reason=active.reason if active else None,
            current_statement=statement,
            due_reviews=tuple(c.skill_key for c in due),
            solution_allowed=allowed,
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
        def act(session: Session, state: TurnState, now: datetime) -> Reply:
            exercise = self._exercise_of(state)
            return self._planner.for_request(Classified(intent), state, exercise, text=None)

        return self._turn(student_id, shown_as, act, tried=self._prepare(student_id, None).tried)

    def _turn(
        self,
        student_id: int,
        student_text: str,
        act: Callable[[Session, TurnState, datetime], Reply],
        *,
        tried: bool,
    ) -> Iterator[str]:
        """One write transaction: read the state, decide, apply, store the messages; then
        stream. The planner decides; only this method and `_record_answer` write."""
        now = self._clock()
        with write_session(self._sessions) as session:
            state = replace(
                read_turn_state(session=session, student_id=student_id, now=now), tried=tried
            )
            chat_id = self._chat_session(session, state, now)
            decided = act(session, state, now)
            self._apply(session, state, decided.effects)
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
            self._parts(state, decided),
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

    # -- answers --------------------------------------------------------------------------

    def _prepare(self, student_id: int, text: str | None) -> Prepared:
        """The slow work of a turn, done BEFORE its write transaction: the answer's check
        (the checker may take up to its time limit) and whether the student has made a
        genuine attempt at the active exercise (the solution gate). The transaction re-reads
        the state and uses the answer's verdict only if it was checked against the same
        exercise and sub-step."""
        with read_session(self._sessions) as session:
            peek = peek_turn(session=session, student_id=student_id)
        if peek.active is None:
            return Prepared(None, tried=False)
        exercise = self._rebuild(peek.active.exercise_id, peek.active.seed)
        return prepare_turn(peek, exercise, text)

    def _answer_turn(
        self,
        session: Session,
        state: TurnState,
        exercise: Exercise,
        answer: str,
        checked: CheckedAnswer | None,
        submission_id: str | None,
        now: datetime,
    ) -> Reply:
        repeated = _resubmitted(state, answer, submission_id, now)
        if repeated is not None:  # before the sub-step: a resubmission is never a reply to it
            return Reply((self._repeat_verdict(repeated, exercise),), store=False)
        step = pending_substep(state)
        if checked is None or not checked.matches(exercise, step, answer):
            # The state moved on since the check (another tab answered): check again. Rare,
            # and bounded by the checker's time limit.
            earlier = [a.answer for a in state.attempts if a.exercise_id == exercise.id]
            checked = check_reply(exercise, step, answer, earlier)
        if checked.substep is not None:
            return self._planner.after_substep(
                state, exercise, checked.substep, answer, right=bool(checked.substep_right)
            )
        result = checked.result
        assert result is not None
        if result.status == "malformed":
            return Reply((texts.malformed(result.message),))
        return self._record_answer(
            session, state, exercise, answer, result, submission_id, now, genuine=checked.genuine
        )

    def _record_answer(
        self,
        session: Session,
        state: TurnState,
        exercise: Exercise,
        answer: str,
        result: CheckResult,
        submission_id: str | None,
        now: datetime,
        *,
        genuine: bool,
    ) -> Reply:
        """The attempt, the BKT and FSRS change, written in the turn's transaction."""
        active = state.active
        assert active is not None
        skill_key = exercise.skill_key
        assisted = is_assisted(hints_used=active.hints_used, solution=active.solution_shown)
        change = after_answer(
            p_before=state.known(skill_key, self._pack),
            correct=result.correct,
            params=state.bkt_params(skill_key, self._pack),
            card=state.cards.get(skill_key) if active.kind == "review" else None,
            now=now,
            assisted=assisted,
            unassisted_before=state.unassisted.get(skill_key, 0),
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
            return Reply((self._repeat_verdict(recorded.attempt, exercise),), store=False)
        practice.set_skill_state(
            session=session,
            student_id=state.student.id,
            skill_key=skill_key,
            p_known=change.p_after,
            correct=change.counted_correct,
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
            return self._planner.after_right(state, exercise, change)
        practice.update_active_exercise(
            session=session, student_id=state.student.id, add_wrong_attempts=1
        )
        return self._planner.after_wrong(state, exercise, answer, result, genuine=genuine)

    def _repeat_verdict(self, attempt: AttemptRecord, exercise: Exercise) -> str:
        if attempt.correct:
            return f"{texts.ALREADY_RECORDED} {texts.praise(0)}"
        return f"{texts.ALREADY_RECORDED} {texts.wrong_verdict(None)} {texts.HINT_OFFER}"

    # -- effects and words ------------------------------------------------------------------

    def _apply(self, session: Session, state: TurnState, effects: tuple[Effect, ...]) -> None:
        """Write what the planner decided, in the turn's transaction, in order."""
        student_id = state.student.id
        for effect in effects:
            if isinstance(effect, OpenExercise):
                practice.set_active_exercise(
                    session=session,
                    student_id=student_id,
                    skill_key=effect.exercise.skill_key,
                    exercise_id=effect.exercise.id,
                    seed=effect.exercise.seed,
                    kind=effect.kind,
                    reason=effect.reason,
                )
            elif isinstance(effect, CloseExercise):
                practice.clear_active_exercise(session=session, student_id=student_id)
            elif isinstance(effect, CountHelp):
                practice.update_active_exercise(
                    session=session, student_id=student_id, add_hints=effect.hints
                )
            elif isinstance(effect, MarkSolutionShown):
                practice.update_active_exercise(
                    session=session, student_id=student_id, solution_shown=True
                )
            elif isinstance(effect, StorePlan):
                preferences = effect.plan.into(state.student.preferences)
                set_student_preferences(
                    session=session, student_id=student_id, preferences=preferences
                )

    def _parts(self, state: TurnState, reply: Reply) -> list[Part]:
        """The reply's parts as the stream takes them: plans become model parts with their
        template, exercise wordings model parts checked against the spec."""
        exercise = self._exercise_of(state)
        context = self._context(state, exercise.skill_key if exercise is not None else None)
        parts: list[Part] = []
        for part in reply.parts:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, Wording):
                parts.append(self._wording(state, part.exercise))
            else:
                parts.append(
                    words_part(part, context, generator=self._generator, exercise=exercise)
                )
        return parts

    def _wording(self, state: TurnState, exercise: Exercise) -> Part:
        """The exercise's wording from the model (a plan: the spec's numbers, its operation,
        the learner's theme) when the verifier passes it and its numbers are exactly the
        spec's, so a correct student is never marked wrong; else the pack's statement."""
        skill = self._pack.skills[exercise.skill_key]
        plan = exercise_plan(exercise, skill.name, learner_of(state)) if exercise.spec else None
        if plan is None:
            return exercise.statement
        part = words_part(
            plan,
            self._context(state, exercise.skill_key),
            generator=self._generator,
            exercise=exercise,
        )
        if not isinstance(part, ModelPart) or part.accept is None:
            return part
        verified = part.accept
        return replace(
            part,
            accept=lambda text: verified(text) and wording_matches_spec(text, exercise.spec),
            last_resort=exercise.statement,
        )

    # -- helpers ------------------------------------------------------------------------

    def _exercise_of(self, state: TurnState) -> Exercise | None:
        if state.active is None:
            return None
        return self._rebuild(state.active.exercise_id, state.active.seed)

    def _rebuild(self, exercise_id: str, seed: int) -> Exercise:
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


def _resubmitted(
    state: TurnState, answer: str, submission_id: str | None, now: datetime
) -> AttemptRecord | None:
    """The attempt this answer resubmits: the same submission id, or (without one) the same
    answer within `DOUBLE_SUBMIT_WINDOW` of the newest attempt."""
    if submission_id is None:
        return _double_submit(state, answer, now)
    for attempt in state.attempts:
        if attempt.client_submission_id == submission_id:
            return attempt
    return None


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
