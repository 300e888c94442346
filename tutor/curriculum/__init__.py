"""Curriculum packs, exercise generators and answer checking: the numbers the tutor owns.

Torch-free and store-free. The public API:

- `load_default_pack()`, `load_pack(path)` -> `Pack`; `PackError` names the file and field.
- `Pack.exercise(skill_key, seed)`, `Pack.exercise_by_id(id, seed)`,
  `Pack.similar_exercise(exercise, seed)`.
- `check_answer(exercise, text, *, time_limit_s=1.0)` -> `CheckResult`.
- `parse_answer(text)` -> sympy object; raises `AnswerFormatError` (never evaluates code).
- `reveals_answer(text, exercise)`, `answer_mentions(text)`: the hint leak guard.
- `spec_numbers(spec)`, `wording_matches_spec(text, spec)`: model wordings keep the numbers.
- `diagnose(exercise, answer)` -> `Diagnosis | None`: the first solution step a wrong answer
  departs at, in the student's numbers; `similar_for_slip(pack, exercise, misconception_id,
  rng)`: a worked example of the same operation on which that slip shows.
"""

from tutor.curriculum.answers import AnswerFormatError, parse_answer, read_answer
from tutor.curriculum.checker import CheckResult, check_answer
from tutor.curriculum.diagnosis import Diagnosis, diagnose
from tutor.curriculum.examples import similar_for_slip
from tutor.curriculum.loader import load_default_pack, load_pack
from tutor.curriculum.mentions import (
    Mention,
    answer_mentions,
    reveals_answer,
    spec_numbers,
    wording_matches_spec,
)
from tutor.curriculum.model import (
    AnswerKey,
    Exercise,
    FixedItem,
    GeneratorSource,
    MisconceptionRule,
    Skill,
    SolutionStep,
    StepSlip,
)
from tutor.curriculum.pack import Pack, PackError

__all__ = [
    "AnswerFormatError",
    "AnswerKey",
    "CheckResult",
    "Diagnosis",
    "Exercise",
    "FixedItem",
    "GeneratorSource",
    "Mention",
    "MisconceptionRule",
    "Pack",
    "PackError",
    "Skill",
    "SolutionStep",
    "StepSlip",
    "answer_mentions",
    "check_answer",
    "diagnose",
    "load_default_pack",
    "load_pack",
    "parse_answer",
    "read_answer",
    "reveals_answer",
    "similar_for_slip",
    "spec_numbers",
    "wording_matches_spec",
]
