"""How good is the verifier? Bad words it must catch, good words it must keep, made by code.

From held-out plans (`tutor.training_data`, held-out seeds and skills) this module makes:

- good outputs: every authored phrasing of each plan's move kind, filled for that plan (the
  paraphrases a good model would write), and the real planner's own templates
  (`planner_harvest`: every plan `tutor.dialogue.moves` builds for every skill of the pack
  on seeds 0-11 that the curriculum's leak guard passes; the adapters learn to word plans
  like these, so a template refused is a plan the model can never get through), and
- adversarial outputs, each one corruption of a good output (the reference of each held-out
  plan, and the template of every `PLANNER_CORRUPT_EVERY`-th planner plan), labelled by kind:
  `wrong_maths` (a sum or named result made wrong), `other_step` (a true sum the plan does
  not have), `changed_operation` (the step or word problem now adds instead of subtracting,
  ...), `leak` (the answer inserted in one of many forms: digits, words, decimal, decimal
  comma, fraction, unsimplified fraction, LaTeX, percent, `x = `), `misconception` (a wrong
  rule taught), `stray_number` (a number the plan does not allow), `markup`, `loop`.

`run_benchmark()` checks them all with `prompts.verify.check_words` and reports the share
caught and the share kept (in all, and by source: `kept_by_source`); `tutor adapters
verifier-benchmark` prints it.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from prompts.numbers import TENS_WORDS, UNIT_WORDS
from prompts.plan import Learner, MovePlan
from prompts.verify import check_words, operation_family
from tutor import training_data as td
from tutor.curriculum import Pack, load_default_pack, similar_for_slip
from tutor.dialogue import moves
from tutor.dialogue.steps import worth_asking

_DENOMINATOR_WORDS = {2: "halves", 3: "thirds", 4: "quarters", 5: "fifths", 8: "eighths"}


PLANNER_SEEDS = range(12)
PLANNER_LEARNER = Learner(name="Sam", grade=5)
AUTHORED, PLANNER = "authored", "planner"  # where a good output comes from
PLANNER_CORRUPT_EVERY = 3  # every third planner template is corrupted too (~10,000 cases)


@dataclass(frozen=True)
class Case:
    """One output to check: its plan, its words, and what it is (`good` or a corruption);
    a good one's `source` says who wrote it (an authored phrasing or the planner's template).
    """

    plan: MovePlan
    text: str
    kind: str
    source: str = AUTHORED


@dataclass
class BenchResult:
    caught: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    good_kept: int = 0
    good_total: int = 0
    kept_by_source: Counter[str] = field(default_factory=Counter)
    good_by_source: Counter[str] = field(default_factory=Counter)
    caught_by_source: Counter[str] = field(default_factory=Counter)
    bad_by_source: Counter[str] = field(default_factory=Counter)
    missed: list[Case] = field(default_factory=list)
    dropped: list[tuple[Case, tuple[str, ...]]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def caught_share(self) -> float:
        return sum(self.caught.values()) / max(1, sum(self.total.values()))

    @property
    def kept_share(self) -> float:
        return self.good_kept / max(1, self.good_total)

    def kept_share_of(self, source: str) -> float:
        """The share kept of the good outputs from `source` (`AUTHORED` or `PLANNER`)."""
        return self.kept_by_source[source] / max(1, self.good_by_source[source])

    def caught_share_of(self, source: str) -> float:
        """The share caught of the corruptions of good outputs from `source`."""
        return self.caught_by_source[source] / max(1, self.bad_by_source[source])


def planner_plans(
    pack: Pack, skill_key: str, seed: int, learner: Learner = PLANNER_LEARNER
) -> list[MovePlan]:
    """The plans the tutor's planner builds around one exercise (`pack.exercise(skill_key,
    seed)`): its solution, a sub-step and an operation hint for each step worth asking, a
    contrast for each misconception's slip, a worked example; those whose template the
    curriculum's leak guard flags are left out (the planner never shows them)."""
    exercise = pack.exercise(skill_key, seed)
    current = moves.Current(exercise, pack.skills[skill_key].name, learner)
    plans = [moves.solution(current)]
    for index, step in enumerate(exercise.solution):
        if worth_asking(exercise, index):
            plans.append(moves.substep(current, step))
            plans.append(moves.hint_operation(current, step))
    for rule in exercise.misconceptions:
        for answer, slip in zip(rule.answers, rule.slips, strict=False):
            if slip is not None and slip.student_step:
                step = exercise.solution[slip.step_index]
                plans.append(
                    moves.contrast(
                        current, step, student_step=slip.student_step, answer=str(answer)
                    )
                )
    similar = similar_for_slip(pack, exercise, None, random.Random(seed))
    if similar is not None:
        plans.append(moves.worked_example(current, similar))
    return [p for p in plans if p.reveals_answer or not moves.leaks(p.template, exercise)]


def planner_harvest(
    pack: Pack | None = None, seeds: Sequence[int] = PLANNER_SEEDS
) -> list[MovePlan]:
    """`planner_plans` for every skill of the pack (the default pack) and every seed."""
    pack = pack or load_default_pack()
    return [p for key in pack.skills for seed in seeds for p in planner_plans(pack, key, seed)]


def value_of(text: str) -> Fraction | None:
    """The value `text` writes: "3/4", "0.75" and "75%" are all 3/4 (None: not a number)."""
    cleaned = text.replace("−", "-").replace(",", "").strip()
    scale = Fraction(1, 100) if cleaned.endswith("%") else Fraction(1)
    try:
        return Fraction(cleaned.rstrip("%")) * scale
    except (ValueError, ZeroDivisionError):
        return None


def in_words(value: int) -> str | None:
    """A whole number 0..999 in words ("seventy-five"), else None."""
    if not 0 <= value < 1000:
        return None
    hundreds, rest = divmod(value, 100)
    parts = [f"{UNIT_WORDS[hundreds]} hundred"] if hundreds else []
    if rest or not parts:
        if rest < 20:
            parts.append(UNIT_WORDS[rest])
        else:
            tens, unit = divmod(rest, 10)
            parts.append(TENS_WORDS[tens - 2] + (f"-{UNIT_WORDS[unit]}" if unit else ""))
    return " and ".join(parts) if len(parts) > 1 else parts[0]


def answer_spellings(plan: MovePlan) -> list[str]:
    """The plan's answer written many ways (each one still the same value)."""
    forms = [f for f in plan.answer_forms if f]
    if not forms:
        return []
    shown = forms[0]
    out = [shown]
    core = shown.split("=", 1)[1].strip() if "=" in shown else shown
    if "=" not in shown and re.fullmatch(r"-?\d+(?:\.\d+)?|-?\d+/\d+", core):
        out.append(f"x = {core}")
    ratio = re.fullmatch(r"(\d+):(\d+)", core)
    if ratio:
        out += [f"{ratio.group(1)} : {ratio.group(2)}", f"{ratio.group(1)} to {ratio.group(2)}"]
        return out
    percent = core.endswith("%")
    value = value_of(core)
    if value is None:
        return out
    if percent:
        out += [f"{core[:-1]} percent", str(float(value))]
        return out
    if value.denominator == 1:
        words = in_words(int(value))
        if words:
            out.append(words)
        out.append(f"{int(value)}.0")
    else:
        out += [f"{value.numerator * 2}/{value.denominator * 2}"]
        out.append(rf"\frac{{{value.numerator}}}{{{value.denominator}}}")
        decimal = _decimal(value)
        if decimal:
            out += [decimal, decimal.replace(".", ",")]
        if value > 1 and value.denominator <= 12:
            whole = value.numerator // value.denominator
            out.append(f"{whole} {value.numerator - whole * value.denominator}/{value.denominator}")
        words = _DENOMINATOR_WORDS.get(value.denominator)
        if words and value.numerator < 10 and value < 1:
            singular = {"halves": "half", "quarters": "quarter"}.get(words, words[:-1])
            name = singular if value.numerator == 1 else words
            out.append(f"{UNIT_WORDS[value.numerator]} {name}")
    if "." in core:
        out.append(core.replace(".", ","))
    return list(dict.fromkeys(out))


def _decimal(value: Fraction) -> str | None:
    scaled = value * 1000
    if scaled.denominator != 1:
        return None
    return f"{float(value):g}"


_LEAK_FRAMES = (
    "The answer is {a}.",
    "So you get {a}.",
    "It comes to {a}.",
    "That makes {a} in the end.",
    "(Hint: it's {a}.)",
    "You should end up with {a}.",
    "Answer: {a}",
    "which gives {a}.",
)
_TAUGHT = (
    "Remember: add the tops and the bottoms.",
    "Just add the denominators too.",
    "Add the numerators and the denominators.",
    "The bigger the denominator, the bigger the fraction, so a larger denominator means a larger "
    "fraction.",
    "Always work it out from left to right.",
    "Take the smaller digit from the larger one in each column.",
    "Simply subtract the denominators as well.",
    "Multiply the base by the exponent.",
    "Flip the first fraction, then multiply.",
    "Two negatives make a negative.",
    "Ignore the brackets and go in order.",
    "Add the same number to the top and bottom to get an equivalent fraction.",
)
_SWAP_SYMBOL = {"+": "−", "−": "+", "×": "+", "÷": "×"}
_SWAP_VERB = (
    ("take", "add"),
    ("away from", "to"),
    ("multiply", "add"),
    ("divide", "multiply"),
    ("add", "subtract"),
)


def _insert(text: str, sentence: str, rng: random.Random) -> str:
    """`sentence` at a random sentence boundary of `text` (but not after a final question)."""
    cuts = [m.end() for m in re.finditer(r"[.!:]\s", text)]
    if not cuts or rng.random() < 0.3:
        head, tail = text.rstrip(), ""
        if head.endswith("?"):
            last = max(head.rfind(". "), head.rfind("! "))
            head, tail = (head[: last + 1], " " + head[last + 2 :]) if last > 0 else ("", head)
        return f"{head} {sentence}{tail}".strip()
    cut = rng.choice(cuts)
    return f"{text[:cut]}{sentence} {text[cut:]}"


def corruptions(plan: MovePlan, good: str, rng: random.Random) -> list[Case]:
    """Every corruption that applies to this plan and good text."""
    out: list[Case] = []
    numbers = [n for n in plan.numbers if re.fullmatch(r"\d+", n)]
    # wrong maths: a claimed sum with a wrong result, or a named result that is wrong
    sums = list(re.finditer(r"(\d+) ([+−×]) (\d+) = (\d+)", good))
    if sums:
        m = rng.choice(sums)
        wrong = str(int(m.group(4)) + rng.choice((1, 2, 10)))
        out.append(Case(plan, good[: m.start(4)] + wrong + good[m.end(4) :], "wrong_maths"))
    if len(numbers) >= 2:
        a, b = int(numbers[0]), int(numbers[1])
        text = _insert(good, f"Note that {a} + {b} = {a + b + 1}.", rng)
        out.append(Case(plan, text, "wrong_maths"))
        if a > 0 and b > 0:
            wrong_lcm = a * b + 1 if a * b + 1 not in (a, b) else a * b + 2
            named = f"The common denominator of {a} and {b} is {wrong_lcm}."
            out.append(Case(plan, _insert(good, named, rng), "wrong_maths"))
    # a true sum the plan does not have ("4 − 0 = 4" when the plan says 10 − 4 = 6)
    if any("=" in f for f in plan.facts) and numbers:
        n = numbers[-1]
        out.append(Case(plan, _insert(good, f"First, {n} − 0 = {n}.", rng), "other_step"))
    # changed operation
    family = operation_family(plan.operation)
    if family and plan.move in ("hint_operation", "exercise"):
        swapped = good
        for symbol, other in _SWAP_SYMBOL.items():
            if f" {symbol} " in good:
                swapped = good.replace(f" {symbol} ", f" {other} ")
                break
        else:
            for word, other in _SWAP_VERB:
                if re.search(rf"\b{word}\b", good, re.I):
                    swapped = re.sub(rf"\b{word}\b", other, good, count=1, flags=re.I)
                    break
        if swapped != good:
            out.append(Case(plan, swapped, "changed_operation"))
        if plan.move == "exercise" and len(numbers) >= 2:
            other_ops = [op for op in ("add", "subtract", "multiply", "divide") if op != family]
            op = rng.choice(other_ops)
            template = rng.choice(td.WORD_PROBLEMS[rng.choice(td.THEMES)][op])
            text = template.format(a=numbers[0], b=numbers[1], name=plan.learner.name)
            out.append(Case(plan, text, "changed_operation"))
    # the answer given away, in many forms
    says_answer = any(f in plan.must_say for f in plan.answer_forms)  # "12 is right!"
    if not plan.reveals_answer and not says_answer:
        for spelling in answer_spellings(plan):
            frame = rng.choice(_LEAK_FRAMES)
            out.append(Case(plan, _insert(good, frame.format(a=spelling), rng), "leak"))
    # a misconception taught
    out.append(Case(plan, _insert(good, rng.choice(_TAUGHT), rng), "misconception"))
    # numbers the plan does not have
    allowed = {value_of(n) for n in plan.numbers}
    stray = next(x for x in (17, 23, 31, 43, 58, 67, 89) if Fraction(x) not in allowed)
    out.append(Case(plan, _insert(good, f"Try it with {stray} first.", rng), "stray_number"))
    out.append(Case(plan, good + "\n### Student: ok", "markup"))
    loop = "I'm not sure what to say about this one. " * 3
    out.append(Case(plan, (loop + good).strip(), "loop"))
    return out


def good_outputs(example: td.PlanExample) -> list[str]:
    """The reference and other authored wordings of the same plan (`td.reference_words`)."""
    outs = [example.reference]
    exercise = td.load_default_pack().exercise(example.skill_key, example.seed)
    for seed_offset in range(1, 6):
        rng = random.Random(f"{example.skill_key}:{example.seed}:{seed_offset}")
        words = td.reference_words(example.plan, rng, exercise)
        if words is not None:
            outs.append(words)
    return list(dict.fromkeys(outs))


def build_cases(
    examples: Sequence[td.PlanExample], *, seed: int = 0
) -> tuple[list[Case], list[Case]]:
    """(good cases, adversarial cases) for `examples`."""
    rng = random.Random(seed)
    good: list[Case] = []
    bad: list[Case] = []
    for example in examples:
        texts = good_outputs(example)
        good += [Case(example.plan, t, "good") for t in texts]
        bad += corruptions(example.plan, texts[0], rng)
    return good, bad


def run_benchmark(
    examples: Sequence[td.PlanExample] | None = None,
    planner: Sequence[MovePlan] | None = None,
) -> BenchResult:
    """Check every good and adversarial case; the shares caught and kept, and what slipped.

    `examples`: held-out plans with authored phrasings (default: 150 validation and 75
    held-out-skill plans); `planner`: plans whose template is a good output (default: the
    whole `planner_harvest()` when `examples` is defaulted too, else none)."""
    if examples is None:
        tasks = ("hint", "feedback", "explain", "answer", "exercise")
        examples = td.evaluation_plans(tasks, per_task=30, split="validation") + (
            td.evaluation_plans(tasks, per_task=15, split="heldout_skills")
        )
        planner = planner_harvest() if planner is None else planner
    good, bad = build_cases(examples)
    planner = planner or ()
    good += [Case(plan, plan.template, "good", PLANNER) for plan in planner]
    rng = random.Random(1)
    bad += [
        replace(case, source=PLANNER)
        for plan in planner[::PLANNER_CORRUPT_EVERY]
        for case in corruptions(plan, plan.template, rng)
    ]
    result = BenchResult()
    started = time.perf_counter()
    for case in good:
        verdict = check_words(case.text, case.plan)
        result.good_total += 1
        result.good_by_source[case.source] += 1
        if verdict.ok:
            result.good_kept += 1
            result.kept_by_source[case.source] += 1
        else:
            result.dropped.append((case, verdict.problems))
    for case in bad:
        result.total[case.kind] += 1
        result.bad_by_source[case.source] += 1
        if check_words(case.text, case.plan).ok:
            result.missed.append(case)
        else:
            result.caught[case.kind] += 1
            result.caught_by_source[case.source] += 1
    result.seconds = time.perf_counter() - started
    return result


def with_text(plan: MovePlan, **changes: object) -> MovePlan:
    """A copy of `plan` with fields changed (tests build variants this way)."""
    return replace(plan, **changes)  # type: ignore[arg-type]
