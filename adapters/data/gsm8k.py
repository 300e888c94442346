"""GSM8K (MIT): word problems with worked solutions -> `explain` and `exercise` examples.

A GSM8K answer is a worked solution whose calculations carry calculator annotations
(`48/2 = <<48/2=24>>24`) and whose last line is `#### 72`. Principle 1 of DESIGN.md (code
owns the numbers) shapes both tasks:
- explain: the fields hold what code would know (the calculations from the annotations,
  the final answer); the target is the worked solution in words, annotations stripped.
- exercise: the spec holds the numbers (those in the question, in order) and the
  calculations; the target is the question's wording.
Problems without any annotation have no code-side steps and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from adapters.data.jsonfiles import field, iter_jsonl
from adapters.data.records import Source, SourceExample
from adapters.data.split import problem_key
from prompts import LearnerContext

SOURCE = Source(
    name="gsm8k",
    files=("problems/gsm8k/train.jsonl",),
    licence="MIT",
    commercial_use=True,
)

_ANNOTATION = re.compile(r"<<([^<>]*)>>")
_FINAL = re.compile(r"^\s*####\s*(.+?)\s*$", re.M)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?")
_OPERATIONS = (("+", "addition"), ("-", "subtraction"), ("*", "multiplication"), ("/", "division"))


def parse_answer(answer: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(explanation lines without annotations, calculations, final answer) of a GSM8K answer.

    A calculation is an annotation with spaces around its operators: `48/2=24` -> `48 / 2 = 24`.
    Raises ValueError when the final `#### answer` line is missing.
    """
    final = _FINAL.search(answer)
    if final is None:
        raise ValueError("no '#### answer' line")
    body = answer[: final.start()]
    calculations = tuple(_spaced(a) for a in _ANNOTATION.findall(body) if a.strip())
    lines = tuple(
        " ".join(_ANNOTATION.sub("", line).split()) for line in body.splitlines() if line.strip()
    )
    return tuple(line for line in lines if line), calculations, final.group(1).replace(",", "")


def _spaced(calculation: str) -> str:
    spaced = re.sub(r"\s*([-+*/=])\s*", r" \1 ", calculation.strip())
    return " ".join(spaced.split())


def question_numbers(question: str) -> tuple[str, ...]:
    """The numbers written in a question, in order, without thousands separators."""
    return tuple(n.replace(",", "") for n in _NUMBER.findall(question))


def skill_of(calculations: tuple[str, ...]) -> str:
    """A skill label from the operations used: "word problem: addition, division"."""
    used = [name for op, name in _OPERATIONS if any(f" {op} " in c for c in calculations)]
    return "word problem: " + (", ".join(used) if used else "arithmetic")


def explain_target(lines: tuple[str, ...], final: str) -> str:
    """The explanation the model learns to write: the worked lines, then the answer."""
    return "\n".join(lines) + f"\nSo the answer is {final}."


def iter_examples(task: str, path: Path, data: bytes) -> Iterator[SourceExample | str]:
    """`explain` or `exercise` examples from GSM8K; a str is the reason one was skipped."""
    context = LearnerContext(style="step-by-step")
    for number, record in enumerate(iter_jsonl(data, path), start=1):
        question = field(record, "question", path, f"line {number}")
        try:
            lines, calculations, final = parse_answer(field(record, "answer", path, number))
        except ValueError:
            yield "gsm8k: no final answer line"
            continue
        if not calculations:
            yield "gsm8k: no calculator annotations"
            continue
        skill = skill_of(calculations)
        if task == "explain":
            fields = {
                "skill_name": skill,
                "statement": question,
                "solution_steps": calculations,
                "answer": final,
            }
            target = explain_target(lines, final)
        else:
            numbers = question_numbers(question)
            spec: dict[str, object] = {"steps": "; ".join(calculations)}
            if numbers:
                spec["numbers"] = ", ".join(numbers)
            fields = {"skill_name": skill, "spec": spec}
            target = question
        yield SourceExample(task, problem_key(question), fields, context, target, SOURCE.name)
