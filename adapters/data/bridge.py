"""Bridge (CC BY-NC 4.0, non-commercial): expert revisions of tutor replies to a mistake.

Only read with `include_noncommercial=True`: for comparison runs, never the default data of
an adapter we ship. Each record is a lesson conversation (`c_h`) ending in a student's
mistake, an error type (`e`), a strategy (`z_what`) and an expert teacher's revised reply
(`c_r_`). The statement is the tutor's last question before the mistake; the student's last
turn is the student answer; the expert's tutor turns, joined, are the target. Strategies map
to our tasks by `STRATEGY_TASKS`: asking or simplifying a question -> hint level 1, a hint or
a strategy -> hint level 2, a similar problem or an example -> hint level 3, explaining the
concept or correcting -> feedback; anything else (encouragement, ending a session) is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

from adapters.data.jsonfiles import load_json
from adapters.data.records import Source, SourceExample
from prompts import LearnerContext, Turn

SOURCE = Source(
    name="bridge",
    files=("dialogue/bridge/train.json", "dialogue/bridge/validation.json"),
    licence="CC BY-NC 4.0",
    commercial_use=False,
)

STRATEGY_TASKS = MappingProxyType(
    {
        "ask_question": ("hint", 1),
        "simplify_question": ("hint", 1),
        "provide_hint": ("hint", 2),
        "provide_strategy": ("hint", 2),
        "provide_similar_problem": ("hint", 3),
        "provide_example": ("hint", 3),
        "explain_concept": ("feedback", None),
        "provide_correction": ("feedback", None),
    }
)
ERRORS = MappingProxyType(
    {
        "guess": "the student guessed",
        "careless": "a careless slip",
        "misinterpret": "the student misread the question",
        "right-idea": "the right idea, carried out wrongly",
        "imprecise": "an imprecise answer",
        "diagnose": "an error whose cause is not yet clear",
    }
)


def _turns(items: object) -> list[tuple[str, str]]:
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("text"), str) and item["text"].strip():
            role = "student" if item.get("user") == "student" else "tutor"
            out.append((role, item["text"].strip()))
    return out


def _topic(lesson: str) -> str:
    """ "3.6D.Decomposing Figures" -> "Decomposing Figures"."""
    return re.sub(r"^[\d.]+[A-Z]?\.\s*", "", lesson).strip() or lesson


def _example(task: str, record: dict[str, object]) -> SourceExample | str:
    strategy = STRATEGY_TASKS.get(str(record.get("z_what")))
    error = ERRORS.get(str(record.get("e")))
    if strategy is None or strategy[0] != task:
        return "bridge: strategy is not a " + task
    if error is None:
        return "bridge: no student error"
    history = _turns(record.get("c_h"))
    expert = [text for role, text in _turns(record.get("c_r_")) if role == "tutor"]
    if not history or history[-1][0] != "student" or not expert:
        return "bridge: conversation does not end in a student turn, or no revision"
    asked = [text for role, text in history[:-1] if role == "tutor"]
    if not asked:
        return "bridge: no tutor question before the mistake"
    fields: dict[str, object] = {
        "skill_name": _topic(str(record.get("lesson_topic") or "maths")),
        "statement": asked[-1],
        "student_answer": history[-1][1],
        "misconception": error,
    }
    if task == "hint":
        fields["level"] = strategy[1]
    context = LearnerContext(recent_turns=tuple(Turn(r, t) for r, t in history[:-1]))
    split_key = "bridge:" + str(record.get("c_id", "")).split("_")[0]
    return SourceExample(task, split_key, fields, context, " ".join(expert), SOURCE.name)


def iter_examples(task: str, path: Path, data: bytes) -> Iterator[SourceExample | str]:
    """`hint` or `feedback` examples; a str says why a record was skipped."""
    records = load_json(data, path)
    if not isinstance(records, list):
        raise ValueError(f"{path}: expected a JSON list of conversations")
    for record in records:
        if isinstance(record, dict):
            yield _example(task, record)
