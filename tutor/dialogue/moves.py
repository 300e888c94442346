"""Teaching moves as data: one small builder per move, each returning a frozen `MovePlan`.

    exercise (+ its step trace) ─┐
    the student's slip ──────────┼─► builder ─► MovePlan(facts, numbers, must_say,
    the learner ─────────────────┘                        must_not_say, template, ...)

A builder decides everything a reply may say: the facts (complete sentences, true by code),
every number the words may use, what they must and must not say, and the template wording.
Nothing here reads the store or the model: `tutor.dialogue.planner` chooses which moves a turn
makes, `tutor.dialogue.words` asks the model to word a plan and checks the words against it.

Numbers are taken from the exercise's own trace (`SolutionStep.operands`, `.expression`,
`.result`), so a hint or a contrast speaks in the student's numbers, and a step's result is
left out of every plan that asks for it (it is not in `numbers`, so words stating it fail the
verifier). The answer's forms go into `answer_forms` of every plan but the worked solution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from prompts.numbers import normalise, read_numbers
from prompts.plan import Learner, MovePlan
from prompts.verify import names_other_operations, numbers_in
from tutor.curriculum import reveals_answer
from tutor.curriculum.model import Exercise, SolutionStep

# How a step's operation reads in a sentence: "…, because {phrase}".
OPERATION_REASONS = {
    "borrow": "the top digit is smaller, so this column borrows 1 from the next column",
    "carry": "this column makes a ten that carries to the next column",
    "common_denominator": "both fractions must be written over the same denominator first",
    "common_multiple": "it is the first number in both lists of multiples",
    "common_factor": "it is the largest number in both lists of factors",
    "reciprocal": "dividing by a fraction is multiplying by its flip",
    "inverse": "doing the same to both sides keeps the equation balanced",
    "simplify": "dividing top and bottom by the same number keeps the fraction's size",
}
# The operation the words must agree with (the verifier's vocabulary), by step operation.
OPERATION_WORD = {
    "borrow": "subtract",
    "carry": "add",
    "subtract": "subtract",
    "add": "add",
    "multiply": "multiply",
    "divide": "divide",
    "multiples": "multiply",
    "power": "multiply",
    "reciprocal": "divide",
}


# A column's carry or borrow happens inside the column's own sum: its words are that sum's.
_COLUMN_MOVES = ("carry", "borrow")
_SYMBOL_WORD = {"+": "add", "−": "subtract", "-": "subtract", "×": "multiply", "÷": "divide"}
_SPACED_SYMBOL = re.compile(r"(?<=[\d)]) ([+−×÷-]) (?=[\d(])")


def operation_word(step: SolutionStep) -> str | None:
    """The operation the words about `step` must agree with: a carry in "9 × 7" is a
    multiplication's ("9 × 7 = 63, carry 6"), a carry in "7 + 8" an addition's."""
    if step.operation in _COLUMN_MOVES and step.expression:
        symbols = {
            _SYMBOL_WORD[m.group(1)] for m in _SPACED_SYMBOL.finditer(pretty(step.expression))
        }
        if len(symbols) == 1:
            return symbols.pop()
    return OPERATION_WORD.get(step.operation or "")


@dataclass(frozen=True)
class Current:
    """The exercise a move is about, with what every plan repeats: the skill and the learner."""

    exercise: Exercise
    skill_name: str
    learner: Learner

    @property
    def statement(self) -> str:
        return self.exercise.statement


# -- shared pieces ------------------------------------------------------------------------


def pretty(expression: str) -> str:
    """A step's sum as a child reads it: × ÷ − for spaced code operators (never `*`)."""
    text = expression.replace("**", "^").replace("*", "×")
    text = re.sub(r"(?<=[\d)])\s+-\s+(?=[\d(])", " − ", text)
    return re.sub(r"(?<=[\d)])\s+/\s+(?=[\d(])", " ÷ ", text)


def answer_forms(exercise: Exercise) -> tuple[str, ...]:
    """The displayed forms of the answer a non-revealing plan must not state."""
    text = exercise.answer_text
    forms = [text]
    if "=" in text:  # "x = 3": the value is the answer; matched as a number, not a substring
        forms = [text.split("=", 1)[1].strip()]
    if text.endswith("%"):  # "25%": the verifier reads 25%, 25 percent, 0.25 and a bare 25
        forms = [f"{text[:-1].strip()}%"]
    return tuple(dict.fromkeys(f for f in forms if f))


def step_question(step: SolutionStep) -> str | None:
    """The sub-step question a step asks (its authored one, else "What is {sum}?")."""
    if step.question:
        return step.question
    if step.expression and step.result and pretty(step.expression) != step.result:
        return f"What is {pretty(step.expression)}?"
    return None


def askable(step: SolutionStep) -> bool:
    """A step worth asking as a checked sub-step: it has a question and a result to check."""
    return bool(step.result) and step_question(step) is not None


def step_focus(step: SolutionStep) -> str:
    """Where the student is, in their numbers, without the step's result."""
    if step.expression:
        return f"In your exercise, the step now is {pretty(step.expression)}{_in_place(step)}."
    return f"In your exercise, the step now is: {step.text.strip().rstrip('.')}."


def step_sentence(step: SolutionStep) -> str:
    """The whole step in words, with its result (for telling, never for a question)."""
    text = step.text.strip()
    if step.expression and step.result and not _states(text, step.result):
        text = f"{text.rstrip('.:')}: {pretty(step.expression)} = {step.result}"
    return text if text.endswith((".", "?", "!")) else text + "."


def leaks(text: str, exercise: Exercise) -> bool:
    """True when `text` states the answer in a number the exercise's statement does not
    give (a given number equal to the answer is no leak: the student can read it there).
    The curriculum's reader decides (fractions, decimals, percentages, number words)."""
    given = set(numbers_in(exercise.statement))
    kept = _NUMBER_TOKEN.sub(
        lambda m: "" if m.group(0).replace(",", "").replace("−", "-") in given else m.group(0),
        text,
    )
    return bool(reveals_answer(kept, exercise))


# A number as the statement writes it, with its sign ("−5", as `numbers_in` reads it).
_NUMBER_TOKEN = re.compile(
    r"(?<![\w.])[−-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])[−-]?\d+(?:[./]\d+)?"
)
# ... and a mixed number whole ("4 1/2"), for naming the statement's numbers to the student.
_SHOWN_NUMBER = re.compile(rf"(?<![\w./])[−-]?\d+ \d+/\d+(?![\d/])|{_NUMBER_TOKEN.pattern}")


def _written(text: str) -> list[str]:
    """The numbers of `text` as the verifier reads them ("2 1/2", "9:8", "-8", "75%"), then
    their parts as digits ("2", "1/2", "9", "8"): the words may use either."""
    return [n.text for n in read_numbers(text, words=False)] + numbers_in(text)


def _states(text: str, number: str) -> bool:
    """True when `text` already writes `number` (as one number, not as a part of one)."""
    return normalise(number.strip()) in {n.text for n in read_numbers(text, words=False)}


def _says(text: str, item: str) -> bool:
    """`text` says `item`: a number as a number ("10" is not said by "100" or "3/10"), other
    words as words (the verifier's reading of `must_say`)."""
    if _NUMBER_ONLY.fullmatch(item.strip()):
        wanted = {n.value for n in read_numbers(item, words=False)}
        return any(n.value in wanted for n in read_numbers(text, words=False))
    return item.lower() in text.lower()


_NUMBER_ONLY = re.compile(r"[-−\d.,/:% ]+")


def _numbers(*texts: str | None) -> tuple[str, ...]:
    found: list[str] = []
    for text in texts:
        if text:
            found.extend(_written(text))
    return tuple(dict.fromkeys(found))


def _list_marks(lines: Sequence[str]) -> tuple[str, ...]:
    """The numbers of a numbered list's marks ("1.", "2."), which the words may show."""
    return tuple(str(i) for i in range(1, len(lines) + 1))


def _without(numbers: Iterable[str], *removed: str | None) -> tuple[str, ...]:
    drop = {r for r in removed if r}
    return tuple(n for n in numbers if n not in drop)


def _the(place: str) -> str:
    """ "the tens column", but "both sides" and "one part" as they are."""
    return place if place.split(" ", 1)[0] in ("both", "each", "one", "all") else f"the {place}"


def _in(place: str) -> str:
    """ "in the tens column", "on both sides"."""
    return f"{'on' if place.endswith('sides') else 'in'} {_the(place)}"


def _in_place(step: SolutionStep) -> str:
    """ " in the tens column" (empty when the step has no place)."""
    return f" {_in(step.place)}" if step.place else ""


def _place(step: SolutionStep) -> str:
    return _the(step.place) if step.place else "this step"


def _plan(current: Current, **fields: object) -> MovePlan:
    """A plan about `current`'s exercise; the answer's forms guard every non-revealing one."""
    fields.setdefault("answer_forms", answer_forms(current.exercise))
    # Code's own wording is the reference: what the template says must be said, and every
    # number it states may be stated (a result withheld is one the template does not give).
    template = str(fields["template"])
    fields["must_say"] = tuple(
        x
        for x in fields.get("must_say", ())  # type: ignore[attr-defined]
        if x and _says(template, x)
    )
    given: tuple[str, ...] = tuple(fields.get("safe_equal_to_key", ()))  # type: ignore[arg-type]
    fields["safe_equal_to_key"] = tuple(dict.fromkeys((*given, *_safe(current, current.statement))))
    stated: tuple[str, ...] = tuple(fields.get("numbers", ()))  # type: ignore[arg-type]
    fields["numbers"] = tuple(dict.fromkeys((*stated, *_written(template))))
    return MovePlan(
        statement=current.statement,
        learner=current.learner,
        skill_name=current.skill_name,
        **fields,  # type: ignore[arg-type]
    )


def _safe(current: Current, *texts: str | None) -> tuple[str, ...]:
    """Numbers of `texts` that equal the key but are given (the statement's, the student's)."""
    forms = set(answer_forms(current.exercise))
    return tuple(n for n in _numbers(*texts) if n in forms)


# -- the moves ------------------------------------------------------------------------------


def contrast(current: Current, step: SolutionStep, *, student_step: str, answer: str) -> MovePlan:
    """Their step beside the right step, in their numbers; the right step's result withheld."""
    expression = pretty(step.expression) if step.expression else None
    look = f"Look at {_the(step.place)}. " if step.place else "Look at this step. "
    facts = [f"{look}Your step: {student_step}."]
    if expression:
        reason = OPERATION_REASONS.get(step.operation or "")
        right = f"The right step there is {expression}"
        facts.append(f"{right}, because {reason}." if reason else f"{right}.")
    template = " ".join(facts)
    numbers = _numbers(student_step, expression, answer, current.statement, *step.operands)
    return _plan(
        current,
        move="contrast",
        task="feedback",
        facts=tuple(facts),
        template=template,
        numbers=_without(
            numbers, step.result if step.result not in _numbers(student_step) else None
        ),
        must_say=tuple(x for x in (step.place, *step.operands[:2]) if x),
        operation=operation_word(step),
        safe_equal_to_key=_safe(current, student_step, answer, current.statement),
        extra=(("student_answer", answer), ("focus", " ".join(facts))),
    )


def locate(
    current: Current,
    step: SolutionStep,
    *,
    answer: str,
    misconception: str | None,
    show_step: bool = True,
) -> MovePlan:
    """Point at the step where the answer went wrong (no student step known: name the place)."""
    expression = pretty(step.expression) if step.expression and show_step else None
    where = _in(step.place) if step.place else "at this step"
    facts = [f"Your answer {answer} goes wrong {where}."]
    if misconception:
        facts.append(f"It looks like you {misconception}.")
    if expression:
        facts.append(f"Check that step: {expression}.")
    numbers = _numbers(answer, expression, current.statement, *step.operands)
    return _plan(
        current,
        move="locate",
        task="feedback",
        facts=tuple(facts),
        template=" ".join(facts),
        numbers=_without(numbers, step.result),
        must_say=tuple(x for x in (step.place,) if x),
        operation=operation_word(step),
        safe_equal_to_key=_safe(current, answer, current.statement),
        extra=(
            ("student_answer", answer),
            *((("misconception", misconception),) if misconception else ()),
        ),
    )


def substep(current: Current, step: SolutionStep, *, kind: str = "substep") -> MovePlan:
    """A small question on one step whose reply code checks (`expected`); result withheld.

    `kind` "hint_focus" is the same question offered as the hint ladder's focus rung."""
    question = step_question(step)
    if question is None or not step.result:
        raise ValueError("a sub-step needs a step with a question and a result")
    lead = f"Let's do just {_place(step)} first." if step.place else "Let's do one step first."
    fact = f"{lead} {question}"
    numbers = _numbers(question, current.statement, *step.operands)
    return _plan(
        current,
        move=kind,
        task="hint",
        facts=(fact,),
        template=fact,
        numbers=_without(numbers, step.result),
        must_say=(question,),
        operation=operation_word(step),
        question=question,
        expected=step.result,
        extra=(("level", "1"), ("focus", question)),
    )


def substep_done(current: Current, step: SolutionStep, *, right: bool, reply: str) -> MovePlan:
    """The verdict on a sub-step reply: right, or the step told; then back to the exercise."""
    told = step_sentence(step)
    if leaks(told, current.exercise):  # the step's words give more than its result away
        told = f"{pretty(step.expression)} = {step.result}." if step.expression else ""
        told = "" if leaks(told, current.exercise) else told
    if right:
        facts = (f"Yes! {told}", "Now use it to finish the whole exercise.")
    else:
        facts = (
            f"Not quite: {reply} is not it. {told}",
            "Now use it to finish the whole exercise.",
        )
    numbers = _numbers(told, reply, current.statement, *step.operands)
    return _plan(
        current,
        move="encourage" if right else "hint_operation",
        task="hint",
        facts=facts,
        template=" ".join(facts),
        numbers=numbers,
        must_say=tuple(x for x in (step.result,) if x),
        safe_equal_to_key=_safe(current, told, reply, current.statement),
        extra=(("level", "2"), ("focus", told)),
    )


def hint_authored(current: Current, hint: str) -> MovePlan:
    """The pack's own hint for this exercise (rung 1 where one is authored)."""
    return _plan(
        current,
        move="hint_authored",
        task="hint",
        facts=(hint,),
        template=hint,
        numbers=_numbers(hint, current.statement),
        safe_equal_to_key=_safe(current, hint, current.statement),
        extra=(("level", "1"),),
    )


def hint_operation(current: Current, step: SolutionStep) -> MovePlan:
    """The step's operation with its numbers, not its result."""
    expression = pretty(step.expression) if step.expression else None
    reason = OPERATION_REASONS.get(step.operation or "")
    if expression:
        fact = (
            f"{_in(step.place).capitalize()}, work out {expression}"
            if step.place
            else f"Work out {expression}"
        )
        fact += f": {reason}." if reason else "."
    else:
        fact = f"Next, {step.text.strip().rstrip('.')}."
    numbers = _without(_numbers(expression, current.statement, *step.operands), step.result)
    return _plan(
        current,
        move="hint_operation",
        task="hint",
        facts=(fact, "Write down that step, then carry on."),
        template=f"{fact} Write down that step, then carry on.",
        numbers=numbers,
        must_say=tuple(step.operands[:2]),
        operation=operation_word(step),
        extra=(("level", "2"), ("focus", fact)),
    )


def tell_step(current: Current, step: SolutionStep) -> MovePlan:
    """The bottom-out hint for one step: the step done, with its result (never the answer;
    the planner asks only for steps whose words do not state it)."""
    told = step_sentence(step)
    facts = (f"Here is that step done: {told}", "Now carry on from there.")
    operation = operation_word(step)
    if names_other_operations(told, operation):
        operation = None  # "2 × 7 = 14, plus the 6 carried": its sums are checked instead
    return _plan(
        current,
        move="hint_operation",
        task="hint",
        facts=facts,
        template=" ".join(facts),
        numbers=_numbers(told, current.statement),
        must_say=tuple(x for x in (step.result,) if x),
        operation=operation,
        extra=(("level", "2"), ("focus", told)),
    )


def worked_example(current: Current, similar: Exercise) -> MovePlan:
    """The same method on other numbers, written out; the current answer never appears."""
    lines = [step_sentence(s) for s in similar.solution]
    body = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1))
    template = (
        f"Here is the same kind of exercise with other numbers: {similar.statement}\n"
        f"{body}\nAnswer: {similar.answer_text}\n{_your_turn(current.statement)}"
    )
    numbers = _numbers(similar.statement, *lines, similar.answer_text, current.statement)
    numbers += _list_marks(lines)
    # A digit of the other exercise may equal our answer ("3 hundredths" when the answer is
    # 3): not a leak when the curriculum, reading whole numbers, finds no mention of it.
    forms = set(answer_forms(current.exercise))
    safe = (
        ()
        if reveals_answer(template, current.exercise)
        else tuple(n for n in numbers if n in forms)
    )
    return _plan(
        current,
        move="worked_example",
        task="hint",
        facts=(similar.statement, *lines, f"Answer: {similar.answer_text}"),
        template=template,
        numbers=numbers,
        must_say=(similar.answer_text,),
        safe_equal_to_key=safe,
        extra=(("level", "3"), ("similar_example", f"{similar.statement}\n{body}")),
    )


def _your_turn(statement: str) -> str:
    """ "Now you: the same steps with 56,327 and 10." (the statement's own numbers, as it
    writes them: "−5", "4 1/2")."""
    found = list(dict.fromkeys(_SHOWN_NUMBER.findall(statement)))
    if not found:
        return f"Now you, with your exercise: {statement}"
    listed = found[0] if len(found) == 1 else f"{', '.join(found[:-1])} and {found[-1]}"
    return f"Now you: the same steps with {listed}. {statement}"


def solution(current: Current) -> MovePlan:
    """The full worked solution of the current exercise: the one plan that reveals the answer."""
    exercise = current.exercise
    lines = [step_sentence(s) for s in exercise.solution]
    body = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1))
    template = f"Here is the full solution:\n{body}\nAnswer: {exercise.answer_text}"
    return _plan(
        current,
        move="solution",
        task="explain",
        facts=(*lines, f"Answer: {exercise.answer_text}"),
        template=template,
        numbers=_numbers(current.statement, *lines, exercise.answer_text) + _list_marks(lines),
        must_say=(exercise.answer_text,),
        reveals_answer=True,
        extra=(("solution_steps", "\n".join(lines)), ("answer", exercise.answer_text)),
    )


def concept(current: Current | None, text: str, *, question: str, learner: Learner) -> MovePlan:
    """A short concept explanation (from the concept bank, or the skill's description)."""
    statement = current.statement if current else ""
    fields: dict[str, object] = {
        "move": "concept",
        "task": "answer",
        "facts": (text,),
        "template": text,
        "numbers": _numbers(text, statement),
        "extra": (("question", question),),
    }
    if current is None:
        return MovePlan(statement="", learner=learner, **fields)  # type: ignore[arg-type]
    fields["safe_equal_to_key"] = _safe(current, text, statement)
    return _plan(current, **fields)


def encourage(current: Current, lines: Sequence[str]) -> MovePlan:
    """Praise for a right answer with what it means for mastery, in counts not probabilities."""
    text = " ".join(lines)
    return _plan(
        current,
        move="encourage",
        task="words",  # no model format yet: code's words only
        facts=tuple(lines),
        template=text,
        numbers=_numbers(text, current.statement),
        reveals_answer=True,  # the student just gave it
    )


def acknowledge(
    current: Current | None, feeling: str, next_step: str, *, learner: Learner, said: str = ""
) -> MovePlan:
    """Frustration, "I don't know", "I give up": acknowledge, then one smaller thing to do."""
    text = f"{feeling} {next_step}".strip()
    fields: dict[str, object] = {
        "move": "acknowledge",
        "task": "answer",
        "facts": (feeling, next_step),
        "template": text,
        "numbers": _numbers(text, current.statement if current else ""),
        "extra": (("question", said or text),),  # the format words it from what was said
    }
    if current is None:
        return MovePlan(statement="", learner=learner, **fields)  # type: ignore[arg-type]
    fields["safe_equal_to_key"] = _safe(current, text, current.statement)
    return _plan(current, **fields)


def redirect(
    current: Current | None, next_step: str, *, learner: Learner, said: str = ""
) -> MovePlan:
    """Off-topic: one friendly line, then the next step."""
    line = "Let's keep our minds on maths for now."
    text = f"{line} {next_step}".strip()
    fields: dict[str, object] = {
        "move": "redirect",
        "task": "answer",
        "facts": (line, next_step),
        "template": text,
        "numbers": _numbers(text, current.statement if current else ""),
        "extra": (("question", said or text),),  # the format words it from what was said
    }
    if current is None:
        return MovePlan(statement="", learner=learner, **fields)  # type: ignore[arg-type]
    return _plan(current, **fields)
