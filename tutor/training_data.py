"""Training data the repository owns: move plans built from the shipped pack, worded by hand.

Torch-free. For every exercise of the shipped maths pack (`tutor.curriculum`) over many seeds
this module builds the teaching moves a tutor makes (locate, contrast, hints, a worked
example, the solution, a concept, encouragement, acknowledgement, a redirect, an exercise
wording) as `prompts.plan.MovePlan`s, and pairs each plan with reference words chosen from
several phrasings written for its move kind. The adapters learn plan -> words from these
pairs (`prompts.plan_training_example`); the evaluation uses held-out seeds and held-out
skills (`HELD_OUT_SKILLS`), never seen in training.

Every reference text is checked by the verifier against its own plan before it is kept, so
the model is never taught words the tutor would refuse to show.

The plans here stand in for the dialogue planner's until it emits them from step traces;
they are built from the same exercise fields (statement, solution steps, misconceptions).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from prompts.builder import TrainingExample
from prompts.formats import MOVE_TASKS
from prompts.numbers import read_numbers
from prompts.plan import Learner, MovePlan
from prompts.planprompt import plan_training_example
from prompts.verify import check_words, numbers_in
from tutor.curriculum import Exercise, Pack, SolutionStep, load_default_pack

# Skills never used in training: the evaluation's unseen skills.
HELD_OUT_SKILLS: tuple[str, ...] = (
    "fractions.sub_unlike",
    "decimals.divide",
    "percent.change",
    "integers.mul_div",
)
TRAIN_SEEDS = range(0, 12)
EVAL_SEEDS = range(100_000, 100_006)

NAMES = (
    "Maya", "Leo", "Amara", "Jonas", "Priya", "Tom", "Sofia", "Kwame", "Lena", "Ravi",
    "Chloe", "Mateo", "Aisha", "Finn", "Yuki", "Omar", "Ella", "Noah", "Zara", "Ben",
)  # fmt: skip
THEMES = ("football", "space", "animals", "music", "cooking", "games")
STYLES = ("step-by-step", "short", "example")

_SYMBOL = {"+": "+", "-": "−", "*": "×", "/": "÷"}
_OPERATION = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}
_ARITHMETIC = re.compile(r"(?:[\d\s.+\-*/]|\(-\d+\))+")
_BINARY = re.compile(r"^\s*(-?[\d.]+(?:/\d+)?)\s*([-+*/])\s*(\(?-?[\d.]+(?:/\d+)?\)?)\s*$")


@dataclass(frozen=True)
class PlanExample:
    """A plan and the reference words for it (and where it came from, for splits)."""

    plan: MovePlan
    reference: str
    skill_key: str
    seed: int


# ---- reading an exercise --------------------------------------------------------------------


def display(expression: str) -> str:
    """Code notation as a student reads it: `437 - 391` -> `437 − 391`, `3 * 2` -> `3 × 2`."""
    out = re.sub(r"(?<=\S) \* (?=\S)", " × ", expression)
    out = re.sub(r"(?<=\S) - (?=\S)", " − ", out)
    out = re.sub(r"(?<=\S) / (?=\S)", " ÷ ", out)
    return out.replace("*", "×")


def binary(step: SolutionStep) -> tuple[str, str, str] | None:
    """(a, operation, b) when the step is one plain sum of two numbers, else None."""
    if not step.expression:
        return None
    match = _BINARY.match(step.expression)
    if not match:
        return None
    a, op, b = match.groups()
    return a, op, b.strip("()")


def step_sentence(step: SolutionStep, *, with_result: bool) -> str:
    """The step as one sentence; its result only when `with_result`."""
    text = step.text.strip()
    calc = ""
    plain = step.expression and _ARITHMETIC.fullmatch(step.expression)
    if plain and step.expression and step.result and step.expression != step.result:
        calc = display(step.expression) + (f" = {step.result}" if with_result else "")
    if text.endswith((":", " is", " so", ",")) or not text.endswith((".", "?", "!")):
        return f"{text.rstrip(':,')} {calc}".strip().rstrip(".") + "." if calc else text
    if calc and with_result and step.result and step.result not in text:
        return f"{text} ({calc})"
    return text


def value_of(text: str) -> Fraction | None:
    """The value `text` writes: "3/4", "0.75" and "75%" are all 3/4."""
    cleaned = text.replace("−", "-").replace(",", "").strip()
    scale = Fraction(1, 100) if cleaned.endswith("%") else Fraction(1)
    try:
        return Fraction(cleaned.rstrip("%")) * scale
    except (ValueError, ZeroDivisionError):
        return None


def answer_forms(exercise: Exercise) -> tuple[str, ...]:
    forms = [exercise.answer_text]
    if "=" in exercise.answer_text:
        forms.append(exercise.answer_text.split("=", 1)[1].strip())
    return tuple(dict.fromkeys(forms))


def _key_value(exercise: Exercise) -> Fraction | None:
    return value_of(answer_forms(exercise)[-1])


def _mentions_key(text: str, exercise: Exercise) -> bool:
    key = _key_value(exercise)
    return key is not None and any(value_of(n) == key for n in numbers_in(text))


def spec_numbers(exercise: Exercise) -> tuple[str, ...]:
    return tuple(dict.fromkeys(numbers_in(exercise.statement)))


def _numbers(*texts: str) -> tuple[str, ...]:
    """The numbers of `texts` as written, and their parts (a mixed number's whole, a ratio's)."""
    found = [n.text for t in texts for n in read_numbers(t, words=False)]
    found += [n for t in texts for n in numbers_in(t)]
    by_value: dict[object, str] = {}
    for text in found:
        by_value.setdefault(value_of(text) or text, text)
    return tuple(by_value.values())


def _says(text: str, number: str | None) -> bool:
    if number is None:
        return False
    return value_of(number) in {n.value for n in read_numbers(text)} | {
        value_of(n) for n in _numbers(text)
    }


def _safe(exercise: Exercise, *texts: str) -> tuple[str, ...]:
    """Numbers of the statement (given quantities) equal to the key: present, not a leak."""
    key = _key_value(exercise)
    return tuple(n for n in _numbers(exercise.statement, *texts) if value_of(n) == key)


def _display_value(value: object) -> str | None:
    """A misconception's wrong answer as a student would have typed it (numbers only)."""
    try:
        fraction = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    if fraction.denominator == 1:
        return str(fraction.numerator)
    return f"{fraction.numerator}/{fraction.denominator}"


# ---- the moves --------------------------------------------------------------------------


class _Builder:
    """Plans for one exercise and one learner; each method returns None when it does not fit."""

    def __init__(self, pack: Pack, exercise: Exercise, learner: Learner, rng: random.Random):
        self.pack, self.ex, self.learner, self.rng = pack, exercise, learner, rng
        self.skill_name = pack.skill(exercise.skill_key).name
        self.forms = answer_forms(exercise)

    def plan(self, move: str, facts: Sequence[str], template: str, **fields: object) -> MovePlan:
        texts = [self.ex.statement, *facts, str(fields.get("question") or "")]
        numbers = fields.pop("numbers", None) or _numbers(*texts)
        reveals = bool(fields.pop("reveals_answer", False))
        return MovePlan(
            move=move,  # type: ignore[arg-type]
            task=MOVE_TASKS[move],
            statement=self.ex.statement,
            facts=tuple(facts),
            template=template,
            learner=self.learner,
            numbers=tuple(numbers),  # type: ignore[arg-type]
            answer_forms=self.forms,
            reveals_answer=reveals,
            safe_equal_to_key=tuple(fields.pop("safe", _safe(self.ex, *texts))),  # type: ignore[arg-type]
            skill_name=self.skill_name,
            **fields,  # type: ignore[arg-type]
        )

    def pick(self, options: Sequence[str], **slots: str) -> str:
        return self.rng.choice(options).format(name=self.learner.name, **slots).strip()

    def _open_steps(self) -> list[SolutionStep]:
        """Steps whose words and result do not give the answer away."""
        return [
            s
            for s in self.ex.solution
            if not _mentions_key(step_sentence(s, with_result=True), self.ex)
        ]

    def hint_focus(self) -> tuple[MovePlan, str] | None:
        steps = self._open_steps()
        if not steps:
            return None
        step = steps[0]
        fact = step_sentence(step, with_result=False)
        parts = binary(step)
        asks = bool(parts and step.result and not _says(fact, step.result))
        question = (
            f"What is {display(step.expression or '')}?"
            if asks
            else "What will you work out first?"
        )
        if _mentions_key(fact + question, self.ex):
            return None
        template = f"Start here: {fact} {question}"
        must_not = (step.result,) if asks and not _says(question, step.result) else ()
        plan = self.plan("hint_focus", (fact,), template, question=question, must_not_say=must_not)
        words = self.pick(HINT_FOCUS, fact=fact, question=question, lfact=_lower(fact))
        return plan, words

    def hint_operation(self) -> tuple[MovePlan, str] | None:
        for step in self._open_steps():
            parts = binary(step)
            if not parts or not step.result or _says(f"{parts[0]} {parts[2]}", step.result):
                continue
            a, op, b = parts
            verb = _VERB_PHRASE[op].format(a=a, b=b)
            sym = _SYMBOL[op]
            question = f"What is {a} {sym} {b}?"
            fact = f"This step is to {verb}."
            plan = self.plan(
                "hint_operation",
                (fact,),
                f"{fact} {question}",
                question=question,
                operation=_OPERATION[op],
                must_say=(a, b),
                must_not_say=(step.result,),
            )
            words = self.pick(HINT_OPERATION, verb=verb, a=a, b=b, sym=sym, question=question)
            return plan, words
        return None

    def worked_example(self, seed: int) -> tuple[MovePlan, str] | None:
        other = self.pack.similar_exercise(self.ex, seed + 7919)
        if other.statement == self.ex.statement:
            return None
        steps = [step_sentence(s, with_result=True) for s in other.solution]
        facts = (
            f"A similar exercise: {other.statement}",
            *steps,
            f"Its answer is {other.answer_text}.",
        )
        if any(_mentions_key(f, self.ex) for f in facts):
            return None
        question = "Can you do yours the same way?"
        plan = self.plan(
            "worked_example", facts, " ".join((*facts, question)), question=question, safe=()
        )
        words = self.pick(
            WORKED_EXAMPLE,
            statement=other.statement,
            steps=" ".join(steps),
            answer=other.answer_text,
            question=question,
        )
        return plan, words

    def solution(self) -> tuple[MovePlan, str]:
        steps = [step_sentence(s, with_result=True) for s in self.ex.solution]
        answer = self.ex.answer_text
        final = f"So the answer is {answer}."
        plan = self.plan(
            "solution",
            (*steps, final),
            " ".join((*steps, final)),
            reveals_answer=True,
            must_say=(answer,),
        )
        if self.learner.style == "step-by-step":
            body = "\n".join(f"{i}. {s}" for i, s in enumerate(steps, start=1))
        else:
            body = " ".join(steps)
        return plan, self.pick(SOLUTION[self.learner.style], steps=body, answer=answer)

    def concept(self) -> tuple[MovePlan, str] | None:
        description = self.pack.skill(self.ex.skill_key).description.strip()
        if not description or _mentions_key(description, self.ex):
            return None
        sentence = description if description.endswith(".") else description + "."
        plan = self.plan(
            "concept", (sentence,), sentence, numbers=_numbers(self.ex.statement, sentence)
        )
        return plan, self.pick(CONCEPT, fact=sentence, skill=self.skill_name)

    def _wrong(self) -> tuple[str, str] | None:
        rules = list(self.ex.misconceptions)
        self.rng.shuffle(rules)
        key = _key_value(self.ex)
        for rule in rules:
            for value in rule.answers:
                shown = _display_value(value)
                if shown is not None and value_of(shown) != key:
                    return shown, rule.description
        return None

    def locate(self) -> tuple[MovePlan, str] | None:
        wrong = self._wrong()
        if wrong is None:
            return None
        answer, description = wrong
        facts = (f"The answer {answer} is not right yet.", f"It looks like you {description}.")
        question = "Can you check that step again?"
        plan = self.plan(
            "locate", facts, " ".join((*facts, question)), question=question, must_say=(answer,)
        )
        words = self.pick(LOCATE, wrong=answer, description=description, question=question)
        return plan, words

    def contrast(self) -> tuple[MovePlan, str] | None:
        wrong = self._wrong()
        steps = self._open_steps()
        if wrong is None or not steps:
            return None
        answer, description = wrong
        right = step_sentence(steps[0], with_result=False)
        facts = (f"You {description}, which gives {answer}.", f"Instead: {right}")
        question = "What do you get this way?"
        result = steps[0].result
        must_not = (result,) if result and not _says(" ".join(facts), result) else ()
        plan = self.plan(
            "contrast",
            facts,
            " ".join((*facts, question)),
            question=question,
            must_say=(answer,),
            must_not_say=must_not,
        )
        words = self.pick(
            CONTRAST, wrong=answer, description=description, right=right, lright=_lower(right),
            question=question,
        )  # fmt: skip
        return plan, words

    def encourage(self) -> tuple[MovePlan, str] | None:
        answer = self.ex.answer_text
        method = self.ex.solution[0].text.strip() if self.ex.solution else ""
        if not method.endswith(".") or _mentions_key(method, self.ex):
            method = ""
        facts = (f"{answer} is correct.", *((method,) if method else ()))
        plan = self.plan(
            "encourage", facts, " ".join(facts), safe=(*self.forms,), must_say=(answer,)
        )
        options = ENCOURAGE_METHOD if method else ENCOURAGE
        return plan, self.pick(options, answer=answer, method=method, lmethod=_lower(method))

    def acknowledge(self) -> tuple[MovePlan, str] | None:
        steps = self._open_steps()
        step = steps[0] if steps else None
        parts = binary(step) if step else None
        if (
            step is not None
            and parts
            and step.result
            and not _says(display(step.expression or ""), step.result)
        ):
            question = f"What is {display(step.expression or '')}?"
            must_not: tuple[str, ...] = (step.result,)
        else:
            question = "What does the question ask you to find?"
            must_not = ()
        facts = ("Finding it hard is fine.", "Take a smaller step.")
        plan = self.plan(
            "acknowledge", facts, f"That's okay. {question}", question=question,
            must_not_say=must_not,
        )  # fmt: skip
        return plan, self.pick(ACKNOWLEDGE, question=question)

    def redirect(self) -> tuple[MovePlan, str]:
        topic = self.rng.choice(OFF_TOPIC)
        question = "Shall we get back to the exercise?"
        facts = ("The student went off topic.", "Bring them back to the exercise.")
        plan = self.plan(
            "redirect",
            facts,
            f"Let's get back to the exercise. {question}",
            question=question,
            extra=(("student said", topic),),
        )
        return plan, self.pick(REDIRECT, question=question)

    def exercise(self) -> tuple[MovePlan, str] | None:
        operation = str(self.ex.spec.get("operation", ""))
        a, b = str(self.ex.spec.get("a", "")), str(self.ex.spec.get("b", ""))
        whole = a.isdigit() and b.isdigit()  # "2.4 stickers shared among 0.6 friends": no
        if operation not in WORD_PROBLEMS["football"] or not whole:
            return None
        theme = self.learner.interests[0] if self.learner.interests else "games"
        facts = (f"Use exactly {a} and {b}.", f"The operation is {operation}.", f"Theme: {theme}.")
        plan = self.plan(
            "exercise",
            facts,
            self.ex.statement,
            operation=operation,
            numbers=(a, b),
            must_say=(a, b),
        )
        return plan, self.pick(WORD_PROBLEMS[theme][operation], a=a, b=b)


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:] if sentence[:2] != sentence[:2].upper() else sentence


_VERB_PHRASE = {
    "+": "add {a} and {b}",
    "-": "take {b} away from {a}",
    "*": "multiply {a} by {b}",
    "/": "divide {a} by {b}",
}

# ---- the reference phrasings (written for this project; several per move kind) ----------

HINT_FOCUS = (
    "{name}, let's take it one step at a time. {fact} {question}",
    "Here's a good place to start: {lfact} {question}",
    "Try this first. {fact} {question}",
    "You don't have to do it all at once. {fact} {question}",
    "{fact} Have a go: {question}",
    "Let's begin with the first step, {name}. {fact} {question}",
)
HINT_OPERATION = (
    "{name}, the next thing to do is {verb}. {question}",
    "Look at this step: you need to {verb}. {question}",
    "Here you {verb}. Can you work it out? {question}",
    "This part asks you to {verb}. {question}",
    "Good, now {verb}. {question}",
    "One calculation at a time: {verb}. {question}",
)
WORKED_EXAMPLE = (
    "Let's look at one like it. {statement} {steps} So its answer is {answer}. {question}",
    "Here is a similar one worked through. {statement} {steps} That gives {answer}. {question}",
    "Watch how this one goes: {statement} {steps} The answer there is {answer}. {question}",
    "An example first, {name}. {statement} {steps} So it comes to {answer}. {question}",
)
SOLUTION = {
    "step-by-step": (
        "Let's work through it together, {name}.\n{steps}\nSo the answer is {answer}.",
        "Here is the whole method, one step at a time:\n{steps}\nThat makes the answer {answer}.",
        "Step by step:\n{steps}\nSo the answer is {answer}. Well worth checking it once more.",
    ),
    "short": (
        "{steps} So the answer is {answer}.",
        "Quickly: {steps} The answer is {answer}.",
        "{steps} That gives {answer}.",
    ),
    "example": (
        "Here is how it goes, as an example to follow: {steps} So the answer is {answer}.",
        "Follow this example, {name}: {steps} The answer is {answer}. Use the same steps next "
        "time.",
        "Let me show you. {steps} So we get {answer}. Try the next one the same way.",
    ),
}
CONCEPT = (
    "{fact} Keep that in mind for this one.",
    "Here's the big idea, {name}: {fact}",
    "Remember what {skill} is about. {fact}",
    "The key idea: {fact} It works the same way every time.",
)
LOCATE = (
    "Not quite, {name}: {wrong} is not right yet. It looks like you {description}. {question}",
    "Good effort! {wrong} isn't right yet: it looks like you {description}. {question}",
    "Close, but {wrong} is not the answer. I think you {description}. {question}",
    "{name}, you got {wrong}. It looks like you {description}. {question}",
    "Nearly there. With {wrong}, it looks like you {description}. {question}",
)
CONTRAST = (
    "You {description}, which gives {wrong}. Instead, {lright} {question}",
    "Getting {wrong} means you {description}. The right way: {right} {question}",
    "I see {wrong}: you {description}. Let's do it this way instead. {right} {question}",
    "{name}, {wrong} comes from this: you {description}. Try it like this: {lright} {question}",
)
ENCOURAGE = (
    "Well done, {name}! {answer} is right.",
    "Yes! {answer} is correct. Great work.",
    "That's it, {answer} is the right answer. Nicely done.",
    "Brilliant, {name}: {answer} is correct. Keep going like that!",
)
ENCOURAGE_METHOD = (
    "Well done, {name}! {answer} is right. You did it the right way: {lmethod}",
    "Yes! {answer} is correct. {method} Great work.",
    "That's it, {answer} is right. Remember the method: {lmethod}",
)
ACKNOWLEDGE = (
    "That's okay, {name}. This one is tricky, so let's take a smaller step. {question}",
    "It's fine to find this hard. Let's try just one small part: {question}",
    "No worries, {name}, everyone gets stuck sometimes. Start with this: {question}",
    "I hear you, this is a tough one. Let's make it smaller. {question}",
)
REDIRECT = (
    "That sounds fun, {name}! Let's finish the maths first, though. {question}",
    "Good question, but let's keep our focus on the exercise for now. {question}",
    "We can talk about that later, {name}. Right now let's get this one done. {question}",
    "Ha, nice one! Back to the maths now. {question}",
)
OFF_TOPIC = (
    "who won the game last night?",
    "what's your favourite colour?",
    "can we play a game instead?",
    "do you like pizza?",
    "what time is it?",
    "I want to talk about my dog",
)

# Word problems per theme and operation; {a} and {b} are the spec's numbers, in that order.
WORD_PROBLEMS: dict[str, dict[str, tuple[str, ...]]] = {
    "football": {
        "add": (
            "{name}'s team scored {a} goals last season and {b} goals this season. "
            "How many goals is that altogether?",
            "A stadium sold {a} tickets on Saturday and {b} tickets on Sunday. "
            "How many tickets did it sell in total?",
        ),
        "subtract": (
            "A stadium has {a} seats and {b} of them are taken. How many seats are left?",
            "{name} had {a} football stickers and gave away {b}. How many stickers are left?",
        ),
        "multiply": (
            "There are {a} teams and each team has {b} players. How many players are there in all?",
            "{name} buys {a} packs of football cards with {b} cards in each pack. "
            "How many cards is that in total?",
        ),
        "divide": (
            "{a} footballs are shared equally among {b} teams. How many footballs does each team "
            "get?",
            "A coach splits {a} players into {b} equal groups. How many players are in each group?",
        ),
    },
    "space": {
        "add": (
            "A rocket flew {a} km on Monday and {b} km on Tuesday. How far did it fly altogether?",
            "{name} counted {a} stars one night and {b} stars the next. How many stars in total?",
        ),
        "subtract": (
            "A space station has {a} litres of water and the crew uses {b} litres. "
            "How many litres are left?",
            "A rocket needs to climb {a} km and has climbed {b} km. How many km are left to climb?",
        ),
        "multiply": (
            "A space probe sends {a} photos each day for {b} days. How many photos is that in "
            "total?",
            "Each of {a} rockets carries {b} satellites. How many satellites do they carry in all?",
        ),
        "divide": (
            "{a} astronauts are split equally into {b} crews. How many astronauts are in each "
            "crew?",
            "{name} shares {a} space stickers equally among {b} friends. How many does each "
            "friend get?",
        ),
    },
    "animals": {
        "add": (
            "A zoo has {a} birds and {b} fish. How many animals is that altogether?",
            "{name} saw {a} ducks in the morning and {b} ducks in the afternoon. "
            "How many ducks did {name} see in total?",
        ),
        "subtract": (
            "A farm had {a} sheep and sold {b} of them. How many sheep are left?",
            "There were {a} ants in a line and {b} walked away. How many ants are left in the "
            "line?",
        ),
        "multiply": (
            "A farmer has {a} hens and each hen lays {b} eggs. How many eggs is that in total?",
            "There are {a} fish tanks with {b} fish in each tank. How many fish are there in all?",
        ),
        "divide": (
            "A keeper shares {a} carrots equally among {b} rabbits. How many carrots does each "
            "rabbit get?",
            "{a} dogs are walked in {b} equal groups. How many dogs are in each group?",
        ),
    },
    "music": {
        "add": (
            "{name} practised the piano for {a} minutes on Monday and {b} minutes on Tuesday. "
            "How many minutes is that altogether?",
            "A concert sold {a} tickets in the morning and {b} in the evening. "
            "How many tickets did it sell in total?",
        ),
        "subtract": (
            "A song playlist has {a} songs and {name} has heard {b} of them. "
            "How many songs are left to hear?",
            "A hall has {a} seats and {b} are taken. How many seats are left for the concert?",
        ),
        "multiply": (
            "A band plays {a} concerts with {b} songs in each concert. How many songs is that in "
            "total?",
            "There are {a} rows of singers with {b} singers in each row. How many singers are "
            "there in all?",
        ),
        "divide": (
            "{a} music books are shared equally among {b} classes. How many books does each "
            "class get?",
            "A choir of {a} singers stands in {b} equal rows. How many singers are in each row?",
        ),
    },
    "cooking": {
        "add": (
            "{name} baked {a} cookies on Saturday and {b} cookies on Sunday. "
            "How many cookies is that altogether?",
            "A recipe uses {a} grams of flour and {b} grams of sugar. How many grams is that in "
            "total?",
        ),
        "subtract": (
            "A bakery made {a} rolls and sold {b} of them. How many rolls are left?",
            "{name} had {a} grams of butter and used {b} grams. How many grams are left?",
        ),
        "multiply": (
            "{name} makes {a} trays of muffins with {b} muffins on each tray. "
            "How many muffins is that in total?",
            "A cafe uses {a} eggs each day for {b} days. How many eggs does it use in all?",
        ),
        "divide": (
            "{a} strawberries are shared equally among {b} cakes. How many strawberries go on "
            "each cake?",
            "A cook splits {a} grams of rice equally into {b} bowls. How many grams go in each "
            "bowl?",
        ),
    },
    "games": {
        "add": (
            "{name} scored {a} points in the first game and {b} points in the second. "
            "How many points is that altogether?",
            "A team collected {a} coins and then {b} more coins. How many coins did it collect "
            "in total?",
        ),
        "subtract": (
            "{name} had {a} points and lost {b} of them. How many points are left?",
            "A level has {a} gems and {name} has found {b}. How many gems are left to find?",
        ),
        "multiply": (
            "{name} plays {a} rounds and wins {b} points in each round. How many points is that "
            "in total?",
            "There are {a} boxes with {b} cards in each box. How many cards are there in all?",
        ),
        "divide": (
            "{a} game tokens are shared equally among {b} players. How many tokens does each "
            "player get?",
            "{name} splits {a} points equally across {b} levels. How many points go to each level?",
        ),
    },
}


# ---- the data sets --------------------------------------------------------------------------

MOVES = (
    "hint_focus", "hint_operation", "worked_example", "solution", "concept", "locate",
    "contrast", "encourage", "acknowledge", "redirect", "exercise",
)  # fmt: skip


def _learner(rng: random.Random) -> Learner:
    interests = tuple(rng.sample(THEMES, rng.choice((1, 2))))
    return Learner(
        name=rng.choice(NAMES),
        grade=rng.choice((None, 3, 4, 5, 6, 7, 8)),
        style=rng.choice(STYLES),
        interests=interests,
    )


def plans_for(
    pack: Pack, skill_key: str, seed: int, moves: Sequence[str] = MOVES
) -> Iterator[PlanExample]:
    """Every move that fits one exercise (`skill_key`, `seed`), with verified reference words."""
    exercise = pack.exercise(skill_key, seed)
    rng = random.Random(f"{skill_key}:{seed}")
    builder = _Builder(pack, exercise, _learner(rng), rng)
    for move in moves:
        made = (
            builder.worked_example(seed) if move == "worked_example" else getattr(builder, move)()
        )
        if made is None:
            continue
        plan, words = made
        if check_words(words, plan).ok:
            yield PlanExample(plan, words, skill_key, seed)


def build_plan_examples(
    *,
    split: str = "train",
    tasks: Sequence[str] | None = None,
    seeds: Sequence[int] | None = None,
    pack: Pack | None = None,
) -> list[PlanExample]:
    """The examples of `split`: "train" (train seeds, trained skills), "validation" (held-out
    seeds, trained skills) or "heldout_skills" (held-out seeds and held-out skills)."""
    pack = pack or load_default_pack()
    skills = [k for k in pack.skills if k not in HELD_OUT_SKILLS]
    if split == "heldout_skills":
        skills = [k for k in pack.skills if k in HELD_OUT_SKILLS]
    if seeds is None:
        seeds = TRAIN_SEEDS if split == "train" else EVAL_SEEDS
    wanted = set(tasks) if tasks else None
    moves = [m for m in MOVES if wanted is None or MOVE_TASKS[m] in wanted]
    out: list[PlanExample] = []
    for seed in seeds:
        for key in skills:
            out.extend(plans_for(pack, key, seed, moves))
    return out


def data_hash(examples: Sequence[TrainingExample]) -> str:
    """sha256 over every prompt and completion, in order: names the training data exactly."""
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.task}\x00{e.prompt}\x00{e.completion}\x01".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class PlanDataset:
    """What `adapters.training.train_adapter` trains on (its `Dataset` protocol)."""

    task: str  # one task, or "+"-joined tasks for a joint adapter
    tasks: tuple[str, ...]
    train: tuple[TrainingExample, ...]
    validation: tuple[TrainingExample, ...]
    data_hash: str


def _sample_by_task(
    examples: Sequence[PlanExample], tasks: Sequence[str], per_task: int, rng: random.Random
) -> list[PlanExample]:
    chosen: list[PlanExample] = []
    for task in tasks:
        pool = [e for e in examples if e.plan.task == task]
        chosen += rng.sample(pool, min(per_task, len(pool)))
    rng.shuffle(chosen)
    return chosen


def build_dataset(
    tasks: Sequence[str],
    *,
    train_per_task: int = 600,
    validation_per_task: int = 40,
    seed: int = 0,
    pack: Pack | None = None,
    train_seeds: Sequence[int] | None = None,
    validation_seeds: Sequence[int] | None = None,
) -> PlanDataset:
    """Train (train seeds) and validation (held-out seeds) examples for `tasks`, balanced.

    Held-out skills (`HELD_OUT_SKILLS`) appear in neither: they are the evaluation's.
    """
    pack = pack or load_default_pack()
    rng = random.Random(seed)
    train = _sample_by_task(
        build_plan_examples(split="train", tasks=tasks, pack=pack, seeds=train_seeds),
        tasks,
        train_per_task,
        rng,
    )
    validation = _sample_by_task(
        build_plan_examples(split="validation", tasks=tasks, pack=pack, seeds=validation_seeds),
        tasks,
        validation_per_task,
        rng,
    )
    train_ex = tuple(plan_training_example(e.plan, e.reference) for e in train)
    val_ex = tuple(plan_training_example(e.plan, e.reference) for e in validation)
    return PlanDataset(
        task="+".join(tasks),
        tasks=tuple(tasks),
        train=train_ex,
        validation=val_ex,
        data_hash=data_hash(train_ex + val_ex),
    )


def evaluation_plans(
    tasks: Sequence[str], *, per_task: int = 30, split: str = "validation", seed: int = 1
) -> list[PlanExample]:
    """Held-out plans (with their reference words) for `tutor adapters evaluate`."""
    examples = build_plan_examples(split=split, tasks=tasks)
    return _sample_by_task(examples, tasks, per_task, random.Random(seed))
