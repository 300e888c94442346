"""MathDial (CC BY-SA 4.0): teacher moves after a student's error -> `hint` and `feedback`.

Each dialogue is a GSM8K-style problem, a simulated student's incorrect solution, the
teacher's description of the confusion, and the conversation (`|EOM|`-separated turns;
teacher turns carry a move tag). Every teacher move becomes one example whose context is the
dialogue so far. The mapping of moves to our tasks:
- `(probing)`: asks the student to reason or explain -> `hint`, level 1 (a nudge);
- `(focus)`: points at the part of the problem that matters -> `hint`, level 2 (targeted);
- `(telling)`: tells the student what is wrong or what to do -> `feedback`;
- `(generic)`: greetings and acknowledgements -> skipped (nothing to learn for our tasks).
Moves that state the problem's final answer are skipped (see `leaks`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from adapters.data.jsonfiles import field, iter_jsonl
from adapters.data.leaks import final_number, states_number
from adapters.data.records import Source, SourceExample
from adapters.data.split import problem_key
from prompts import LearnerContext, Turn

SOURCE = Source(
    name="mathdial",
    files=("dialogue/mathdial/mathdial.jsonl",),
    licence="CC BY-SA 4.0",
    commercial_use=True,
)

SKILL = "word problem"
MOVE_TASKS = {"probing": ("hint", 1), "focus": ("hint", 2), "telling": ("feedback", None)}
_TEACHER = re.compile(r"^\s*Teacher\s*:\s*(?:\((\w+)\))?\s*", re.I)
_SPEAKER = re.compile(r"^\s*[\w .'-]{1,40}?\s*:\s*")  # "Student:" or the student's name
_GRADE = re.compile(r"(\d{1,2})(?:st|nd|rd|th) grade", re.I)


def parse_conversation(text: str) -> tuple[tuple[str, str | None, str], ...]:
    """(role, move tag or None, text) per turn; role "tutor" for the teacher, else "student"."""
    turns = []
    for raw in text.split("|EOM|"):
        if not raw.strip():
            continue
        teacher = _TEACHER.match(raw)
        if teacher:
            tag = (teacher.group(1) or "generic").lower()
            turns.append(("tutor", tag, raw[teacher.end() :].strip()))
        else:
            turns.append(("student", None, _SPEAKER.sub("", raw, count=1).strip()))
    return tuple(turns)


def grade_of(profile: str) -> int | None:
    """The grade in a MathDial student profile ("a 7th grade student") or None."""
    found = _GRADE.search(profile)
    return int(found.group(1)) if found else None


def iter_examples(task: str, path: Path, data: bytes) -> Iterator[SourceExample | str]:
    """`hint` or `feedback` examples, one per teacher move; a str says why one was skipped."""
    for number, record in enumerate(iter_jsonl(data, path), start=1):
        question = field(record, "question", path, f"line {number}")
        wrong = field(record, "student_incorrect_solution", path, number)
        confusion = str(record.get("teacher_described_confusion") or "").strip()
        answer = final_number(field(record, "ground_truth", path, number))
        grade = grade_of(str(record.get("student_profile") or ""))
        turns = parse_conversation(field(record, "conversation", path, number))
        for i, (role, tag, text) in enumerate(turns):
            if role != "tutor" or tag not in MOVE_TASKS or MOVE_TASKS[tag][0] != task:
                continue
            if not text:
                yield "mathdial: empty teacher move"
                continue
            if answer is not None and states_number(text, answer):
                yield "mathdial: teacher move states the answer"
                continue
            fields: dict[str, object] = {
                "skill_name": SKILL,
                "statement": question,
                "student_answer": wrong,
                "misconception": confusion or None,
            }
            if task == "hint":
                fields["level"] = MOVE_TASKS[tag][1]
            history = tuple(Turn(r, t) for r, _, t in turns[:i] if t)
            context = LearnerContext(grade_level=grade, recent_turns=history)
            yield SourceExample(task, problem_key(question), fields, context, text, SOURCE.name)
