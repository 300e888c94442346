"""Knowledge-tracing response logs: the two file layouts, one in-memory form, splits by student.

Layouts (the files are the user's own, passed on the command line; none ships here):
- `dkt`: three lines per student, as released with Deep Knowledge Tracing: the number of
  responses; the skill ids; the 0/1 correctness, comma-separated, in order.
- `long`: one row per response with a header (ASSISTments' own export): `user_id`,
  `skill_name`, `correct`, `order_id` (the order responses were given in), other columns ignored.
Whatever the source, a student's responses keep their order, which is all BKT needs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

Layout = Literal["dkt", "long"]
LONG_COLUMNS = ("user_id", "skill_name", "correct", "order_id")


@dataclass(frozen=True)
class Responses:
    """Responses in order within each student: parallel arrays of equal length."""

    student: np.ndarray  # (n,) str
    skill: np.ndarray  # (n,) str
    correct: np.ndarray  # (n,) bool

    def __post_init__(self) -> None:
        if not len(self.student) == len(self.skill) == len(self.correct):
            raise ValueError("student, skill and correct must have the same length")

    def __len__(self) -> int:
        return len(self.correct)

    @property
    def students(self) -> np.ndarray:
        """Distinct students, in first-seen order."""
        _, first = np.unique(self.student, return_index=True)
        return self.student[np.sort(first)]

    def select_students(self, students: Iterable[str]) -> Responses:
        """Only these students' responses, order kept."""
        keep = np.isin(self.student, np.asarray(list(students), dtype=str))
        return Responses(self.student[keep], self.skill[keep], self.correct[keep])


def responses_from_rows(rows: Iterable[tuple[object, object, object]]) -> Responses:
    """Build from (student, skill, correct) triples already in order (e.g. from the store)."""
    students: list[str] = []
    skills: list[str] = []
    correct: list[bool] = []
    for student, skill, ok in rows:
        students.append(str(student))
        skills.append(str(skill))
        correct.append(bool(ok))
    return Responses(
        np.array(students, dtype=str), np.array(skills, dtype=str), np.array(correct, dtype=bool)
    )


def sequences_by_skill(responses: Responses) -> dict[str, list[np.ndarray]]:
    """Per skill, each student's ordered 0/1 responses on it: the input of `fit_bkt`."""
    if len(responses) == 0:
        return {}
    # A stable sort by (skill, student) keeps each student's own order within a pair.
    order = np.lexsort((responses.student, responses.skill))
    skill = responses.skill[order]
    student = responses.student[order]
    correct = responses.correct[order].astype(np.int8)
    cut = np.flatnonzero((skill[1:] != skill[:-1]) | (student[1:] != student[:-1])) + 1
    bounds = np.concatenate(([0], cut, [len(order)]))
    out: dict[str, list[np.ndarray]] = {}
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        out.setdefault(str(skill[a]), []).append(correct[a:b])
    return out


def read_responses(path: Path | str, layout: Layout | None = None) -> Responses:
    """Read either layout; without `layout`, a first line that is a bare count means `dkt`."""
    path = Path(path)
    if layout is None:
        layout = detect_layout(path)
    if layout == "dkt":
        return read_dkt(path)
    if layout == "long":
        return read_long(path)
    raise ValueError(f"unknown layout {layout!r}: use 'dkt' or 'long'")


def detect_layout(path: Path) -> Layout:
    with path.open(encoding="utf-8") as handle:
        first = handle.readline().strip().rstrip(",")
    return "dkt" if first.isdigit() else "long"


def _ints(text: str, path: Path, line_no: int, what: str) -> list[int]:
    items = [x.strip() for x in text.strip().rstrip(",").split(",") if x.strip() != ""]
    try:
        return [int(x) for x in items]
    except ValueError as exc:
        raise ValueError(f"{path}:{line_no}: {what} must be integers ({exc})") from None


def _dkt_blocks(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Non-blank lines in groups of three, with the first line's number."""
    block: list[str] = []
    start = 0
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if not block:
                start = line_no
            block.append(line)
            if len(block) == 3:
                yield start, block
                block = []
    if block:
        raise ValueError(f"{path}:{start}: incomplete student block (needs 3 lines)")


def read_dkt(path: Path | str) -> Responses:
    """The DKT 3-line layout; students are named by block number (`s0`, `s1`, ...)."""
    path = Path(path)
    students: list[np.ndarray] = []
    skills: list[np.ndarray] = []
    correct: list[np.ndarray] = []
    for index, (line_no, (count_line, skill_line, correct_line)) in enumerate(_dkt_blocks(path)):
        count = _ints(count_line, path, line_no, "the response count")
        sk = _ints(skill_line, path, line_no + 1, "skill ids")
        ok = _ints(correct_line, path, line_no + 2, "correctness values")
        if len(count) != 1 or count[0] != len(sk) or len(sk) != len(ok):
            raise ValueError(
                f"{path}:{line_no}: count {count} does not match {len(sk)} skills "
                f"and {len(ok)} answers"
            )
        if any(v not in (0, 1) for v in ok):
            raise ValueError(f"{path}:{line_no + 2}: correctness must be 0 or 1")
        students.append(np.full(len(sk), f"s{index}"))
        skills.append(np.array(sk).astype(str))
        correct.append(np.array(ok, dtype=bool))
    if not students:
        raise ValueError(f"{path}: no student blocks")
    return Responses(np.concatenate(students), np.concatenate(skills), np.concatenate(correct))


def read_long(path: Path | str) -> Responses:
    """One response per row; rows without a skill are dropped (they cannot be traced)."""
    path = Path(path)
    students: list[str] = []
    skills: list[str] = []
    correct: list[bool] = []
    orders: list[float] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in LONG_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        for row in reader:
            if not row["skill_name"]:
                continue
            value = row["correct"].strip()
            if value not in ("0", "1", "0.0", "1.0"):
                raise ValueError(f"{path}:{reader.line_num}: correct must be 0 or 1, got {value!r}")
            try:
                orders.append(float(row["order_id"]))
            except ValueError:
                raise ValueError(
                    f"{path}:{reader.line_num}: order_id must be a number, got {row['order_id']!r}"
                ) from None
            students.append(row["user_id"])
            skills.append(row["skill_name"])
            correct.append(value.startswith("1"))
    if not students:
        raise ValueError(f"{path}: no responses with a skill")
    student = np.array(students, dtype=str)
    order = np.lexsort((np.array(orders), student))
    return Responses(student[order], np.array(skills, dtype=str)[order], np.array(correct)[order])


def student_folds(responses: Responses, *, k: int, seed: int = 0) -> list[np.ndarray]:
    """The distinct students shuffled with `seed` and dealt into `k` folds of near-equal size."""
    students = responses.students
    if not 2 <= k <= len(students):
        raise ValueError(f"folds must be between 2 and the number of students ({len(students)})")
    shuffled = np.random.default_rng(seed).permutation(students)
    return [shuffled[i::k] for i in range(k)]


def split_by_student(
    responses: Responses, *, test_fraction: float = 0.2, seed: int = 0
) -> tuple[Responses, Responses]:
    """(train, test) with every student wholly on one side."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("test_fraction must be between 0 and 1")
    shuffled = np.random.default_rng(seed).permutation(responses.students)
    n_test = max(1, round(len(shuffled) * test_fraction))
    test = shuffled[:n_test]
    return responses.select_students(shuffled[n_test:]), responses.select_students(test)
