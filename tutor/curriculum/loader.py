"""Read a pack's YAML into a validated `Pack`.

The schema, field by field (a field path like `skills[3].bkt.p_slip` names each in errors):

    name: maths                # required
    version: "1"               # required (a string or number)
    base: default              # optional: item tags may name the shipped pack's skills
    skills:                    # a list (may be empty when the pack only has items)
      - key: fractions.add_like
        name: Adding fractions with like denominators
        description: ...
        prerequisites: [fractions.equivalent]     # keys of this pack; no cycles
        grade_band: [3, 5]                        # school grades, low <= high, 0..13
        bkt: {p_init: 0.2, p_learn: 0.15, p_guess: 0.2, p_slip: 0.1}
        sources:
          - generator: fractions.add_like         # a registered generator family
          - item: {<item fields>}                 # an authored item, tagged with this skill
    items:                     # optional top-level items, each with `skills: [...]`
      - id: pizza-1
        statement: ...
        answers: ["3/4", "0.75"]      # the first is the key; all must be equivalent
        kind: number                  # number | percent | ratio (default number)
        simplest: false               # the answer must be in lowest terms
        solution: ["step text", {text: ..., expression: ..., result: ...,
                   operation: add, operands: ["1", "2"], place: ..., question: ...}]
        hints: ["..."]
        misconceptions: [{id: add_denominators, answers: ["2/8"],
                          step: 1, student_step: "4 + 4 = 8 as the denominator"}]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from tutor.curriculum.answers import AnswerFormatError, read_answer
from tutor.curriculum.checker import check_answer
from tutor.curriculum.generators import GENERATORS
from tutor.curriculum.generators.base import exact, frac
from tutor.curriculum.generators.written import slip
from tutor.curriculum.misconceptions import CATALOGUE
from tutor.curriculum.model import (
    AnswerKey,
    AnswerStyle,
    Exercise,
    FixedItem,
    GeneratorSource,
    MisconceptionRule,
    Skill,
    SolutionStep,
    Source,
    StepSlip,
)
from tutor.curriculum.pack import Pack, PackError
from tutor.learner.params import BktParams

DEFAULT_PACK = Path(__file__).resolve().parent / "packs" / "math.yaml"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
GRADES = (0, 13)  # kindergarten .. 12th grade and a year beyond

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_default_pack() -> Pack:
    """The shipped mathematics pack. Load it once at the edge and pass it down."""
    return load_pack(DEFAULT_PACK)


def load_pack(path: str | Path) -> Pack:
    """Load and validate a pack file; raises `PackError` naming the file and the field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PackError(path, "", f"cannot read the file ({error.strerror or error})") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise PackError(path, "", f"not valid YAML: {error}") from None
    return _Reader(path).pack(data)


def render(value: Any, key: AnswerKey) -> str:
    """A key-domain value written as a student would type it (25% for 1/4 in a percent key)."""
    if key.kind == "ratio":
        return ":".join(str(p) for p in value)
    if key.kind == "percent":
        percent = value * 100
        return f"{percent}%" if percent.is_integer else f"({percent})%"
    return str(value)


class _Reader:
    """Walks the YAML with the current field path at hand for error messages."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> PackError:
        return PackError(self.path, where, problem)

    def need(self, data: Mapping[str, Any], key: str, where: str, kind: type | tuple) -> Any:
        if key not in data:
            raise self.fail(f"{where}.{key}" if where else key, "missing (required)")
        return self.typed(data[key], f"{where}.{key}" if where else key, kind)

    def typed(self, value: Any, where: str, kind: type | tuple) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise self.fail(where, f"must be {names}, got {type(value).__name__} {value!r}")
        return value

    # the pack ------------------------------------------------------------------------------
    def pack(self, data: Any) -> Pack:
        data = self.typed(data, "(top level)", dict)
        name = str(self.need(data, "name", "", (str, int, float)))
        version = str(self.need(data, "version", "", (str, int, float)))
        base = data.get("base")
        if base not in (None, "default"):
            raise self.fail("base", f"must be 'default' or absent, got {base!r}")
        raw_skills = self.typed(data.get("skills", []), "skills", list)
        skills = [self.skill(s, f"skills[{i}]") for i, s in enumerate(raw_skills)]
        keys = [s.key for s in skills]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                raise self.fail(f"skills[{i}].key", f"duplicate skill key {key!r}")
        known = set(keys)
        for i, s in enumerate(skills):
            for j, pre in enumerate(s.prerequisites):
                if pre not in known:
                    raise self.fail(f"skills[{i}].prerequisites[{j}]", f"unknown skill {pre!r}")
                if pre == s.key:
                    raise self.fail(f"skills[{i}].prerequisites[{j}]", "a skill cannot need itself")
        ordered = self.topological(skills)
        if base == "default":
            known |= set(load_default_pack().skills)
        top_items = [
            self.item(x, f"items[{i}]", None)
            for i, x in enumerate(self.typed(data.get("items", []), "items", list))
        ]
        for i, item in enumerate(top_items):
            for j, tag in enumerate(item.skills):
                if tag not in known:
                    raise self.fail(f"items[{i}].skills[{j}]", f"unknown skill {tag!r}")
        all_items = [s for sk in ordered for s in sk.sources if isinstance(s, FixedItem)]
        all_items += top_items
        by_id: dict[str, FixedItem] = {}
        for item in all_items:
            if item.id in by_id:
                raise self.fail("items", f"duplicate item id {item.id!r}")
            by_id[item.id] = item
        if not ordered and not top_items:
            raise self.fail("skills", "the pack has neither skills nor items")
        return Pack(
            name=name,
            version=version,
            skills=MappingProxyType({s.key: s for s in ordered}),
            items=tuple(all_items),
            base=base,
            path=self.path,
            _by_item=MappingProxyType(by_id),
        )

    def topological(self, skills: list[Skill]) -> list[Skill]:
        """Prerequisites first, otherwise in file order; a cycle is an error naming it."""
        by_key = {s.key: s for s in skills}
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        out: list[Skill] = []

        def visit(key: str, path: list[str]) -> None:
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                cycle = path[path.index(key) :] + [key]
                index = next(i for i, s in enumerate(skills) if s.key == key)
                raise self.fail(f"skills[{index}].prerequisites", "cycle: " + " -> ".join(cycle))
            state[key] = 1
            for pre in by_key[key].prerequisites:
                visit(pre, [*path, key])
            state[key] = 2
            out.append(by_key[key])

        for s in skills:
            visit(s.key, [])
        return out

    # a skill -------------------------------------------------------------------------------
    def skill(self, data: Any, where: str) -> Skill:
        data = self.typed(data, where, dict)
        key = self.need(data, "key", where, str)
        if not KEY_PATTERN.match(key):
            raise self.fail(f"{where}.key", f"{key!r}: use lower-case letters, digits, . _ -")
        where = f"{where} ({key})"
        name = self.need(data, "name", where, str)
        description = self.need(data, "description", where, str)
        prerequisites = tuple(
            self.typed(p, f"{where}.prerequisites[{i}]", str)
            for i, p in enumerate(
                self.typed(data.get("prerequisites", []), f"{where}.prerequisites", list)
            )
        )
        band = self.need(data, "grade_band", where, list)
        if len(band) != 2:
            raise self.fail(f"{where}.grade_band", "must be [low, high]")
        low, high = (self.typed(b, f"{where}.grade_band", int) for b in band)
        if not GRADES[0] <= low <= high <= GRADES[1]:
            raise self.fail(
                f"{where}.grade_band", f"must satisfy {GRADES[0]} <= low <= high <= {GRADES[1]}"
            )
        bkt = self.bkt(self.need(data, "bkt", where, dict), f"{where}.bkt")
        raw_sources = self.need(data, "sources", where, list)
        if not raw_sources:
            raise self.fail(f"{where}.sources", "a skill needs at least one exercise source")
        sources = tuple(
            self.source(s, f"{where}.sources[{i}]", key) for i, s in enumerate(raw_sources)
        )
        return Skill(key, name, description, prerequisites, (low, high), bkt, sources)

    def bkt(self, data: dict[str, Any], where: str) -> BktParams:
        allowed = {"p_init", "p_learn", "p_guess", "p_slip", "p_forget"}
        for name, value in data.items():
            if name not in allowed:
                raise self.fail(
                    f"{where}.{name}", f"unknown field (expected one of {sorted(allowed)})"
                )
            self.typed(value, f"{where}.{name}", (int, float))
        try:
            return BktParams(**{k: float(v) for k, v in data.items()})
        except ValueError as error:
            raise self.fail(where, str(error)) from None

    def source(self, data: Any, where: str, skill_key: str) -> Source:
        data = self.typed(data, where, dict)
        if "generator" in data:
            name = self.typed(data["generator"], f"{where}.generator", str)
            if name not in GENERATORS:
                raise self.fail(f"{where}.generator", f"unknown generator {name!r}")
            return GeneratorSource(name)
        if "item" in data:
            return self.item(data["item"], f"{where}.item", skill_key)
        raise self.fail(where, "a source needs `generator: <name>` or `item: {...}`")

    # a fixed item --------------------------------------------------------------------------
    def item(self, data: Any, where: str, skill_key: str | None) -> FixedItem:
        data = self.typed(data, where, dict)
        item_id = str(self.need(data, "id", where, (str, int)))
        where = f"{where} ({item_id})"
        statement = self.need(data, "statement", where, str)
        kind = data.get("kind", "number")
        if kind not in ("number", "percent", "ratio"):
            raise self.fail(f"{where}.kind", f"must be number, percent or ratio, got {kind!r}")
        simplest = bool(data.get("simplest", False))
        answers = [str(a) for a in self.need(data, "answers", where, list)]
        if not answers:
            raise self.fail(f"{where}.answers", "at least one accepted answer is needed")
        key, answer_text = self.key(answers[0], kind, simplest, f"{where}.answers[0]")
        steps = self.typed(data.get("solution", []), f"{where}.solution", list)
        solution = tuple(self.step(s, f"{where}.solution[{i}]") for i, s in enumerate(steps))
        if not solution:
            raise self.fail(f"{where}.solution", "at least one solution step is needed")
        hints = tuple(
            self.typed(h, f"{where}.hints[{i}]", str)
            for i, h in enumerate(self.typed(data.get("hints", []), f"{where}.hints", list))
        )
        tags = data.get("skills", [skill_key] if skill_key else None)
        if not tags:
            raise self.fail(f"{where}.skills", "missing (a top-level item needs its skills)")
        tags = tuple(self.typed(t, f"{where}.skills[{i}]", str) for i, t in enumerate(tags))
        if skill_key and skill_key not in tags:
            tags = (skill_key, *tags)
        rules = tuple(
            self.rule(r, f"{where}.misconceptions[{i}]", key)
            for i, r in enumerate(
                self.typed(data.get("misconceptions", []), f"{where}.misconceptions", list)
            )
        )
        item = FixedItem(item_id, statement, key, answer_text, solution, hints, tags, rules)
        self.verify(item, answers, where)
        return item

    def key(self, text: str, kind: str, simplest: bool, where: str) -> tuple[AnswerKey, str]:
        try:
            parsed = read_answer(text)
        except AnswerFormatError as error:
            raise self.fail(where, f"cannot read {text!r}: {error.message}") from None
        if kind == "ratio":
            if parsed.kind != "ratio":
                raise self.fail(where, f"{text!r} is not a ratio like 3:4")
            return AnswerKey(exact(parsed.parts), "ratio", "ratio", simplest), text
        if parsed.kind != "number" or parsed.value is None:
            raise self.fail(where, f"{text!r} is not a number")
        value = parsed.value
        if kind == "percent":
            value = value if parsed.percent else value / 100
            return AnswerKey(exact(value), "percent", "percent", simplest), text
        style: AnswerStyle = (
            "integer" if value.denominator == 1 else ("decimal" if "." in text else "fraction")
        )
        return AnswerKey(exact(value), "number", style, simplest, parsed.variable), text or frac(
            value
        )

    def step(self, data: Any, where: str) -> SolutionStep:
        if isinstance(data, str):
            return SolutionStep(data)
        data = self.typed(data, where, dict)
        text = self.need(data, "text", where, str)
        expression, result = data.get("expression"), data.get("result")
        operands = self.typed(data.get("operands", []), f"{where}.operands", list)
        optional = {
            k: None if data.get(k) is None else str(data[k])
            for k in ("operation", "place", "question")
        }
        return SolutionStep(
            text,
            None if expression is None else str(expression),
            None if result is None else str(result),
            operands=tuple(str(o) for o in operands),
            **optional,
        )

    def rule(self, data: Any, where: str, key: AnswerKey) -> MisconceptionRule:
        data = self.typed(data, where, dict)
        rule_id = self.need(data, "id", where, str)
        name, description = CATALOGUE.get(rule_id, (None, None))
        name = data.get("name", name)
        description = data.get("description", description)
        if not name or not description:
            raise self.fail(where, f"{rule_id!r} is not catalogued: give its name and description")
        values = []
        for i, text in enumerate(self.need(data, "answers", where, list)):
            predicted, _ = self.key(str(text), key.kind, False, f"{where}.answers[{i}]")
            values.append(predicted.value)
        slips: tuple[StepSlip, ...] = ()
        if "step" in data:  # where every listed answer leaves the solution (diagnosis)
            index = self.typed(data["step"], f"{where}.step", int)
            student = self.need(data, "student_step", where, str)
            slips = tuple(slip(index, student) for _ in values)
        return MisconceptionRule(rule_id, name, description, tuple(values), slips)

    def verify(self, item: FixedItem, answers: list[str], where: str) -> None:
        """Every listed answer must be accepted and every predicted wrong answer rejected."""
        probe = Exercise(
            item.source_id,
            item.skills[0],
            0,
            item.statement,
            item.answer,
            item.answer_text,
            item.solution,
            item.misconceptions,
        )
        for i, text in enumerate(answers):
            if not check_answer(probe, text).correct:
                raise self.fail(
                    f"{where}.answers[{i}]", f"{text!r} is not equivalent to {answers[0]!r}"
                )
        for i, r in enumerate(item.misconceptions):
            for value in r.answers:
                if check_answer(probe, render(value, item.answer)).correct:
                    raise self.fail(
                        f"{where}.misconceptions[{i}]", f"predicts the right answer {value}"
                    )
