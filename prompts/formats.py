"""The registry of task formats: name, version, fields, adapter and decoding, in one place.

A format's `version` goes into every adapter's manifest; the loader refuses an adapter trained
on another version. Bump it whenever the prompt text a format produces changes (labels,
instruction, field order, markers), so stale adapters are caught instead of silently
drifting. Decoding is set here and only here: the tutor and the generator read it from the
request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from prompts.fields import FIELDS
from prompts.markers import STOP_STRINGS
from prompts.request import Decoding


@dataclass(frozen=True)
class TaskFormat:
    """One task's prompt format. `adapter` defaults to the task name."""

    name: str
    version: int
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    adapter: str = ""
    decoding: Decoding = field(default_factory=Decoding)
    instruction: str = ""  # one line, written into the prompt's task section

    def __post_init__(self) -> None:
        if not self.adapter:
            object.__setattr__(self, "adapter", self.name)
        if self.version < 1:
            raise ValueError(f"format {self.name!r}: version must be >= 1")
        names = self.required + self.optional
        if len(set(names)) != len(names):
            raise ValueError(f"format {self.name!r}: a field is listed twice")
        unknown = [n for n in names if n not in FIELDS]
        if unknown:
            raise ValueError(f"format {self.name!r}: no field kind for {unknown}")

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field name, required first, in prompt order."""
        return self.required + self.optional


def _greedy(max_new_tokens: int, time_limit_s: float) -> Decoding:
    # No repetition penalty: it counts the prompt's tokens too, so it pushes the model away
    # from the plan's own facts and numbers, which wording a plan must copy (on held-out
    # plans a 1.2 penalty made the adapters ramble past the end marker). Loops are the
    # verifier's to refuse ("repeats a sentence").
    return Decoding(
        max_new_tokens=max_new_tokens,
        do_sample=False,
        repetition_penalty=1.0,
        stop=STOP_STRINGS,
        time_limit_s=time_limit_s,
    )


_FORMATS = (
    TaskFormat(
        name="explain",
        version=3,
        required=("skill_name", "statement", "solution_steps", "answer"),
        optional=("focus",),
        decoding=_greedy(160, 20.0),
        instruction="Word the plan's explanation for the student, in the student's style, "
        "using only its facts and numbers.",
    ),
    TaskFormat(
        name="hint",
        version=3,
        required=("skill_name", "statement", "level"),
        optional=("student_answer", "misconception", "similar_example"),
        decoding=_greedy(72, 10.0),
        instruction="Word the plan's hint for the student: only its facts and numbers, never "
        "the answer, and end with its question.",
    ),
    TaskFormat(
        name="feedback",
        version=3,
        required=("skill_name", "statement", "student_answer"),
        optional=("misconception",),
        decoding=_greedy(80, 12.0),
        instruction="Word the plan's feedback on the student's answer: only its facts and "
        "numbers, kind and brief.",
    ),
    TaskFormat(
        name="exercise",
        version=3,
        required=("skill_name", "spec"),
        # Sampling: the same spec should not always read the same; the numbers are fixed.
        decoding=Decoding(
            max_new_tokens=96,
            do_sample=True,
            temperature=0.8,
            top_p=0.9,
            repetition_penalty=1.1,
            stop=STOP_STRINGS,
            time_limit_s=12.0,
        ),
        instruction="Write the plan's exercise as a short word problem on the student's "
        "interests, with exactly its numbers and its operation.",
    ),
    TaskFormat(
        name="answer",
        version=3,
        required=("question",),
        optional=("skill_name", "statement"),
        decoding=_greedy(96, 12.0),
        instruction="Word the plan's reply to the student in one or two friendly sentences, "
        "then return to the exercise.",
    ),
    TaskFormat(
        name="summary",
        version=1,
        required=(
            "student_name",
            "skills_practised",
            "accuracy",
            "misconceptions",
            "hints_used",
            "minutes",
        ),
        decoding=_greedy(120, 15.0),
        instruction="Write a short summary of the session for the teacher.",
    ),
)

FORMATS: Mapping[str, TaskFormat] = MappingProxyType({f.name: f for f in _FORMATS})
FORMAT_VERSIONS: Mapping[str, int] = MappingProxyType({f.name: f.version for f in _FORMATS})
TASKS: tuple[str, ...] = tuple(FORMATS)

# Which task (and so which adapter) words each kind of teaching move.
MOVE_TASKS: Mapping[str, str] = MappingProxyType(
    {
        "locate": "feedback",
        "contrast": "feedback",
        "encourage": "feedback",
        "acknowledge": "feedback",
        "substep": "hint",
        "hint_authored": "hint",
        "hint_focus": "hint",
        "hint_operation": "hint",
        "worked_example": "hint",
        "solution": "explain",
        "concept": "explain",
        "redirect": "answer",
        "exercise": "exercise",
    }
)


def get_format(task: str) -> TaskFormat:
    """The format of `task`; an unknown task is a KeyError that lists the known ones."""
    try:
        return FORMATS[task]
    except KeyError:
        raise KeyError(f"unknown task {task!r}; known tasks: {', '.join(TASKS)}") from None
