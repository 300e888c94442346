"""`tutor content check`: prove a pack's generators agree with the checker, seed by seed.

For every generator and seed: the exercise rebuilds identically from (id, seed); its own
answer text is accepted; every predicted wrong answer is rejected and named with its rule;
the template statement mentions exactly the spec's numbers; the leak guard sees the answer
text. The worked solution is checked as a trace (`trace_problems`): every step's sum comes to
its result, the last step's result is the key, no step uses code notation, every sub-step
question has its answer, every replayed misconception points at a real step. Fixed items get
the same checks once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from tutor.curriculum.checker import CheckResult, check_answer, key_value
from tutor.curriculum.generators.base import dec
from tutor.curriculum.loader import render
from tutor.curriculum.mentions import reveals_answer, wording_matches_spec
from tutor.curriculum.model import STEP_OPERATIONS, Exercise, FixedItem
from tutor.curriculum.notation import NotationError, code_notation, read_value, same_value
from tutor.curriculum.pack import Pack

MAX_EXAMPLES = 5  # failure descriptions kept per source


@dataclass
class SourceReport:
    """Runs and failures of one source (a generator, or a fixed item), with a few examples."""

    source: str
    skill_key: str
    runs: int = 0
    failures: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PackReport:
    skills: int
    sources: tuple[SourceReport, ...]

    @property
    def failures(self) -> int:
        return sum(s.failures for s in self.sources)

    @property
    def runs(self) -> int:
        return sum(s.runs for s in self.sources)


def exercise_problems(exercise: Exercise) -> list[str]:
    """What is wrong with one exercise (empty when it is sound)."""
    problems = []
    own = check_answer(exercise, exercise.answer_text)
    if not own.correct:
        problems.append(f"own answer {exercise.answer_text!r} -> {own.status}: {own.message}")
    for rule in exercise.misconceptions:
        for value in rule.answers:
            typed, verdict = _typed(value, exercise)
            if verdict is None:
                continue  # a fraction where only a whole number or decimal reads as an answer
            named = verdict.misconception.id if verdict.misconception else None
            if verdict.status != "wrong" or named != rule.id:
                problems.append(f"rule {rule.id} answer {typed!r} -> {verdict.status} ({named})")
    if not wording_matches_spec(exercise.statement, exercise.spec):
        problems.append(f"statement numbers differ from the spec: {exercise.statement!r}")
    if not reveals_answer(exercise.answer_text, exercise):
        problems.append(f"leak guard misses the answer text {exercise.answer_text!r}")
    return problems + trace_problems(exercise)


def _typed(value: sympy.Basic, exercise: Exercise) -> tuple[str, CheckResult | None]:
    """A predicted wrong answer as a student could type it, with the checker's verdict: as a
    fraction, else as a decimal (where the checker reads a fraction as a calculation left
    undone); no verdict when neither form can be typed."""
    typed = render(value, exercise.answer)
    verdict = check_answer(exercise, typed)
    if verdict.status != "malformed" or exercise.answer.kind != "number":
        return typed, verdict
    try:
        typed = dec(Fraction(int(value.p), int(value.q)))
    except ValueError:  # 1/3 has no decimal: a student cannot type it here
        return typed, None
    return typed, check_answer(exercise, typed)


def trace_problems(exercise: Exercise) -> list[str]:
    """What is wrong with an exercise's worked solution read as a trace of checked steps."""
    problems = []
    steps = exercise.solution
    for i, step in enumerate(steps):
        where = f"step {i + 1}"
        for name, text in (
            ("text", step.text),
            ("expression", step.expression),
            ("result", step.result),
            ("question", step.question),
        ):
            if text and (found := code_notation(text)):
                problems.append(f"{where} {name} {text!r} uses code notation: {', '.join(found)}")
        if step.expression is not None:
            if step.result is None:
                problems.append(f"{where}: {step.expression!r} has no result")
            else:
                try:
                    if not same_value(step.expression, step.result):
                        problems.append(f"{where}: {step.expression} is not {step.result}")
                except NotationError as error:
                    problems.append(f"{where}: {error}")
        if step.question is not None and step.result is None:
            problems.append(f"{where}: the question {step.question!r} has no result")
        if step.operation is not None and step.operation not in STEP_OPERATIONS:
            problems.append(f"{where}: unknown operation {step.operation!r}")
    last = steps[-1] if steps else None
    if last is None or last.result is None:
        problems.append("the last step has no result")
    elif not _is_key(last.result, exercise):
        problems.append(f"the last step's result {last.result!r} is not the key")
    for rule in exercise.misconceptions:
        for slip in rule.slips:
            if slip is None:
                continue
            if not 0 <= slip.step_index < len(steps):
                problems.append(f"rule {rule.id}: slip step {slip.step_index} out of range")
            if found := code_notation(slip.student_step):
                problems.append(f"rule {rule.id}: slip {slip.student_step!r} uses {found}")
    return problems


def _is_key(result: str, exercise: Exercise) -> bool:
    """Whether a step's result is the exercise's answer (in lowest terms where it must be)."""
    key = exercise.answer
    try:
        value = read_value(result)
    except NotationError:
        return False
    if isinstance(value, tuple):
        return key.kind == "ratio" and key_value(
            sympy.Tuple(*(sympy.Rational(p.numerator, p.denominator) for p in value)), key
        ) == key_value(key.value, key)
    if key.kind == "ratio" or value != key_value(key.value, key):
        return False
    return not key.simplest or result.strip() == exercise.answer_text


def check_pack(
    pack: Pack, *, seeds: int = 1000, progress: Callable[[SourceReport], None] | None = None
) -> PackReport:
    """Run every generator for `seeds` seeds and every fixed item once."""
    reports: list[SourceReport] = []
    for skill_key, generator in pack.generators():
        report = SourceReport(f"gen:{generator}", skill_key)
        for seed in range(seeds):
            exercise = pack.exercise_by_id(report.source, seed)
            problems = exercise_problems(exercise)
            if seed < 3 and pack.exercise_by_id(report.source, seed) != exercise:
                problems.append("the same seed gave a different exercise")
            _record(report, problems, f"seed {seed}")
        reports.append(report)
        if progress:
            progress(report)
    for item in pack.items:
        report = SourceReport(item.source_id, item.skills[0])
        _record(report, exercise_problems(_as_exercise(pack, item)), "item")
        reports.append(report)
        if progress:
            progress(report)
    return PackReport(len(pack.skills), tuple(reports))


def _as_exercise(pack: Pack, item: FixedItem) -> Exercise:
    return pack.exercise_by_id(item.source_id, 0)


def _record(report: SourceReport, problems: list[str], where: str) -> None:
    report.runs += 1
    if problems:
        report.failures += 1
        if len(report.examples) < MAX_EXAMPLES:
            report.examples.append(f"{where}: " + "; ".join(problems))
