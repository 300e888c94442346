"""Does the tutor teach? Simulated students through the real Tutor (template wording, a fresh
SQLite store), and the learner model's mastery rule on simulated knowledge.

    python benchmarks/teaching.py              # everything (a few minutes on one core)
    python benchmarks/teaching.py --quick      # fewer seeds and students

Printed, per profile and overall (goals from issue 10):
1. messages: on the labelled set `benchmarks/data/messages.yaml` (>= 300 messages), the share
   routed to the right intent (and topic / aspect for questions) and the share answered with
   content rather than a deflection ("please ask your teacher"), through `Tutor.respond`
   with an exercise of the message's skill open (goal >= 95%);
2. wrong answers: students who hold one catalogued misconception answer with its predicted
   wrong answer; the share of replies that point at the step in the student's own numbers:
   the place `curriculum.diagnosis` names (column, denominator...) and one of the step's
   numbers (goal 100% of catalogued misconceptions);
3. hint ladder: per exercise, the share of hint levels that add something the previous did
   not (a sentence not said before) and mention the exercise's own numbers (goal 100%);
4. leaks: profiles that push for the answer (guesser: junk answers fast then "show me the
   solution"; asker: hints and "why?"; frustrated: "I hate this", "just tell me", "I give
   up"); a leak is a reply that states the answer before the gate (a genuine attempt and a
   hint) opened (goal 0). Expressions accepted as answers: the question typed back and
   equal calculations, over every skill (goal 0);
5. mastery: a simulated student per skill (hidden known/unknown, learning per practice, some
   asking for help when they do not know) practised until the tutor calls the skill mastered:
   exercises to mastery and the share of "mastered" skills the student truly knows, honest
   rule (assisted answers count as wrong, 3 unassisted right answers) vs the old rule
   (P(known) >= 0.95 on the checker's verdict) (goal >= 95% truly known);
6. the same through the real Tutor and store for four skills: the honest rule read from the
   stored state, the old rule replayed on the same checker verdicts;
7. sequencing through the Tutor: where new students start after placement, and a test-out.
Every figure is measured in this run; a section that cannot run says why.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from random import Random

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import students_db as db  # noqa: E402
from tutor.curriculum import Exercise, check_answer, load_default_pack, reveals_answer  # noqa: E402
from tutor.curriculum.diagnosis import diagnose  # noqa: E402
from tutor.dialogue import texts  # noqa: E402
from tutor.dialogue.concepts import default_bank, split_sentences  # noqa: E402
from tutor.dialogue.intent import classify  # noqa: E402
from tutor.dialogue.mastery import after_answer  # noqa: E402
from tutor.generation import UnavailableGenerator  # noqa: E402
from tutor.learner import bkt  # noqa: E402
from tutor.learner.params import BktParams  # noqa: E402
from tutor.tutor import Tutor  # noqa: E402

MESSAGES = ROOT / "benchmarks" / "data" / "messages.yaml"
HELD_OUT = ROOT / "benchmarks" / "data" / "messages_heldout.yaml"  # not used to tune the rules
DEFLECTIONS = (texts.SAFE_ANSWER, "ask your teacher", "can't answer that", "cannot answer that")
NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:/\d+)?")


# --- a store and students ------------------------------------------------------------------


class School:
    """A fresh migrated SQLite store in a temp folder, one teacher, students made on demand."""

    def __init__(self, folder: Path) -> None:
        self.engine = db.make_engine(f"sqlite:///{folder / 'teaching.db'}")
        db.upgrade(self.engine)
        self.sessions = db.make_session_factory(self.engine)
        with db.write_session(self.sessions) as s:
            teacher = db.create_teacher(
                session=s, username="bench", display_name="Bench", password_hash="x"
            )
            self.classroom = db.create_classroom(session=s, teacher_id=teacher.id, name="B").id
        self._n = 0

    def student(self, grade: int = 6) -> int:
        self._n += 1
        with db.write_session(self.sessions) as s:
            return db.create_student(
                session=s,
                classroom_id=self.classroom,
                login_name=f"s{self._n}",
                display_name=f"Student {self._n}",
                pin_hash="x",
                grade_level=grade,
            ).id

    def open_exercise(self, student: int, exercise: Exercise) -> None:
        """Put `exercise` in front of the student, as if the policy had picked it."""
        with db.write_session(self.sessions) as s:
            db.set_active_exercise(
                session=s,
                student_id=student,
                skill_key=exercise.skill_key,
                exercise_id=exercise.id,
                seed=exercise.seed,
                kind="practice",
                reason="benchmark",
            )

    def active(self, student: int) -> tuple[str, int] | None:
        with db.read_session(self.sessions) as s:
            row = db.get_active_exercise(session=s, student_id=student)
        return None if row is None else (row.exercise_id, row.seed)


def say(stream: Iterator[str]) -> str:
    return "".join(stream)


def numbers_in(text: str) -> set[str]:
    return set(NUMBER.findall(text.replace(",", "")))


def own_numbers(exercise: Exercise) -> set[str]:
    """The exercise's own numbers: its statement's and those of its worked steps (the digits
    of a column, a common denominator), but not the answer's."""
    found = numbers_in(exercise.statement)
    for step in exercise.solution:
        found |= numbers_in(" ".join([step.expression or "", *step.operands]))
    return found - numbers_in(exercise.answer_text) | numbers_in(exercise.statement)


def is_deflection(reply: str) -> bool:
    low = reply.lower()
    return any(d.lower() in low for d in DEFLECTIONS) or not reply.strip()


@dataclass
class Tally:
    """Counts per profile: hits of a measure out of its trials."""

    hits: Counter[str] = field(default_factory=Counter)
    trials: Counter[str] = field(default_factory=Counter)

    def add(self, profile: str, hit: bool) -> None:
        self.trials[profile] += 1
        self.hits[profile] += int(hit)

    def lines(self, label: str, goal: str) -> list[str]:
        out = [f"{label}  (goal {goal})"]
        for profile in sorted(self.trials):
            out.append(f"  {profile:<28}{_share(self.hits[profile], self.trials[profile])}")
        total_h, total_n = sum(self.hits.values()), sum(self.trials.values())
        out.append(f"  {'overall':<28}{_share(total_h, total_n)}")
        return out


def _share(hits: int, n: int) -> str:
    return f"{hits:>5}/{n:<5} {100 * hits / n:6.1f}%" if n else "    -/0"


# --- 1. messages ---------------------------------------------------------------------------


def exercise_for(pack, skill_key: str, seed: int) -> Exercise:
    return pack.exercise(skill_key, seed)


def content_ok(intent: str, reply: str, exercise: Exercise | None, topic: list[str]) -> bool:
    """The reply answers with content: not a deflection, and for a question it states a
    sentence of the bank's entries on the topic (or, about the step, the exercise's numbers);
    for help and frustration it leaves the student a next step in the exercise's numbers."""
    if is_deflection(reply):
        return False
    ex_numbers = own_numbers(exercise) if exercise is not None else set()
    if intent == "concept":
        bank = default_bank()
        sentences: set[str] = set()
        for t in topic:
            if t in bank.topics:
                for key in {t, bank.skill_of(t)}:
                    for phrasings in bank.topics[key].phrasings.values():
                        for p in phrasings:
                            sentences.update(split_sentences(p))
        if any(s in reply for s in sentences):
            return True
        return "step" in topic and bool(ex_numbers & numbers_in(reply))
    if intent in ("hint", "explain", "acknowledge", "redirect"):
        return exercise is None or bool(ex_numbers & numbers_in(reply))
    return True


def routed_ok(group: dict, message: list, found) -> bool:
    if found.intent.value != group["intent"]:
        return False
    if group["intent"] != "concept":
        return True
    want = message[1] if isinstance(message[1], list) else [message[1]]
    got = "step" if found.about_step else found.topic
    # about the step, the planner answers from the current skill's entry: right when that
    # skill is one of the expected topics too
    step_ok = found.about_step and found.topic in want
    return (got in want or step_ok) and found.aspect == message[2]


def bench_messages(
    pack, school: School, tutor: Tutor, rng: Random, path: Path = MESSAGES
) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    routed, answered, both = Tally(), Tally(), Tally()
    errors = 0
    for group in data["groups"]:
        for message in group["messages"]:
            text = message[0]
            skill = group["skill"]
            found = classify(text, has_exercise=skill is not None, skill_key=skill)
            good_route = routed_ok(group, message, found)
            student = school.student()
            exercise = None
            if skill is not None:
                exercise = exercise_for(pack, skill, rng.randrange(2**31))
                school.open_exercise(student, exercise)
            try:
                reply = say(tutor.respond(student, text))
            except Exception:
                errors += 1
                reply = ""
            topic = message[1] if len(message) > 1 else []
            topics = topic if isinstance(topic, list) else [topic]
            good_content = content_ok(group["intent"], reply, exercise, topics)
            routed.add(group["intent"], good_route)
            answered.add(group["intent"], good_content)
            both.add(group["intent"], good_route and good_content)
    lines = [f"1. Messages: {sum(routed.trials.values())} labelled ({path.name})"]
    lines += routed.lines(" routed to the right intent (and topic/aspect)", ">= 95%")
    lines += answered.lines(" answered with content, not a deflection", ">= 95%")
    lines += both.lines(" both", ">= 95%")
    if errors:
        lines.append(f"  tutor errors: {errors}")
    return lines


# --- 2. wrong answers that point at the step ----------------------------------------------


def misconception_cases(pack, seeds: int) -> Iterator[tuple[Exercise, str, str]]:
    """(exercise, misconception id, the wrong answer it predicts) over every generator."""
    for skill in pack.skills.values():
        for seed in range(seeds):
            exercise = pack.exercise(skill.key, seed)
            for rule in exercise.misconceptions:
                for predicted in rule.answers[:1]:
                    yield exercise, rule.id, _typed(predicted, exercise)


def _typed(value, exercise: Exercise) -> str:
    """A predicted wrong answer as a student would type it."""
    if exercise.answer.kind == "ratio":
        return ":".join(str(p) for p in value)
    number = Fraction(int(value.p), int(value.q)) if hasattr(value, "p") else Fraction(value)
    if exercise.answer.kind == "percent":
        number *= 100
        text = _plain(number)
        return f"{text}%"
    text = _plain(number)
    return f"x = {text}" if exercise.answer.variable else text


def _plain(number: Fraction) -> str:
    if number.denominator == 1:
        return str(number.numerator)
    if 10**6 % number.denominator == 0:
        return format(float(number), "f").rstrip("0").rstrip(".")
    return f"{number.numerator}/{number.denominator}"


def points_at_step(reply: str, exercise: Exercise, answer: str) -> bool | None:
    """True when the reply names the diagnosed step's place and one of its numbers; None
    when the diagnosis names no step (the trace cannot locate this slip)."""
    found = diagnose(exercise, answer)
    if found is None or found.step is None:
        return None
    low = reply.lower()
    place_ok = found.place is None or found.place.lower() in low
    step_numbers = set(found.numbers) | set(found.step.operands)
    if found.step.result:
        step_numbers.add(found.step.result)
    numbers_ok = bool({n.replace(",", "") for n in step_numbers} & numbers_in(reply))
    return place_ok and numbers_ok


def bench_wrong_answers(pack, school: School, tutor: Tutor, seeds: int) -> list[str]:
    pointed, located = Tally(), Tally()
    misses: dict[str, str] = {}
    errors = 0
    for exercise, _rule, answer in misconception_cases(pack, seeds):
        student = school.student()
        school.open_exercise(student, exercise)
        verdict = check_answer(exercise, answer)
        if verdict.misconception is None:
            continue  # the predicted answer is not read as this misconception (a key clash)
        try:
            reply = say(tutor.respond(student, answer))
        except Exception:
            errors += 1
            continue
        ok = points_at_step(reply, exercise, answer)
        profile = exercise.skill_key.split(".")[0]
        located.add(profile, ok is not None)
        if ok is not None:
            pointed.add(profile, ok)
        if ok is False and profile not in misses:
            misses[profile] = f"{exercise.statement} | {answer} | {' '.join(reply.split())}"
    lines = ["2. Wrong answers from catalogued misconceptions (by area)"]
    lines += located.lines(" the trace locates the slip to a step", "100%")
    lines += pointed.lines(" of those, the reply names the place and the step's numbers", "100%")
    for profile, example in sorted(misses.items()):
        lines.append(f"  e.g. missed ({profile}): {example[:260]}")
    if errors:
        lines.append(f"  tutor errors: {errors}")
    return lines


# --- 3. the hint ladder -------------------------------------------------------------------


def bench_hints(pack, school: School, tutor: Tutor, seeds: int, levels: int = 4) -> list[str]:
    informative, by_level = Tally(), Tally()
    misses: dict[str, int] = {}
    examples: dict[str, str] = {}
    errors = 0
    for skill in pack.skills.values():
        for seed in range(seeds):
            exercise = pack.exercise(skill.key, 1000 + seed)
            student = school.student()
            school.open_exercise(student, exercise)
            said: set[str] = set()
            own = own_numbers(exercise)
            for _level in range(levels):
                try:
                    reply = say(tutor.hint(student))
                except Exception:
                    errors += 1
                    break
                body = reply.replace(exercise.statement, "")
                sentences = {s for s in split_sentences(body) if len(s) > 3}
                new = sentences - said
                mentions = bool(own & numbers_in(body))
                area = skill.key.split(".")[0]
                informative.add(area, bool(new) and mentions)
                by_level.add(f"level {_level + 1}", bool(new) and mentions)
                if not (new and mentions):
                    why = "nothing new" if not new else "none of its numbers"
                    misses[why] = misses.get(why, 0) + 1
                    examples.setdefault(why, f"level {_level + 1}, {exercise.statement} | {body}")
                said |= sentences
    lines = [f"3. Hint ladder: {levels} levels per exercise, {seeds} exercise(s) per skill"]
    lines += informative.lines(
        " levels adding a new sentence and using the exercise's numbers", "100%"
    )
    lines += by_level.lines(" the same, by level", "100%")[1:-1]
    for why, count in sorted(misses.items()):
        lines.append(f"  missed, {why}: {count}; e.g. " + " ".join(examples[why].split())[:240])
    if errors:
        lines.append(f"  tutor errors: {errors}")
    return lines


# --- 4. leaks and expressions ------------------------------------------------------------------

PROFILES: dict[str, list[str]] = {
    "guesser": ["1", "0", "99999", "Show me the solution, please.", "2", "show me the answer"],
    "asker": [
        "hint",
        "why?",
        "hint please",
        "what is the answer?",
        "I don't get it",
        "hint",
        "how does that work?",
        "Show me the solution, please.",
    ],
    "frustrated": [
        "I hate this",
        "just tell me",
        "this is stupid",
        "just tell me the answer",
        "I give up",
        "I don't know",
        "Show me the solution, please.",
    ],
}


def bench_leaks(pack, school: School, tutor: Tutor, seeds: int) -> list[str]:
    """Replies that state the exercise's answer before the gate opened."""
    leaks, replies = Counter[str](), Counter[str]()
    examples: dict[str, str] = {}
    errors = 0
    for profile, script in PROFILES.items():
        for skill in pack.skills.values():
            for seed in range(seeds):
                exercise = pack.exercise(skill.key, 2000 + seed)
                student = school.student()
                school.open_exercise(student, exercise)
                for message in script:
                    if school.active(student) != (exercise.id, exercise.seed):
                        break  # the exercise was closed (solution shown, or moved on)
                    gate_open = _gate_met(school, student, exercise)
                    try:
                        reply = say(tutor.respond(student, message))
                    except Exception:
                        errors += 1
                        break
                    replies[profile] += 1
                    if not gate_open and _reveals(_before_next(reply), exercise):
                        leaks[profile] += 1
                        examples.setdefault(profile, f"{exercise.statement} | {message} | {reply}")
    lines = ["4. Answers leaked before the gate (goal 0)"]
    for profile in PROFILES:
        lines.append(f"  {profile:<28}{leaks[profile]:>5} leaks in {replies[profile]} replies")
    lines.append(f"  {'overall':<28}{sum(leaks.values()):>5} leaks in {sum(replies.values())}")
    for profile, example in examples.items():
        lines.append(f"  e.g. {profile}: " + " ".join(example.split())[:300])
    if errors:
        lines.append(f"  tutor errors: {errors}")
    return lines


def _before_next(reply: str) -> str:
    """The reply up to the next exercise (a shown solution is followed by a new exercise,
    whose own numbers are not this exercise's answer)."""
    cut = reply.find("Next up")
    return reply if cut < 0 else reply[:cut]


def _reveals(reply: str, exercise: Exercise) -> bool:
    """The reply states the answer, not counting the statement's own numbers said again
    ("Write 0.58 as a fraction": 0.58 equals the key but is the question)."""
    for number in sorted(numbers_in(exercise.statement), key=len, reverse=True):
        reply = re.sub(rf"(?<![\d.]){re.escape(number)}(?![\d]|\.\d)", " ", reply)
    return bool(reveals_answer(reply, exercise))


def _gate_met(school: School, student: int, exercise: Exercise) -> bool:
    """Before a turn: the solution was shown, or a genuine attempt and a hint on this
    exercise (read back from the store)."""
    from tutor.dialogue.effort import is_genuine_attempt

    with db.read_session(school.sessions) as s:
        attempts = db.recent_attempts(session=s, student_id=student, limit=50)
    mine = [a for a in attempts if (a.exercise_id, a.seed) == (exercise.id, exercise.seed)]
    with db.read_session(school.sessions) as s:
        row = db.get_active_exercise(session=s, student_id=student)
    if row is not None and row.solution_shown:
        return True
    hinted = bool(row and row.hints_used > 0) or any(a.hints_used > 0 for a in mine)
    genuine = any(
        is_genuine_attempt(a.answer, exercise, earlier_answers=[b.answer for b in mine[i + 1 :]])
        for i, a in enumerate(mine)
    )
    return hinted and genuine


def expression_forms(exercise: Exercise) -> list[str]:
    """Calculations equal to the key: the question typed back ("881 − 713"; "0.58" for
    "Write 0.58 as a fraction"), and sums that give it."""
    forms = []
    match = re.match(r"^What is (.+)\?$", exercise.statement)
    if match and not re.search(r"[a-z]", match.group(1).replace("of", "")):
        forms.append(match.group(1))
    asked = re.match(r"^Write (\S+) as an? (decimal|fraction|percentage)\b", exercise.statement)
    if asked:  # the number to convert, typed back as it was given
        forms.append(asked.group(1))
    if exercise.answer.kind == "number" and not exercise.answer.variable:
        value = Fraction(int(exercise.answer.value.p), int(exercise.answer.value.q))
        forms += [f"{_plain(value + 1)} − 1", f"2 × {_plain(value / 2)}"]
        if value.denominator == 1:  # a whole result left as a division
            forms.append(f"{_plain(value * 3)} / 3")
    return forms


def bench_expressions(pack, seeds: int) -> list[str]:
    accepted = Tally()
    for skill in pack.skills.values():
        for seed in range(seeds):
            exercise = pack.exercise(skill.key, 3000 + seed)
            for form in expression_forms(exercise):
                accepted.add(skill.key.split(".")[0], check_answer(exercise, form).correct)
    lines = ["   Expressions accepted as answers (the checker the tutor calls; goal 0)"]
    total = sum(accepted.hits.values())
    for profile in sorted(accepted.trials):
        lines.append(
            f"  {profile:<28}{accepted.hits[profile]:>5} of {accepted.trials[profile]} forms"
        )
    lines.append(f"  {'overall':<28}{total:>5} of {sum(accepted.trials.values())} forms")
    return lines


# --- 5. mastery: honest vs the old rule ----------------------------------------------------


@dataclass(frozen=True)
class Learner:
    """A simulated student's behaviour on one skill."""

    name: str
    asks_help: float  # P(asks for a hint before answering) when they do not know the skill
    known_at_start: float  # P(already knows the skill)
    learn_scale: float  # multiplies the skill's p_learn
    guesses: bool = False  # answers without trying (right only by luck)


LEARNERS = (
    Learner("strong", asks_help=0.1, known_at_start=0.7, learn_scale=1.5),
    Learner("average", asks_help=0.3, known_at_start=0.2, learn_scale=1.0),
    Learner("asker (help-seeking)", asks_help=0.9, known_at_start=0.1, learn_scale=0.7),
    Learner("guesser", asks_help=0.2, known_at_start=0.05, learn_scale=0.5, guesses=True),
)
HELPED_RIGHT = 0.9  # P(right) after a hint that walks through the step, known or not
CAP = 60  # exercises at most per skill


def simulate(learner: Learner, params: BktParams, rng: np.random.Generator, honest: bool):
    """Exercises until the rule calls the skill mastered (or CAP), and whether the student
    truly knows it then."""
    known = rng.random() < learner.known_at_start
    p, count = params.p_init, 0
    learn = min(1.0, params.p_learn * learner.learn_scale)
    for n in range(1, CAP + 1):
        helped = (not known) and rng.random() < learner.asks_help
        if helped:
            right = rng.random() < HELPED_RIGHT
        elif known:
            right = rng.random() > params.p_slip
        else:
            right = rng.random() < (params.p_guess if not learner.guesses else 0.1)
        if honest:
            change = after_answer(
                p_before=p,
                correct=right,
                params=params,
                card=None,
                now=_NOW,
                assisted=helped,
                unassisted_before=count,
            )
            p, count = change.p_after, change.unassisted_after or 0
            mastered = change.mastered
        else:  # the old rule: the checker's verdict in full, P(known) alone, no forgetting
            p = bkt.update(
                p,
                right,
                BktParams(params.p_init, params.p_learn, params.p_guess, params.p_slip, 0.0),
            )
            mastered = bkt.is_mastered(p)
        if not known and rng.random() < learn * (0.5 if learner.guesses else 1.0):
            known = True
        if mastered:
            return n, known
    return CAP, known


def bench_mastery(pack, students: int, seed: int) -> list[str]:
    lines = [
        "5. Mastery: exercises to mastery and share of 'mastered' skills truly known",
        f"   ({students} simulated students x {len(pack.skills)} skills per learner kind; "
        f"capped at {CAP} exercises)",
        f"  {'learner':<24}{'rule':<8}{'exercises':>10}{'mastered':>10}{'truly known':>13}",
    ]
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0])
    for learner in LEARNERS:
        for honest in (False, True):
            rng = np.random.default_rng(seed)
            n_total, mastered, known = 0, 0, 0
            runs = 0
            for _ in range(students):
                for skill in pack.skills.values():
                    n, truly = simulate(learner, skill.bkt, rng, honest)
                    runs += 1
                    n_total += n
                    if n < CAP:
                        mastered += 1
                        known += int(truly)
            rule = "honest" if honest else "old"
            t = totals[rule]
            t[0] += n_total
            t[1] += runs
            t[2] += mastered
            t[3] += known
            lines.append(
                f"  {learner.name:<24}{rule:<8}{n_total / runs:>10.1f}"
                f"{100 * mastered / runs:>9.1f}%{_pct(known, mastered):>13}"
            )
    for rule, (n_total, runs, mastered, known) in totals.items():
        lines.append(
            f"  {'overall':<24}{rule:<8}{n_total / runs:>10.1f}"
            f"{100 * mastered / runs:>9.1f}%{_pct(known, mastered):>13}"
        )
    lines.append(
        "   (goal: >= 95% of mastered skills truly known; the old rule counts right answers "
        "after a hint in full)"
    )
    return lines


E2E_SKILLS = ("whole.subtract", "fractions.add_unlike", "decimals.add_sub", "percent.of_quantity")
E2E_CAP = 25


def _wrong_answer(exercise: Exercise) -> str:
    """A wrong answer a student might give: a catalogued misconception's, else one off."""
    for rule in exercise.misconceptions:
        typed = _typed(rule.answers[0], exercise)
        if check_answer(exercise, typed).status == "wrong":
            return typed
    value = Fraction(int(exercise.answer.value.p), int(exercise.answer.value.q))
    return _plain(value + 1)


def bench_mastery_tutor(pack, school: School, tutor: Tutor, students: int, seed: int):
    """Through the real Tutor and store: a student works exercises of one skill (a hint first
    when they do not know it and tend to ask), until the store's state says mastered by the
    honest rule; the old rule is replayed on the same checker verdicts (P(known) >= 0.95 on
    the verdicts, no forgetting). Exercises to mastery and whether the student knew it."""
    rng = np.random.default_rng(seed)
    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for learner in LEARNERS[1:]:
        for skill_key in E2E_SKILLS:
            skill = pack.skills[skill_key]
            params = skill.bkt
            old_params = BktParams(params.p_init, params.p_learn, params.p_guess, params.p_slip)
            for _ in range(students):
                student = school.student()
                known = rng.random() < learner.known_at_start
                p_old, done = params.p_init, {"old": None, "honest": None}
                for n in range(1, E2E_CAP + 1):
                    exercise = pack.exercise(skill_key, int(rng.integers(2**31)))
                    school.open_exercise(student, exercise)
                    helped = (not known) and rng.random() < learner.asks_help
                    if helped:
                        say(tutor.hint(student))
                        right = rng.random() < HELPED_RIGHT
                    elif known:
                        right = rng.random() > params.p_slip
                    else:
                        right = rng.random() < (0.1 if learner.guesses else params.p_guess)
                    answer = exercise.answer_text if right else _wrong_answer(exercise)
                    say(tutor.respond(student, answer))
                    p_old = bkt.update(p_old, right, old_params)
                    with db.read_session(school.sessions) as s:
                        state = db.get_skill_states(session=s, student_id=student).get(skill_key)
                    honest = state is not None and bkt.is_mastered(
                        state.p_known, state.correct_count
                    )
                    for rule, now_mastered in (("old", bkt.is_mastered(p_old)), ("honest", honest)):
                        if now_mastered and done[rule] is None:
                            done[rule] = (n, known)
                    if not known and rng.random() < params.p_learn * learner.learn_scale:
                        known = True
                    if all(v is not None for v in done.values()):
                        break
                for rule, result in done.items():
                    row = rows[(learner.name, rule)]
                    n, truly = result if result is not None else (E2E_CAP, False)
                    row[0] += n
                    row[1] += 1
                    row[2] += int(result is not None)
                    row[3] += int(result is not None and truly)
    lines = [
        "6. Mastery through the real Tutor and store "
        f"({students} students x {len(E2E_SKILLS)} skills per learner kind, cap {E2E_CAP})",
        f"  {'learner':<24}{'rule':<8}{'exercises':>10}{'mastered':>10}{'truly known':>13}",
    ]
    for (name, rule), (n, runs, mastered, truly) in rows.items():
        lines.append(
            f"  {name:<24}{rule:<8}{n / runs:>10.1f}{100 * mastered / runs:>9.1f}%"
            f"{_pct(truly, mastered):>13}"
        )
    return lines


def bench_sequencing(pack, school: School, tutor: Tutor) -> list[str]:
    """Placement of new students through the real Tutor, and a test-out ("too easy")."""
    lines = ["7. Sequencing through the real Tutor (placement of a new student; test-out)"]
    for label, top_grade in (("strong grade 6", 6), ("grade 4", 4), ("beginner", 0)):
        student = school.student(grade=max(top_grade, 3))
        say(tutor.new_exercise(student))
        asked = []
        for _ in range(10):
            row = _active_row(school, student)
            if row is None or row.reason != texts.PLACEMENT_REASON:
                break
            exercise = pack.exercise_by_id(row.exercise_id, row.seed)
            knows = pack.skills[exercise.skill_key].grade_band[0] <= top_grade
            asked.append(f"{exercise.skill_key}:{'right' if knows else 'wrong'}")
            say(tutor.respond(student, exercise.answer_text if knows else _wrong_answer(exercise)))
        row = _active_row(school, student)
        first = pack.skills[row.skill_key] if row is not None else None
        where = (
            f"{first.key} (grades {first.grade_band[0]}-{first.grade_band[1]})" if first else "-"
        )
        lines.append(f"  {label:<16} placement {len(asked)} item(s) [{', '.join(asked)}]")
        lines.append(f"  {'':<16} then starts on {where}")
    student = school.student()
    exercise = pack.exercise("whole.add", 11)
    school.open_exercise(student, exercise)
    say(tutor.respond(student, "too easy"))
    for _ in range(2):
        row = _active_row(school, student)
        current = pack.exercise_by_id(row.exercise_id, row.seed)
        say(tutor.respond(student, current.answer_text))
    row = _active_row(school, student)
    with db.read_session(school.sessions) as s:
        student_row = db.get_student(session=s, student_id=student)
    credited = (student_row.preferences.get("learner_plan") or {}).get("credited", {})
    lines.append(
        f"  test-out of whole.add after 'too easy' and 2 right answers: credited "
        f"{credited.get('whole.add', 'no')}; next skill {row.skill_key if row else '-'}"
    )
    return lines


def _active_row(school: School, student: int):
    with db.read_session(school.sessions) as s:
        return db.get_active_exercise(session=s, student_id=student)


def _pct(a: float, b: float) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"


# --- main --------------------------------------------------------------------------------

_NOW = datetime(2026, 12, 1, tzinfo=UTC)


def run_section(name: str, fn: Callable[[], list[str]]) -> None:
    start = time.perf_counter()
    try:
        lines = fn()
    except Exception:
        lines = [f"{name}: could not run:", *traceback.format_exc().splitlines()[-6:]]
    print("\n".join(lines))
    print(f"   ({time.perf_counter() - start:.1f} s)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer seeds and students")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="1234567", help="sections to run, e.g. 15 (default: all)")
    args = parser.parse_args()
    seeds = 1 if args.quick else 3
    pack = load_default_pack()
    folder = Path(tempfile.mkdtemp(prefix="teaching-bench-"))
    try:
        school = School(folder)
        tutor = Tutor(
            sessions=school.sessions,
            pack=pack,
            generator=UnavailableGenerator("benchmark: template wording"),
            seed=args.seed,
        )
        rng = Random(args.seed)
        print(
            f"Teaching benchmark: maths pack ({len(pack.skills)} skills), template wording, "
            f"fresh SQLite store, seed {args.seed}\n"
        )
        sections = {
            "1": (
                "messages",
                lambda: (
                    bench_messages(pack, school, tutor, rng)
                    + ["", "   held out (written after the rules; see the file's header):"]
                    + bench_messages(pack, school, tutor, rng, HELD_OUT)
                ),
            ),
            "2": ("wrong answers", lambda: bench_wrong_answers(pack, school, tutor, seeds)),
            "3": ("hints", lambda: bench_hints(pack, school, tutor, seeds)),
            "4": (
                "leaks",
                lambda: bench_leaks(pack, school, tutor, 1) + bench_expressions(pack, 20),
            ),
            "5": ("mastery", lambda: bench_mastery(pack, 5 if args.quick else 20, args.seed)),
            "7": ("sequencing", lambda: bench_sequencing(pack, school, tutor)),
            "6": (
                "mastery e2e",
                lambda: bench_mastery_tutor(pack, school, tutor, 3 if args.quick else 8, args.seed),
            ),
        }
        for key, (name, fn) in sorted(sections.items()):
            if key in args.only:
                run_section(name, fn)
        school.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
