"""CIMA (CC BY 2.5): Italian phrase tutoring -> a small, marked set of `hint` examples.

Not maths: it teaches the hint *move* (ask, point at the rule) rather than content, so it is
marked in the skill name and kept small: one example per tutoring context, from the first
tutor response labelled question or hint. Each context's `tutorActions` flags are, in order,
[question, hint, correction, confirmation, other] (checked on the data: "Perfect!" is a
confirmation, "What is the word for yellow?" a question). A question becomes a level-1 hint,
a hint a level-2 hint. Responses that contain the whole target phrase are skipped (they give
the answer). The split key is the exercise (preposition, object, colour), so every
context of one exercise lands on the same side.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from adapters.data.jsonfiles import load_json
from adapters.data.leaks import states_phrase
from adapters.data.records import Source, SourceExample
from prompts import LearnerContext, Turn

SOURCE = Source(
    name="cima",
    files=("dialogue/cima/dataset.json",),
    licence="CC BY 2.5",
    commercial_use=True,
)

SKILL = "Italian phrases (language practice, not maths)"
QUESTION, HINT = 0, 1


def _text(context: dict[str, object], name: str) -> str:
    value = context.get(name)
    return value.strip().strip('"').strip() if isinstance(value, str) else ""


def _first_hint(context: dict[str, object]) -> tuple[str, int] | None:
    """(response, level) of the first response labelled hint (2) or question (1), if any."""
    responses = context.get("tutorResponses") or []
    actions = context.get("tutorActions") or []
    for response, flags in zip(responses, actions, strict=False):  # type: ignore[call-overload]
        if not isinstance(response, str) or not response.strip() or len(flags) < 2:
            continue
        if flags[HINT]:
            return response.strip(), 2
        if flags[QUESTION]:
            return response.strip(), 1
    return None


def iter_examples(task: str, path: Path, data: bytes) -> Iterator[SourceExample | str]:
    """`hint` examples (CIMA has no other task); a str says why a context was skipped."""
    document = load_json(data, path)
    contexts = document.get("prepDataset") if isinstance(document, dict) else None
    if not isinstance(contexts, dict):
        raise ValueError(f"{path}: expected an object with a 'prepDataset' object")
    if task != "hint":
        return
    for key in sorted(contexts, key=lambda k: (len(k), k)):  # "2" before "10": file order
        context = contexts[key]
        english = " ".join(_text(context, n) for n in ("engPrep", "engColor", "engObj"))
        italian = " ".join(_text(context, n) for n in ("prep", "obj", "color"))
        chosen = _first_hint(context)
        if chosen is None:
            yield "cima: no response labelled question or hint"
            continue
        response, level = chosen
        if states_phrase(response, italian):
            yield "cima: response states the whole answer"
            continue
        convo = [t for t in context.get("past_convo") or [] if isinstance(t, str) and t.strip()]
        # Turns alternate tutor, student, tutor, ... starting with the tutor's prompt.
        turns = tuple(Turn("tutor" if i % 2 == 0 else "student", t) for i, t in enumerate(convo))
        last_student = convo[-1] if len(convo) % 2 == 0 and convo else None
        fields = {
            "skill_name": SKILL,
            "statement": f'Say in Italian: "{english}"',
            "level": level,
            "student_answer": last_student,
        }
        history = turns[:-1] if last_student else turns
        split_key = "cima:" + italian.casefold()
        yield SourceExample(
            task, split_key, fields, LearnerContext(recent_turns=history), response, SOURCE.name
        )
