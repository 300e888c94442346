"""The verifier: words are shown only when they say what their plan says, and nothing else.

Every model output is checked against its `prompts.plan.MovePlan` before a student sees it;
a failed check names itself, and the caller shows `plan.template` instead (and logs why).

    length        within the task's bounds; not a loop ("I'm not sure. I'm not sure."): no
                  sentence said more often than the plan says it
    numbers       every number written in digits is one the plan allows (list markers aside)
    must say      every required fact (a number is matched by value: 0.5 = 1/2 = "a half")
    must not say  nothing the plan forbids (a sub-step's result, a rule)
    leak          the answer in no form (digits, words, fraction, decimal comma, LaTeX,
                  percent, ratio) unless the move reveals it; a given quantity, the
                  student's own answer or an earlier step's number equal to the key is not a
                  leak (`plan.safe_equal_to_key`), nor is a number written exactly as the
                  exercise writes it (0.31 for "Write 0.31 as a fraction"), unless the text
                  calls it the answer ("the answer is", "=", "gives", ...)
    operation     operation words and symbols agree with the plan's operation; a sum on the
                  plan's own terms keeps the plan's signs ("2 × 7 + 6", not "2 + 7 + 6")
    maths         every written sum is right ("4 − 0 = 3"; chains "35 = 7 × 5 = 5 × 7" and
                  negative terms "8 + (−19) = −11" too), and is one of the plan's when the
                  plan has sums ("4 − 0 = 4" when the plan says 10 − 4 = 6); a contrast may
                  quote the student's wrong sum its plan quotes; an equation in x is one the
                  plan writes ("x/4 + 8 = 4" for "Solve x/4 + 8 = 2" is refused); named
                  results are right ("the common denominator of 5 and 7 is 12", "GCF of 8
                  and 20 is 2")
    misconception no wrong rule taught ("add the tops and the bottoms")
    question      ends with a question when the plan has one
    markup        no prompt markers leaked into the words

Linear in the text: each check is one regex pass or one scan over already-read numbers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from prompts.numbers import Number, normalise, read_numbers, read_pairs
from prompts.plan import MovePlan

MIN_CHARS = 8
MAX_CHARS = 900
MIN_FACT_CHARS = 12  # letters and digits beyond the question: at least a short clause
# Longest words per task (characters); the explanation may run longest.
MAX_CHARS_BY_TASK = {"hint": 600, "feedback": 450, "answer": 400, "exercise": 400, "explain": 900}

_NUMBER = re.compile(
    r"(?<![\w.])[-\u2212]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])[-\u2212]?\d+(?:[./]\d+)?"
)
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:step[ \t]+)?\d{1,2}[.)][ \t]")
# Words that call the number after them a result: a safe number (a given quantity, the
# student's own answer) after one of these is still a leak ("the answer is 12", "= 12").
_ANSWER_CUE = re.compile(
    r"(?:\banswer\b|=|\bequals?\b|\bmakes?\b|\bgives?\b|\bget\b|\bcomes? to\b|"
    r"\bend up with\b|\bit'?s\b|\bit is\b|\bresult\b)[^.?!\n\d]{0,8}$"  # "= 81 − 9": an operand
)
_MARKUP = re.compile(
    r"###|<\s*/?\s*student\s*>|<\|im_(?:start|end)\|>"
    r"|(?m:^\s*(?:numbers|say|end with|facts|move|operation|skill|exercise|interests|style)"
    r"\s*:)"  # the plan's own labels echoed back
)
_SENTENCE = re.compile(r"[^.?!\n]+[.?!]?")

_TERM = r"(?:\(-\d+(?:\.\d+)?\)|-?\d+(?: \d+/\d+|(?:\.\d+)?(?:/\d+)?))"
# `a op b = c`, and a chain's `a op b = c op d` ("35 = 7 × 5 = 5 × 7"): both sides' values.
_EQUATION = re.compile(
    rf"(?<![\w./\-])(?<![-+×*÷] )({_TERM}(?:\s*[-+×*÷x]\s*{_TERM})+)"  # not "x ÷ 4 + 8"
    rf"\s*=\s*({_TERM}(?:[ \t]*[-+×*÷x][ \t]*{_TERM})*)%?"
    r"(?![\d/(]|\.\d|\s*(?:remainder|r\b))"
)
_FIRST_TERM = re.compile(_TERM)
_NEXT_TERM = re.compile(rf"\s*([-+×*÷x])\s*({_TERM})")
_SYMBOL_BETWEEN = re.compile(r"(?<=[\d)])\s*([-+×*÷])\s*(?=\(?-?\d)|(?<=\d)\s+x\s+(?=\d)")

_OPS = {"+": "add", "-": "subtract", "×": "multiply", "*": "multiply", "x": "multiply"}
_OPS["÷"] = "divide"

# Words that name an operation (for a hint on one step, and for a word problem).
_OP_WORDS = {
    "add": r"\b(?:add|adding|plus|sum|altogether|in total|combined)\b",
    "subtract": r"\b(?:subtract\w*|minus|take away|taking away|difference|left|remain\w*|fewer)\b",
    "multiply": r"\b(?:multipl\w*|times|product|each|per)\b",
    "divide": r"\b(?:divid\w*|share\w*|split\w*|equally|per|quotient)\b",
}
# What a word problem must not contain for each operation (another operation's cue).
_WORD_PROBLEM_FORBIDDEN = {
    "add": r"\b(?:left|remain\w*|fewer|difference|each|equally|share\w*|split\w*|times|per)\b",
    "subtract": r"\b(?:altogether|in total|in all|each|equally|share\w*|split\w*|times|per)\b",
    "multiply": r"\b(?:left|remain\w*|fewer|difference|equal|equally|share\w*|split\w*)\b"
    r"|\bhow many\b[^.?]*\beach\b",
    "divide": r"\b(?:left|remain\w*|fewer|difference|altogether|in total|in all|times)\b",
}
_WORD_PROBLEM_REQUIRED = {
    "add": r"\b(?:altogether|in total|in all|total|sum|combined|add\w*|plus|both)\b",
    "subtract": r"\b(?:left|remain\w*|fewer|difference|how many more|take away|minus|subtract\w*)\b",  # noqa: E501
    "multiply": r"\b(?:each|per|times|multipl\w*|every)\b",
    "divide": r"\b(?:equal|equally|share\w*|split\w*|divid\w*|each|per)\b",
}
# Hint wording: a step's operation must not be named as another's.
_FOREIGN_VERBS = {
    "add": r"\b(?:subtract\w*|minus|take away|multipl\w*|times|divid\w*)\b",
    "subtract": r"\b(?:add|adding|plus|multipl\w*|times|divid\w*)\b",
    "multiply": r"\b(?:add|adding|plus|subtract\w*|minus|take away|divid\w*)\b",
    "divide": r"\b(?:add|adding|plus|subtract\w*|minus|take away|times)\b",
}
_NEGATION = re.compile(
    r"(?:\bnot|n't|\bnever|\binstead of|\brather than|\bwithout|\bthought|\bthink|\bbelieved?"
    r"|\bassumed?|\blooks like you|\bif you)\W+(?:\w+\W+){0,4}$"
)
# A small whole number in words ("one step", "ten thousands place") is a leak only when
# something calls it a result right before it ("the answer is seven", "= seven").
_RESULT_CUE = re.compile(r"(?:\banswer|=|\bequals|\bmakes|\bgives|\bget|\bis|\bare|\bcomes to)\s*$")

# Wrong rules, as a teacher would say them (imperative or general); "you added ..." (a
# diagnosis of what the student did) does not match, and a negation before it is fine.
MISCONCEPTIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("adds denominators", r"\b(?:add|sum|plus)\s+(?:up\s+)?(?:the\s+)?(?:tops\s+and\s+(?:the\s+)?bottoms|numerators\s+and\s+(?:the\s+)?denominators|denominators|bottoms|bottom\s+numbers)\b"),  # noqa: E501
        ("subtracts denominators", r"\b(?:subtract|take away)\s+(?:the\s+)?(?:tops\s+and\s+(?:the\s+)?bottoms|numerators\s+and\s+(?:the\s+)?denominators|denominators|bottoms)\b"),  # noqa: E501
        ("bigger denominator is bigger", r"\b(?:bigger|larger|greater)\s+(?:the\s+)?denominator,?\s+(?:is|means|makes|gives)\s+(?:a\s+|the\s+)?(?:bigger|larger|greater)\b"),  # noqa: E501
        ("longer decimal is larger", r"\bmore\s+(?:decimal\s+)?digits\s+(?:is|means|makes)\s+(?:it\s+)?(?:bigger|larger|greater)\b|\blonger\s+decimal\s+is\s+(?:bigger|larger|greater)\b"),  # noqa: E501
        ("smaller from larger", r"\b(?:take|subtract)\s+(?:the\s+)?smaller\s+(?:digit|number)\s+from\s+(?:the\s+)?(?:larger|bigger)\b"),  # noqa: E501
        ("left to right", r"\b(?:work|go|do|calculate|solve)\s+(?:\w+\s+){0,2}(?:from\s+)?left\s+to\s+right\b"),  # noqa: E501
        ("base times exponent", r"\bmultiply\s+the\s+base\s+by\s+the\s+(?:exponent|power)\b"),
        ("flips first fraction", r"\bflip\s+the\s+first\s+fraction\b"),
        ("same number to top and bottom", r"\badd\s+the\s+same\s+number\s+to\s+(?:the\s+)?(?:top|numerator)\s+and\s+(?:the\s+)?(?:bottom|denominator)\b"),  # noqa: E501
        ("two negatives", r"\b(?:two\s+negatives|a\s+negative\s+times\s+a\s+negative)\s+(?:make|makes|give|gives|is)\s+a\s+negative\b"),  # noqa: E501
        ("ignore brackets", r"\bignore\s+the\s+brackets\b"),
        ("percent as whole", r"\bpercent(?:age)?\s+is\s+(?:just\s+)?a\s+whole\s+number\b"),
    )
)  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    """The verifier's answer: `ok`, or the list of problems found (each names its check)."""

    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def checks(self) -> tuple[str, ...]:
        """The names of the failed checks ("numbers", "leak", ...), in order."""
        return tuple(p.split(":", 1)[0] for p in self.problems)


def numbers_in(text: str) -> list[str]:
    """Every number written in digits in `text`, as written (thousands commas removed, a
    minus sign as "-": "(−8)" is -8, not 8)."""
    return [m.group(0).replace(",", "").replace("\u2212", "-") for m in _NUMBER.finditer(text)]


def _values(texts: tuple[str, ...] | list[str]) -> set[Fraction]:
    out: set[Fraction] = set()
    for text in texts:
        for number in read_numbers(text):
            out.add(number.value)
            if number.bare is not None:
                out.add(number.bare)
    return out


def operation_family(operation: str | None) -> str | None:
    """`subtract_fractions` -> "subtract"; None for operations without one word family."""
    if not operation:
        return None
    for family, stems in (
        ("subtract", ("subtract", "minus")),
        ("add", ("add", "plus", "sum")),
        ("multiply", ("multipl", "times", "product")),
        ("divide", ("divid", "quotient")),
    ):
        if any(stem in operation for stem in stems):
            return family
    return None


def names_other_operations(text: str, operation: str | None) -> bool:
    """True when `text` itself writes or names an operation other than `operation`'s ("14 + 6"
    in a product's column, "multiplication comes before addition and subtraction"): words
    like these cannot be held to one operation, only to their sums."""
    family = operation_family(operation)
    if family is None:
        return False
    s = normalise(text)
    if any(_OPS.get(m.group(1) or "x") not in (None, family) for m in _SYMBOL_BETWEEN.finditer(s)):
        return True
    wrong = re.search(_FOREIGN_VERBS[family], s)
    return wrong is not None and not _negated(s, wrong.start())


def check_words(text: str, plan: MovePlan) -> Verdict:
    """Every check of the module docstring, in one call; see `Verdict`."""
    problems: list[str] = []
    stripped = text.strip()
    limit = MAX_CHARS_BY_TASK.get(plan.task, MAX_CHARS)
    if len(stripped) < MIN_CHARS:
        problems.append(f"length: too short ({len(stripped)} chars)")
    if len(stripped) > limit:
        problems.append(f"length: too long ({len(stripped)} chars, at most {limit})")
        stripped = stripped[: limit * 4]  # still checked, but never unbounded
    s = normalise(stripped)
    if _MARKUP.search(s):
        problems.append("markup: prompt markers in the words")
    if _repeats(s, plan):
        problems.append("length: repeats a sentence")
    numbers = read_numbers(stripped)
    problems += _check_numbers(s, numbers, plan)
    problems += _check_required(s, numbers, plan)
    if not plan.reveals_answer:
        problems += _check_leak(stripped, s, numbers, plan)
    problems += _check_operation(s, plan)
    problems += _check_maths(s, plan)
    problems += _check_misconceptions(s)
    if plan.question and not stripped.endswith("?"):
        problems.append("question: does not end with the plan's question")
    elif _cut_off(stripped, plan):
        problems.append("length: stops mid-sentence (cut off)")
    if plan.facts and plan.question and _only_the_question(s, normalise(plan.question)):
        problems.append("required: says only the question, none of the plan's facts")
    return Verdict(tuple(problems))


_SENTENCE_END = re.compile(r"[.!?…:)\]\"'’”]$")


def _cut_off(text: str, plan: MovePlan) -> bool:
    """Words that stop mid-sentence: a generation cut by its token or time limit ("…so this
    column borrows"). They end like a sentence, or the way the plan's own template ends (a
    solution's last line is "Answer: 46")."""
    if not text or _SENTENCE_END.search(text):
        return False
    ending = plan.template.strip()[-12:]
    return not (ending and text.endswith(ending))


def _only_the_question(s: str, question: str) -> bool:
    """Words that are the plan's question and (next to) nothing else: an acknowledgement or a
    locate move that drops everything but the question it ends with has not worded the plan."""
    rest = s.replace(question, " ") if question and question in s else s
    return len("".join(ch for ch in rest if ch.isalnum())) < MIN_FACT_CHARS


def _sentences(s: str) -> Counter[str]:
    sentences = (" ".join(m.group(0).split()) for m in _SENTENCE.finditer(s))
    return Counter(x for x in sentences if len(x) > 12)


def _repeats(s: str, plan: MovePlan) -> bool:
    """A sentence said more often than the plan says it: a loop. The plan may say one twice
    (two exercises that share "Write the larger fraction.": the example's and the student's)."""
    counts = _sentences(s)
    if not any(c > 1 for c in counts.values()):
        return False
    planned = _sentences(normalise("\n".join((plan.statement, *plan.facts))))
    return any(c > max(1, planned[x]) for x, c in counts.items())


def _check_numbers(s: str, numbers: list[Number], plan: MovePlan) -> list[str]:
    markers = {m.end() - 3 for m in _LIST_MARKER.finditer(s)}  # the digit before "." / ")"
    allowed = _values(plan.numbers)
    stray = []
    for n in numbers:
        if n.kind == "words":
            continue  # "one step at a time": words are read for leaks, not as strays
        if n.start + len(n.text) - 1 in markers and n.kind == "digits":
            continue
        if n.value in allowed or (n.bare is not None and n.bare in allowed):
            continue
        stray.append(n.text)
    if stray:
        return [f"numbers: not in the plan: {', '.join(dict.fromkeys(stray))}"]
    return []


def _casual_word(s: str, n: Number) -> bool:
    """ "one step", "ten thousands": a small number word that no cue calls a result."""
    small = n.kind == "words" and n.value.denominator == 1 and abs(n.value) <= 12
    before = s[max(0, n.start - 30) : n.start]
    return small and not (_RESULT_CUE.search(before) or _ANSWER_CUE.search(before))


def _has(s: str, numbers: list[Number], item: str) -> bool:
    wanted = _values([item])
    if wanted and re.fullmatch(r"[-\d.,/:% ]+", item.strip()):
        return any(
            (n.value in wanted or n.bare in wanted) and not _casual_word(s, n) for n in numbers
        )
    return normalise(item) in s


def _check_required(s: str, numbers: list[Number], plan: MovePlan) -> list[str]:
    problems = []
    missing = [item for item in plan.must_say if item and not _has(s, numbers, item)]
    if missing:
        problems.append(f"required: missing {', '.join(missing)}")
    forbidden = [item for item in plan.must_not_say if item and _has(s, numbers, item)]
    if forbidden:
        problems.append(f"forbidden: says {', '.join(forbidden)}")
    return problems


def _key(plan: MovePlan) -> tuple[set[Fraction], set[Fraction], tuple[int, ...] | None]:
    """The key's values, its bare percentage numbers, and a ratio key's parts."""
    values: set[Fraction] = set()
    bare: set[Fraction] = set()
    ratio = None
    for form in plan.answer_forms:
        core = form.split("=", 1)[1] if "=" in form else form
        match = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", core)
        if match:
            ratio = (int(match.group(1)), int(match.group(2)))
            continue
        for n in read_numbers(core):
            values.add(n.value)
            if n.bare is not None:
                bare.add(n.bare)
    return values, bare, ratio


def _check_leak(text: str, s: str, numbers: list[Number], plan: MovePlan) -> list[str]:
    values, bare, ratio = _key(plan)
    safe = _values(plan.safe_equal_to_key)
    allowed = _values(plan.numbers)
    leaks = []
    given = _spans(s, normalise(plan.statement.strip()))
    # A number written as the exercise writes it is the student's to read ("Now you: 56/64."
    # when 56/64 = 7/8 is the key): given, unless the words call it the result.
    written = {n.text for n in [*read_numbers(plan.statement), *read_pairs(plan.statement)]}
    for n in [*numbers, *read_pairs(text)]:
        if _casual_word(s, n) or any(a <= n.start < b for a, b in given):
            continue  # a casual "one", or a number inside the exercise's own words
        called_answer = _ANSWER_CUE.search(s[max(0, n.start - 30) : n.start]) is not None
        # "1.47 per cent" writes the key 1.47's digits as surely as "1.47" does
        hit = (n.value in values or n.bare in values) and n.kind != "ratio"
        if not hit and bare and n.kind in ("digits", "words") and n.value in bare:
            # "75" for a 75% key, unless the plan uses 75 and nothing calls it the answer
            hit = n.value not in allowed or called_answer
        if ratio and n.kind == "ratio":
            parts = tuple(int(p) for p in re.findall(r"\d+", n.text))
            hit = parts == ratio
        if not hit:
            continue
        if (n.value in safe or n.text in written) and not called_answer:
            continue
        leaks.append(n.text)
    if ratio and re.search(rf"\b{ratio[0]}\s+to\s+{ratio[1]}\b", s):
        leaks.append(f"{ratio[0]} to {ratio[1]}")
    if leaks:
        return [f"leak: gives away the answer ({', '.join(dict.fromkeys(leaks))})"]
    return []


def _spans(s: str, needle: str) -> list[tuple[int, int]]:
    """Where `needle` (the exercise statement) is quoted in `s`: its numbers are given."""
    spans, start = [], 0
    while needle and (at := s.find(needle, start)) >= 0:
        spans.append((at, at + len(needle)))
        start = at + len(needle)
    return spans


def _check_operation(s: str, plan: MovePlan) -> list[str]:
    family = operation_family(plan.operation)
    if family is None:
        return []
    problems = []
    symbols = {_OPS.get(m.group(1) or "x") for m in _SYMBOL_BETWEEN.finditer(s)}
    # The plan's own sums may mix operations ("2 × 7 + 6": a product and its carry); the
    # words may write those symbols, but a sum on the plan's terms keeps the plan's signs.
    planned = _sums(normalise(" ".join((*plan.facts, plan.question or ""))))
    mixed = {_OPS.get(op) for _, ops in planned if len(set(ops)) > 1 for op in ops}
    foreign = sorted(x for x in symbols if x and x != family and x not in mixed)
    by_terms: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for terms, ops in planned:
        by_terms.setdefault(terms, set()).add(ops)
    changed = [
        _written_sum(terms, ops)
        for terms, ops in _sums(s)
        if terms in by_terms and ops not in by_terms[terms]
    ]
    if plan.move in ("hint_operation", "substep", "exercise"):
        if foreign:
            problems.append(f"operation: writes {', '.join(foreign)} for a {family} step")
        if changed:
            problems.append(f"operation: changes the plan's sum ({'; '.join(changed)})")
    if plan.move == "exercise":
        if symbols != {family} and not re.search(_WORD_PROBLEM_REQUIRED[family], s):
            problems.append(f"operation: no word for {family} in the problem")
        wrong = re.search(_WORD_PROBLEM_FORBIDDEN[family], s)
        if wrong:
            problems.append(f"operation: '{wrong.group(0)}' asks for another operation")
    elif plan.move in ("hint_operation", "substep"):
        wrong = re.search(_FOREIGN_VERBS[family], s)
        if wrong and not _negated(s, wrong.start()):
            problems.append(f"operation: '{wrong.group(0)}' names another operation")
    return problems


_SUM = re.compile(rf"(?<![\w./\-]){_TERM}(?:\s*[-+×*÷x]\s*{_TERM})+")


def _sums(s: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Every written sum `a op b op c` as (its terms, its operators), in order."""
    out = []
    for m in _SUM.finditer(_THOUSANDS.sub("", s)):
        parts = _split(m.group(0))
        if parts is not None:
            out.append((tuple(parts[0]), tuple("×" if op in "*x" else op for op in parts[1])))
    return out


def _written_sum(terms: tuple[str, ...], ops: tuple[str, ...]) -> str:
    return " ".join(x for pair in zip(terms, (*ops, ""), strict=True) for x in pair if x)


def _term(text: str) -> Fraction | None:
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    try:
        if " " in text:  # a mixed number: 2 7/8
            whole, part = text.split(None, 1)
            return Fraction(whole) + Fraction(part)
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None


def _split(expression: str) -> tuple[list[str], list[str]] | None:
    """`a op b op c` as its terms and operators; a term may be negative ("(-8)", "8 - -3")."""
    first = _FIRST_TERM.match(expression)
    if first is None:
        return None
    terms, ops, at = [first.group(0)], [], first.end()
    for m in _NEXT_TERM.finditer(expression, at):
        if m.start() != at:
            return None
        ops.append(m.group(1))
        terms.append(m.group(2))
        at = m.end()
    return (terms, ops) if expression[at:].strip() == "" else None


def _evaluate(left: str) -> tuple[Fraction | None, tuple[object, ...]]:
    """Value of `a op b op c` (× ÷ before + −) and its normal form (for "is it the plan's")."""
    parts = _split(left.strip())
    if parts is None:
        return None, ()
    terms = [_term(p) for p in parts[0]]
    ops = parts[1]
    if any(t is None for t in terms):
        return None, ()
    values: list[Fraction] = [terms[0]]  # type: ignore[list-item]
    for op, term in zip(ops, terms[1:], strict=True):
        assert term is not None
        if op in "×*x":
            values[-1] = values[-1] * term
        elif op == "÷":
            if term == 0:
                return None, ()
            values[-1] = values[-1] / term
        else:
            values.append(term if op == "+" else -term)
    form: tuple[object, ...] = (tuple(sorted(str(t) for t in terms)), tuple(sorted(ops)))
    return sum(values, Fraction(0)), form


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # "50,595" is one number in a sum


def _equations(s: str) -> list[tuple[str, Fraction | None, Fraction | None, tuple[object, ...]]]:
    out = []
    for m in _EQUATION.finditer(_THOUSANDS.sub("", s)):
        value, form = _evaluate(m.group(1))
        out.append((m.group(0), value, _evaluate(m.group(2))[0], form))
    return out


_NAMED = (
    (re.compile(r"\b(lowest|least|smallest)\s+common\s+(?:multiple|denominator)\s+of\s+(\d+)\s+and\s+(\d+)\s+(?:is|=)\s+(\d+)"), "lcm"),  # noqa: E501
    (re.compile(r"\b(a|the|one)\s+common\s+denominator\s+of\s+(\d+)\s+and\s+(\d+)\s+(?:is|=)\s+(\d+)"), "common"),  # noqa: E501
    (re.compile(r"\b(greatest|highest|largest)\s+common\s+(?:factor|divisor)\s+of\s+(\d+)\s+and\s+(\d+)\s+(?:is|=)\s+(\d+)"), "gcd"),  # noqa: E501
    (re.compile(r"()(\d+)\s+(plus|minus|times|multiplied by|divided by)\s+(\d+)\s+(?:is|equals|makes|gives)\s+(-?\d+)"), "words"),  # noqa: E501
)  # fmt: skip


def _check_named(s: str) -> list[str]:
    wrong = []
    for pattern, kind in _NAMED:
        for m in pattern.finditer(s):
            if kind == "words":
                a, word, b, c = int(m.group(2)), m.group(3), int(m.group(4)), int(m.group(5))
                value = {
                    "plus": a + b,
                    "minus": a - b,
                    "times": a * b,
                    "multiplied by": a * b,
                    "divided by": Fraction(a, b) if b else None,
                }[word]
                ok = value == c
            else:
                a, b, c = int(m.group(2)), int(m.group(3)), int(m.group(4))
                if kind == "lcm":
                    ok = a > 0 and b > 0 and c == a * b // math.gcd(a, b)
                elif kind == "gcd":
                    ok = c == math.gcd(a, b)
                else:
                    ok = a > 0 and b > 0 and c > 0 and c % a == 0 and c % b == 0
            if not ok:
                wrong.append(m.group(0).strip())
    return wrong


_QUOTES_THE_STUDENT = ("contrast", "locate")
# An equation in the unknown x ("x/4 + 8 = 2", "x = (−3) × 5 = −15"): a run of numbers,
# operators and x with an "=", where x is not the times sign of "3 x 4".
_RUN_CHAR = r"(?:[\dx()/+\-×*÷ \t]|\.(?=\d))"  # a point only inside a decimal
_UNKNOWN_RUN = re.compile(rf"(?<![a-z])[\dx(]{_RUN_CHAR}*(?:={_RUN_CHAR}+)+")
_UNKNOWN_X = re.compile(r"(?<![a-z])x(?![a-z])")
_TIMES_X = re.compile(r"(?<=\d)\s+x\s+(?=\d)")


def _unknown_steps(s: str) -> set[tuple[str, str]]:
    """Every pair of sides an equation in x sets equal ("x/5 = 4 - 7 = -3" gives x/5 = 4-7,
    x/5 = -3 and 4-7 = -3), spaces and the spelling of × ÷ aside."""
    out: set[tuple[str, str]] = set()
    for m in _UNKNOWN_RUN.finditer(s):
        run = _TIMES_X.sub(" × ", m.group(0))
        if not _UNKNOWN_X.search(run):
            continue
        sides = [
            re.sub(r"\s+", "", side).replace("÷", "/").replace("*", "×") for side in run.split("=")
        ]
        sides = [side for side in sides if side]
        out.update((a, b) for i, a in enumerate(sides) for b in sides[i + 1 :])
    return out


def _check_maths(s: str, plan: MovePlan) -> list[str]:
    problems = []
    plan_text = normalise(" ".join((plan.statement, *plan.facts, plan.question or "")))
    planned = _equations(plan_text)
    # A wrong sum a contrast's plan quotes (the student's step beside the right one) is theirs.
    quoted = {
        (form, result)
        for _, value, result, form in planned
        if value != result and plan.move in _QUOTES_THE_STUDENT
    }
    wrong = [
        text
        for text, value, result, form in _equations(s)
        if value is not None and value != result and (form, result) not in quoted
    ]
    wrong += _check_named(s)
    if wrong:
        problems.append(f"maths: wrong result claimed ({'; '.join(wrong)})")
    unknown = _unknown_steps(s) - _unknown_steps(plan_text)
    if unknown:
        shown = "; ".join(f"{a} = {b}" for a, b in sorted(unknown))
        problems.append(f"maths: an equation the plan does not have ({shown})")
    plan_forms = {form for _, _, _, form in planned}
    if plan_forms:
        other = [
            text
            for text, value, result, form in _equations(s)
            if value is not None and value == result and form not in plan_forms
        ]
        if other:
            problems.append(f"maths: a step the plan does not have ({'; '.join(other)})")
    return problems


def _negated(s: str, start: int) -> bool:
    """A negation or a diagnosis ("not", "you thought") earlier in the same sentence."""
    window = s[max(0, start - 60) : start]
    cut = max(window.rfind(mark) for mark in (". ", "! ", "? ", ": ", "; ", "\n"))
    return _NEGATION.search(window[cut + 1 :]) is not None


def _check_misconceptions(s: str) -> list[str]:
    taught = []
    for name, pattern in MISCONCEPTIONS:
        for m in pattern.finditer(s):
            if not _negated(s, m.start()):
                taught.append(name)
                break
    if taught:
        return [f"misconception: teaches {', '.join(taught)}"]
    return []
