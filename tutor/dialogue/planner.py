"""The dialogue policy: which moves a turn makes, decided from the turn's state alone.

    intent / checked answer ─┐
    TurnState (read in the   ├─► Planner ─► Reply(parts: str | MovePlan | Wording,
      turn's transaction)   ─┘                     task, effects)

The planner reads the state the `Tutor` read and returns what to say and what to change; it
never opens a session or calls the model. Its rules, in the order a tutor follows them
(notes/teaching.md):

- a wrong answer: the verdict, then the step where it departs in the student's numbers
  (contrast when the slip is known), then a sub-step question code checks;
- a sub-step reply: right -> say so and go back to the exercise; wrong -> tell the step and go
  back; never an attempt at the exercise;
- hints climb a ladder grounded in the trace: authored hint, focus question on the first
  unfinished step (a checked sub-step), the step's operation without its result, a worked
  example on other numbers that still show the diagnosed slip;
- the solution needs a genuine attempt and a hint first; frustration is acknowledged with a
  smaller step, never answered with the solution;
- after `STEP_BACK_AFTER` wrong answers in a row on a skill, step back to a prerequisite;
- progress in words a child reads: right answers still needed, never probabilities.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from random import Random

from prompts.plan import Learner, MovePlan
from students_db.records import ActiveExerciseRecord, AttemptRecord
from tutor.curriculum import CheckResult, reveals_answer
from tutor.curriculum.examples import similar_for_slip
from tutor.curriculum.model import Exercise
from tutor.curriculum.pack import Pack
from tutor.dialogue import moves, texts
from tutor.dialogue.activity import (
    Sequencing,
    next_activity,
    placement_item,
    sequencing_after_answer,
    start_test_out,
)
from tutor.dialogue.concepts import concept_answer
from tutor.dialogue.context import preferred_style
from tutor.dialogue.effort import is_genuine_attempt, is_rapid_guessing
from tutor.dialogue.intent import Classified, Intent
from tutor.dialogue.mastery import StateChange
from tutor.dialogue.moves import Current, leaks
from tutor.dialogue.progress import answers_to_master, progress_words
from tutor.dialogue.state import TurnState
from tutor.dialogue.steps import Slip, first_askable, slip_of, worth_asking
from tutor.dialogue.turns import (
    CloseExercise,
    CountHelp,
    MarkSolutionShown,
    OpenExercise,
    Reply,
    ReplyPart,
    StorePlan,
    Wording,
    substep_task,
)

STEP_BACK_AFTER = 3  # wrong answers in a row on one skill before stepping back

_GIVE_UP = re.compile(
    r"\b(i\s+give\s+up|just\s+(tell|show|give)\s+me|tell\s+me\s+the\s+answer|"
    r"what('?s|\s+is)\s+the\s+answer)\b"
)
_FRUSTRATED = re.compile(
    r"\b(i\s+hate\s+(this|it|maths?|math)|this\s+is\s+(stupid|dumb|boring|too\s+hard|hard)|"
    r"i\s+can'?t\s+do\s+(this|it)|i'?m\s+(bad|rubbish|terrible)\s+at|too\s+hard|ugh+)\b"
)
_DONT_KNOW = re.compile(r"\b(i\s+(don'?t|do\s+not)\s+know|no\s+idea|idk|dunno)\b")


def feeling_of(text: str) -> str | None:
    """ "give_up", "frustrated", "dont_know" or None: how a typed message sounds."""
    lowered = " ".join(text.lower().split())
    if _GIVE_UP.search(lowered):
        return "give_up"
    if _FRUSTRATED.search(lowered):
        return "frustrated"
    if _DONT_KNOW.search(lowered):
        return "dont_know"
    return None


def learner_of(state: TurnState) -> Learner:
    student = state.student
    return Learner(
        name=student.display_name,
        grade=student.grade_level,
        style=preferred_style(student.preferences),
    )


class Planner:
    """Decides a turn's moves. One instance serves every student (it keeps no state but the
    random source that picks exercise seeds and worked examples)."""

    def __init__(self, pack: Pack, rng: Random) -> None:
        self._pack = pack
        self._rng = rng

    # -- requests ----------------------------------------------------------------------

    def for_request(
        self,
        asked: Classified,
        state: TurnState,
        exercise: Exercise | None,
        *,
        text: str | None,
        pending: int | None = None,
    ) -> Reply:
        """A request (button or typed): new exercise, hint, explanation, solution, a question,
        frustration, small talk or off-topic. `pending`: the open sub-step, re-asked after a
        question so it stays open."""
        intent = asked.intent
        if intent is Intent.ACKNOWLEDGE or (
            text and intent is Intent.SOLUTION and feeling_of(text) == "give_up"
        ):
            feeling = feeling_of(text or "") or "frustrated"
            return self.acknowledge(state, exercise, feeling, said=text or "")
        if intent is Intent.NEW_EXERCISE:
            return self.next_exercise(state)
        if intent is Intent.SKIP:
            return self.skip(state, exercise)
        if intent is Intent.SMALL_TALK:
            return Reply((_small_talk(text or "", has_exercise=exercise is not None),))
        if intent in (Intent.CONCEPT, Intent.QUESTION, Intent.REDIRECT):
            reply = self.question(state, exercise, asked, text or "")
            return self._keep_open(reply, state, exercise, pending)
        if exercise is None or state.active is None:
            return Reply((texts.NO_EXERCISE,))
        if intent is Intent.HINT:
            return self.hint(state, exercise)
        if intent is Intent.EXPLAIN:
            return self.explain(state, exercise)
        if intent is Intent.SOLUTION:
            return self.solution(state, exercise)
        return self._keep_open(
            self.question(state, exercise, asked, text or ""), state, exercise, pending
        )

    def _keep_open(
        self, reply: Reply, state: TurnState, exercise: Exercise | None, pending: int | None
    ) -> Reply:
        """After a question, the open sub-step is asked again (instead of the exercise)."""
        if exercise is None or pending is None or not 0 <= pending < len(exercise.solution):
            return reply
        question = moves.step_question(exercise.solution[pending])
        if question is None:
            return reply
        parts = tuple(
            p for p in reply.parts if not (isinstance(p, str) and p.startswith(texts.restate("")))
        )
        return Reply(
            (*parts, texts.back_to_step(question)),
            task=substep_task(reply.task or "answer", pending),
            effects=reply.effects,
        )

    def hint(self, state: TurnState, exercise: Exercise) -> Reply:
        """The next rung of the ladder; the exercise restated after it."""
        assert state.active is not None
        rungs = self._rungs(state, exercise)
        at = min(state.active.hints_used, len(rungs) - 1)
        plan, task = rungs[at]
        parts: list[ReplyPart] = [plan]
        if state.active.hints_used >= len(rungs) - 1:
            parts.append(texts.TOP_HINT_REACHED)
        if plan.question is None and plan.move != "worked_example":  # it ends with "Now you"
            parts.append(texts.restate(exercise.statement))
        if self.solution_gate(state, exercise, after_hint=True) is None:
            parts.append(texts.SOLUTION_OFFER)
        return Reply(tuple(parts), task=task, effects=(CountHelp(),))

    def explain(self, state: TurnState, exercise: Exercise) -> Reply:
        """ "Explain again": a worked example on other numbers (counts as help)."""
        current = self._current(state, exercise)
        similar = self._similar(state, exercise)
        if similar is None:
            skill = self._pack.skills[exercise.skill_key]
            text = texts.skill_overview(skill.name, skill.description)
            plan = moves.concept(current, text, question="explain", learner=current.learner)
            return Reply((plan, texts.restate(exercise.statement)), task="explain")
        plan = moves.worked_example(current, similar)
        return Reply((plan,), task="explain", effects=(CountHelp(),))

    def solution(self, state: TurnState, exercise: Exercise) -> Reply:
        """The worked solution behind its gate; when shown, the next exercise follows."""
        refused = self.solution_gate(state, exercise)
        if refused is not None:
            return Reply((refused,), task="solution")
        plan = moves.solution(self._current(state, exercise))
        shown = Reply((plan,), task="solution", effects=(MarkSolutionShown(),))
        return shown.then(self.next_exercise(state), task="solution")

    def solution_gate(
        self, state: TurnState, exercise: Exercise, *, after_hint: bool = False
    ) -> str | None:
        """None when the solution may be shown, else the sentence that says what is missing:
        a genuine attempt (a wrong answer that is not a guess) and a hint first."""
        active = state.active
        if active is None:
            return texts.NO_EXERCISE
        if active.solution_shown:
            return None
        tried = state.tried
        hinted = active.hints_used > 0 or after_hint
        if tried and hinted:
            return None
        return texts.solution_gate(tried=tried, hinted=hinted)

    def question(
        self, state: TurnState, exercise: Exercise | None, asked: Classified, text: str
    ) -> Reply:
        """A typed question: the concept bank's entry (or the skill's description), the
        current step where the question points at it, then back to the exercise."""
        learner = learner_of(state)
        current = self._current(state, exercise) if exercise is not None else None
        if asked.intent is Intent.REDIRECT:
            next_step = texts.restate(exercise.statement) if exercise else texts.ASK_NEW
            plan = moves.redirect(current, next_step, learner=learner, said=text)
            return Reply((plan,), task="answer")
        facts = self._concept_facts(state, exercise, asked)
        plan = moves.concept(current, " ".join(facts), question=text, learner=learner)
        parts: list[ReplyPart] = [plan]
        if exercise is not None:
            parts.append(texts.restate(exercise.statement))
        return Reply(tuple(parts), task="answer")

    def _concept_facts(
        self, state: TurnState, exercise: Exercise | None, asked: Classified
    ) -> tuple[str, ...]:
        """The bank's entry for the asked topic and aspect; for a question about the current
        step ("why?"), the step in the student's numbers first."""
        skill = self._pack.skills.get(exercise.skill_key) if exercise is not None else None
        topic = asked.topic or (skill.key if skill is not None else None)
        facts: list[str] = []
        if asked.about_step and exercise is not None:
            index = self._unfinished_step(state, exercise)
            if index is not None:
                focus = moves.step_focus(exercise.solution[index])
                if not leaks(focus, exercise):
                    facts.append(focus)
        entry = None
        if topic is not None and asked.intent is Intent.CONCEPT:
            try:
                entry = concept_answer(
                    topic,
                    asked.aspect or "what",
                    self._rng,
                    avoid=(lambda s: _reveals(s, exercise)) if exercise is not None else None,
                )
            except LookupError:
                entry = None
        if entry is not None:
            facts.extend(entry.facts)
        elif skill is not None:
            facts.append(texts.skill_overview(skill.name, skill.description))
        else:
            facts.append(texts.NO_CONCEPT)
        return tuple(facts)

    def acknowledge(
        self, state: TurnState, exercise: Exercise | None, feeling: str, *, said: str = ""
    ) -> Reply:
        """Acknowledge, then one smaller thing to do: a checked sub-step where there is one."""
        learner = learner_of(state)
        line = texts.FEELINGS[feeling]
        if exercise is None or state.active is None:
            plan = moves.acknowledge(None, line, texts.ASK_NEW, learner=learner, said=said)
            return Reply((plan,), task="answer")
        current = self._current(state, exercise)
        index = self._unfinished_step(state, exercise)
        if index is None:
            next_step = f"{texts.SMALLER_CHOICE} {texts.restate(exercise.statement)}"
            plan = moves.acknowledge(current, line, next_step, learner=learner, said=said)
            return Reply((plan,), task="answer")
        step = exercise.solution[index]
        ask = moves.substep(current, step)
        plan = moves.acknowledge(current, line, ask.template, learner=learner, said=said)
        plan = with_question(plan, ask)
        return Reply((plan,), task=substep_task("answer", index), effects=(CountHelp(),))

    # -- answers -------------------------------------------------------------------------

    def after_right(self, state: TurnState, exercise: Exercise, change: StateChange) -> Reply:
        """Praise ("with help" when it was), progress in counts, then the next exercise."""
        skill = self._pack.skills[exercise.skill_key]
        verdict = texts.right_verdict(len(state.attempts), assisted=change.assisted)
        to_go = answers_to_master(
            change.p_after,
            state.bkt_params(skill.key, self._pack),
            change.unassisted_after or 0,
        )
        words = progress_words(skill.name, to_go, change.mastered)
        plan = moves.encourage(self._current(state, exercise), (words,))
        sequencing, said = self.sequencing_after(state, exercise, change.counted_correct)
        p_known = {**state.p_known, exercise.skill_key: change.p_after}
        unassisted = {**state.unassisted, exercise.skill_key: change.unassisted_after or 0}
        due = tuple(k for k in state.due_reviews if k != exercise.skill_key)
        following = self.next_exercise(
            state, p_known=p_known, due=due, unassisted=unassisted, plan=sequencing
        )
        parts: tuple[ReplyPart, ...] = (verdict, plan, *((said,) if said else ()))
        effects = (StorePlan(sequencing),) if said is not None else ()
        return Reply(parts, task="feedback", effects=effects).then(following, task="feedback")

    def after_wrong(
        self,
        state: TurnState,
        exercise: Exercise,
        answer: str,
        result: CheckResult,
        *,
        genuine: bool,
    ) -> Reply:
        """Verdict, the step in their numbers, a sub-step question; or a step back. A
        placement item is not taught: its answer says where to start."""
        sequencing, said = self.sequencing_after(state, exercise, False)
        stored = (StorePlan(sequencing),) if said is not None else ()
        if is_placement(state.active):
            following = self.next_exercise(state, plan=sequencing)
            done = Reply((result.message, texts.PLACEMENT_DONE), effects=stored)
            return done.then(following, task="feedback")
        current = self._current(state, exercise)
        parts: list[ReplyPart] = [result.message, *((said,) if said else ())]
        if state.active is not None and is_rapid_guessing(
            state.attempts,
            exercise_id=exercise.id,
            seed=exercise.seed,
            started_at=state.active.started_at,
        ):
            parts.append(texts.SLOW_DOWN)  # gaming: answer it with a step to do, not more help
        slip = slip_of(exercise, answer)
        index = slip.step_index if slip is not None else first_askable(exercise)
        task = "feedback"
        effects: tuple = ()
        if slip is not None:
            step = exercise.solution[slip.step_index]
            if slip.student_step:
                told = moves.contrast(current, step, student_step=slip.student_step, answer=answer)
            else:
                told = moves.locate(current, step, answer=answer, misconception=None)
            if leaks(told.template, exercise):  # the right step would give the answer away
                told = moves.locate(
                    current, step, answer=answer, misconception=None, show_step=False
                )
            if not leaks(told.template, exercise):
                parts.append(told)
        if self._wrong_in_a_row(state, exercise) + 1 >= STEP_BACK_AFTER:
            back = self.step_back(state, exercise)
            if back is not None:
                return Reply(tuple(parts)).then(back, task="stepback")
        if index is not None and worth_asking(exercise, index):
            parts.append(moves.substep(current, exercise.solution[index]))
            task = substep_task("feedback", index)
            effects = (CountHelp(),)
        else:
            parts.append(texts.HINT_OFFER)
        assert state.active is not None
        tried = genuine or state.tried
        if tried and state.active.hints_used > 0 or state.active.solution_shown:
            parts.append(texts.SOLUTION_OFFER)
        return Reply(tuple(parts), task=task, effects=stored + effects)

    def after_substep(
        self, state: TurnState, exercise: Exercise, step_index: int, reply: str, right: bool
    ) -> Reply:
        """A sub-step reply (never an attempt at the exercise): verdict, then the exercise."""
        current = self._current(state, exercise)
        step = exercise.solution[step_index]
        plan = moves.substep_done(current, step, right=right, reply=reply)
        return Reply((plan, texts.restate(exercise.statement)), task="hint")

    def step_back(self, state: TurnState, exercise: Exercise) -> Reply | None:
        """An exercise of the weakest prerequisite, with the reason a teacher reads."""
        skill = self._pack.skills[exercise.skill_key]
        options = [k for k in skill.prerequisites if k in self._pack.skills]
        if not options:
            return None
        weakest = min(options, key=lambda k: state.known(k, self._pack))
        easier = self._pack.skills[weakest]
        reason = texts.step_back_reason(STEP_BACK_AFTER, skill.name, easier.name)
        new = self._pack.exercise(weakest, self._rng.randrange(2**31))
        parts: tuple[ReplyPart, ...] = (texts.step_back(easier.name), Wording(new))
        return Reply(parts, task="stepback", effects=(OpenExercise(new, "practice", reason),))

    # -- the next exercise ---------------------------------------------------------------

    def next_exercise(
        self,
        state: TurnState,
        *,
        p_known: Mapping[str, float] | None = None,
        due: Sequence[str] | None = None,
        unassisted: Mapping[str, int] | None = None,
        plan: Sequencing | None = None,
    ) -> Reply:
        """A test-out in progress first, then a placement item for a new student, then the
        policy's choice (due review, assigned, least mastered, new)."""
        plan = plan if plan is not None else Sequencing.of(state.student.preferences)
        if plan.test_out is not None and plan.test_out.skill_key in self._pack.skills:
            name = self._pack.skills[plan.test_out.skill_key].name
            return self._open(plan.test_out.skill_key, "practice", texts.test_out_reason(name))
        practised = bool(state.p_known) or bool(state.attempts)
        # A teacher's assignment comes before placement (the policy serves it first anyway).
        item = None if state.assigned else placement_item(self._pack, plan, practised=practised)
        if item is not None and item in self._pack.skills:
            return self._open(item, "practice", texts.PLACEMENT_REASON)
        activity = next_activity(
            self._pack,
            p_known=state.p_known if p_known is None else p_known,
            due_reviews=state.due_reviews if due is None else tuple(due),
            assigned=state.assigned,
            now=state.now,
            unassisted=state.unassisted if unassisted is None else unassisted,
            credited=tuple(plan.credited),
        )
        if activity.kind == "done":
            return Reply((texts.ALL_DONE,), task="exercise", effects=(CloseExercise(),))
        kind = "review" if activity.kind == "review" else "practice"
        if activity.skill_key is None:  # only "done" has no skill
            return Reply((texts.ALL_DONE,), task="exercise", effects=(CloseExercise(),))
        return self._open(activity.skill_key, kind, activity.reason)

    def _open(self, skill_key: str, kind: str, reason: str) -> Reply:
        exercise = self._pack.exercise(skill_key, self._rng.randrange(2**31))
        parts = (texts.next_up(reason), Wording(exercise))
        return Reply(parts, task="exercise", effects=(OpenExercise(exercise, kind, reason),))

    def skip(self, state: TurnState, exercise: Exercise | None) -> Reply:
        """ "Too easy" / "skip": a test-out on the current skill (two unassisted right answers
        in a row credit it); without an exercise, just the next one."""
        if exercise is None:
            return self.next_exercise(state)
        plan = start_test_out(Sequencing.of(state.student.preferences), exercise.skill_key)
        name = self._pack.skills[exercise.skill_key].name
        started = Reply((texts.test_out_start(name),), effects=(StorePlan(plan),))
        return started.then(self.next_exercise(state, plan=plan), task="exercise")

    def sequencing_after(
        self, state: TurnState, exercise: Exercise, counted_correct: bool
    ) -> tuple[Sequencing, str | None]:
        """The student's placement / test-out state after an answer on `exercise`
        (`activity.sequencing_after_answer`), and a line to say about it (None: unchanged)."""
        preferences, event = sequencing_after_answer(
            self._pack,
            state.student.preferences,
            skill_key=exercise.skill_key,
            counted_correct=counted_correct,
            placement_item_asked=is_placement(state.active),
        )
        if preferences is None:
            return Sequencing.of(state.student.preferences), None
        name = self._pack.skills[exercise.skill_key].name
        return Sequencing.of(preferences), texts.sequencing_event(event, name)

    # -- helpers -------------------------------------------------------------------------

    def _current(self, state: TurnState, exercise: Exercise) -> Current:
        skill = self._pack.skills[exercise.skill_key]
        return Current(exercise, skill.name, learner_of(state))

    def _slip_now(self, state: TurnState, exercise: Exercise) -> Slip | None:
        """The slip of the student's last answer on this exercise (None: it was right)."""
        for attempt in _attempts_on(state, exercise):
            return None if attempt.correct else slip_of(exercise, attempt.answer)
        return None

    def _unfinished_step(self, state: TurnState, exercise: Exercise) -> int | None:
        """The first unfinished step: the slip's step, else the first askable one."""
        slip = self._slip_now(state, exercise)
        if slip is not None and worth_asking(exercise, slip.step_index):
            return slip.step_index
        return first_askable(exercise)

    def _rungs(self, state: TurnState, exercise: Exercise) -> list[tuple[MovePlan, str]]:
        """The ladder for this exercise, each rung a plan with its stored task: authored
        hint, focus sub-step, the step's operation, a worked example. A rung whose wording
        would state the answer is left out."""
        current = self._current(state, exercise)
        rungs: list[tuple[MovePlan, str]] = []
        if exercise.hints:
            rungs.append((moves.hint_authored(current, exercise.hints[0]), "hint"))
        index = self._unfinished_step(state, exercise)
        if index is not None:
            step = exercise.solution[index]
            rungs.append(
                (moves.substep(current, step, kind="hint_focus"), substep_task("hint", index))
            )
            rungs.append((moves.hint_operation(current, step), "hint"))
            rungs.append((moves.tell_step(current, step), "hint"))
        else:  # no step to ask: the first step's operation in the exercise's own numbers
            first = next((s for s in exercise.solution if s.expression), None)
            if first is not None:
                rungs.append((moves.hint_operation(current, first), "hint"))
        similar = self._similar(state, exercise)
        if similar is not None:
            rungs.append((moves.worked_example(current, similar), "hint"))
        kept = [(plan, task) for plan, task in rungs if not leaks(plan.template, exercise)]
        if not kept:
            plan = moves.hint_authored(current, texts.SAFE_HINT)
            kept.append((plan, "hint"))
        return kept

    def _similar(self, state: TurnState, exercise: Exercise) -> Exercise | None:
        """Same operation, other numbers, on which the diagnosed slip still shows (no coprime
        pair after the LCM product slip), and whose worked example does not state our answer."""
        slip_rule = _last_misconception(state, exercise)
        for _ in range(3):
            found = similar_for_slip(self._pack, exercise, slip_rule, self._rng)
            if found is None:
                return None
            if not leaks(
                moves.worked_example(self._current(state, found), found).template, exercise
            ):
                return found
        return None

    def _wrong_in_a_row(self, state: TurnState, exercise: Exercise) -> int:
        """Wrong answers in a row on this exercise's skill before this one (newest first)."""
        count = 0
        for attempt in state.attempts:
            if attempt.skill_key != exercise.skill_key:
                continue
            if attempt.correct:
                break
            count += 1
        return count % STEP_BACK_AFTER


def is_placement(active: ActiveExerciseRecord | None) -> bool:
    """A placement item: stored as practice (the store's kinds) with the placement reason."""
    return active is not None and active.reason == texts.PLACEMENT_REASON


def solution_open(
    active: ActiveExerciseRecord, attempts: Sequence[AttemptRecord], exercise: Exercise
) -> bool:
    """The solution gate as the progress panel reads it (the Solution button): shown
    already, or a hint and a genuine attempt at this very exercise."""
    if active.solution_shown:
        return True
    if active.hints_used == 0:
        return False
    mine = [a.answer for a in attempts if (a.exercise_id, a.seed) == (exercise.id, exercise.seed)]
    return any(
        is_genuine_attempt(answer, exercise, earlier_answers=mine[i + 1 :])
        for i, answer in enumerate(mine)
    )


def _attempts_on(state: TurnState, exercise: Exercise) -> list[AttemptRecord]:
    """The student's attempts at this very exercise, newest first."""
    return [a for a in state.attempts if a.exercise_id == exercise.id and a.seed == exercise.seed]


def _last_misconception(state: TurnState, exercise: Exercise) -> str | None:
    for attempt in _attempts_on(state, exercise):
        return attempt.misconception_id
    return None


def _reveals(text: str, exercise: Exercise) -> bool:
    return bool(reveals_answer(text, exercise))


def with_question(plan: MovePlan, ask: MovePlan) -> MovePlan:
    """`plan` carrying `ask`'s checked question (the acknowledgement ends with it)."""
    from dataclasses import replace

    return replace(
        plan,
        numbers=tuple(dict.fromkeys((*plan.numbers, *ask.numbers))),
        must_say=ask.must_say,
        question=ask.question,
        expected=ask.expected,
        answer_forms=ask.answer_forms,
    )


def _small_talk(text: str, *, has_exercise: bool) -> str:
    if text.lower().startswith(("thank", "thx")):
        return texts.SMALL_TALK_THANKS
    return texts.SMALL_TALK if has_exercise else texts.SMALL_TALK_NO_EXERCISE
