"""Turn GSM8K-format word problems into a pack of fixed items.

A GSM8K line is `{"question": ..., "answer": ...}` where the answer is a worked solution
whose sums carry calculator annotations (`<<48/2=24>>`) and whose last line is `#### 72`.
An item is kept only when every annotation's sum, read by our own parser, equals its
stated result (a result rounded to the places it shows counts as equal), and the final
answer parses and equals the last annotation's result. Each kept item gets solution steps
from the lines and annotations, and skill tags from the operations it uses.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from tutor.curriculum.answers import AnswerFormatError, read_answer
from tutor.curriculum.generators.base import dec, frac

ANNOTATION = re.compile(r"<<([^<>]*?)=([^<>=]*)>>")
FINAL = re.compile(r"^####\s*(.+?)\s*$", re.MULTILINE)
FRACTION_WORDS = re.compile(r"\b(half|halves|third|thirds|quarter|quarters|fifths?|\d+/\d+)\b")
PERCENT_WORDS = re.compile(r"%|\bpercent\b|\bper cent\b")


@dataclass
class ImportResult:
    """Kept items (as pack YAML mappings) and how many lines were dropped, by reason."""

    items: list[dict[str, Any]] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    lines: int = 0

    @property
    def kept(self) -> int:
        return len(self.items)


def import_gsm8k(lines: Iterable[str], *, prefix: str = "gsm8k") -> ImportResult:
    """Read JSONL lines; keep the consistent problems as items with ids `<prefix>-<line>`."""
    result = ImportResult()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        result.lines += 1
        item, reason = _item(line, f"{prefix}-{number}")
        if item is None:
            result.dropped[reason] += 1
        else:
            result.items.append(item)
    return result


def pack_document(result: ImportResult, *, name: str = "gsm8k", version: str = "1") -> dict:
    """The pack YAML document: items only, tagged with the shipped pack's skills."""
    return {
        "name": name,
        "version": version,
        "base": "default",
        "skills": [],
        "items": result.items,
    }


def write_pack(result: ImportResult, path: Path, *, name: str = "gsm8k") -> None:
    text = yaml.safe_dump(
        pack_document(result, name=name), sort_keys=False, allow_unicode=True, width=100
    )
    path.write_text(text, encoding="utf-8")


def _item(line: str, item_id: str) -> tuple[dict[str, Any] | None, str]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None, "not valid JSON"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    question, answer = record.get("question"), record.get("answer")
    if not isinstance(question, str) or not isinstance(answer, str) or not question.strip():
        return None, "missing question or answer"
    final_match = FINAL.search(answer)
    if final_match is None:
        return None, "no '#### N' final line"
    final = _number(final_match.group(1))
    if final is None:
        return None, "final answer is not a number"
    body = answer[: final_match.start()].strip()
    annotations = ANNOTATION.findall(body)
    if not annotations:
        return None, "no <<calculation>> annotations"
    results = []
    for expression, stated in annotations:
        value, shown = _number(expression), _number(stated)
        if value is None or shown is None:
            return None, "annotation we cannot read"
        if not _consistent(value, shown, stated):
            return None, "annotation result differs from its sum"
        results.append(shown)
    if results[-1] != final:
        return None, "final answer differs from the last annotation"
    operations = "".join(expression for expression, _ in annotations)
    return {
        "id": item_id,
        "statement": question.strip(),
        "answers": [_display(final)],
        "solution": _steps(body),
        "skills": _skills(question, operations, results),
    }, ""


def _number(text: str) -> Fraction | None:
    """An exact number from annotation or answer text (our parser; `$`, commas, units ok)."""
    try:
        parsed = read_answer(text.strip())
    except AnswerFormatError:
        return None
    return parsed.value if parsed.kind == "number" and parsed.variable is None else None


def _consistent(value: Fraction, shown: Fraction, stated: str) -> bool:
    """Equal, or equal once the exact value is rounded to the decimal places `stated` shows."""
    if value == shown:
        return True
    places = len(stated.strip().split(".")[1]) if "." in stated else None
    if places is None:
        return False
    return abs(value - shown) <= Fraction(1, 2 * 10**places)


def _display(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    try:
        return dec(value)
    except ValueError:
        return frac(value)


def _steps(body: str) -> list[dict[str, str]]:
    steps = []
    for line in body.splitlines():
        if not line.strip():
            continue
        found = ANNOTATION.findall(line)
        step: dict[str, str] = {"text": ANNOTATION.sub("", line).strip()}
        if found:
            step["expression"], step["result"] = found[-1][0].strip(), found[-1][1].strip()
        steps.append(step)
    return steps


def _skills(question: str, operations: str, results: list[Fraction]) -> list[str]:
    """Skill keys of the shipped pack, most specific first, from what the problem does."""
    text = question.lower()
    tags: list[str] = []
    decimal = re.search(r"\.\d", operations) is not None
    if PERCENT_WORDS.search(text) or "%" in operations:
        tags.append("percent.of_quantity")
    if FRACTION_WORDS.search(text):
        tags.append("fractions.of_quantity")
    ops = [op for op in "+-*/" if op in operations.replace("**", "^")]
    by_op = {
        "+": "decimals.add_sub" if decimal else "whole.add",
        "-": "decimals.add_sub" if decimal else "whole.subtract",
        "*": "decimals.multiply" if decimal else "whole.multiply",
        "/": "decimals.divide" if decimal else "whole.divide",
    }
    tags += [by_op[op] for op in ops]
    if any(r < 0 for r in results):
        tags.append("integers.add_sub")
    if not tags:
        tags.append("whole.add")
    return list(dict.fromkeys(tags))
