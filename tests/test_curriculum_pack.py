"""The shipped pack and the pack schema: structure, determinism, and errors naming the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tutor.curriculum import (
    GeneratorSource,
    PackError,
    check_answer,
    load_default_pack,
    load_pack,
)
from tutor.learner.params import BktParams


@pytest.fixture(scope="module")
def pack():
    return load_default_pack()


def test_shipped_pack_has_enough_skills_each_with_a_generator(pack) -> None:
    assert len(pack.skills) >= 30
    for skill in pack.skills.values():
        assert any(isinstance(s, GeneratorSource) for s in skill.sources), skill.key
        assert isinstance(skill.bkt, BktParams)
        assert skill.grade_band[0] <= skill.grade_band[1]
    assert len(pack.items) >= 5


def test_skills_come_in_topological_order(pack) -> None:
    seen: set[str] = set()
    for skill in pack.skills.values():
        assert set(skill.prerequisites) <= seen, skill.key
        seen.add(skill.key)


def test_topics_from_arithmetic_to_equations(pack) -> None:
    prefixes = {key.split(".")[0] for key in pack.skills}
    assert {
        "whole",
        "factors",
        "fractions",
        "decimals",
        "percent",
        "ratio",
        "integers",
        "ops",
        "equations",
    } <= prefixes


def test_same_seed_same_exercise_other_seed_other_numbers(pack) -> None:
    for key in pack.skills:
        first, again = pack.exercise(key, 42), pack.exercise(key, 42)
        assert first == again
        assert pack.exercise_by_id(first.id, first.seed) == first
        statements = {pack.exercise(key, seed).statement for seed in range(30)}
        assert len(statements) > 3, key


def test_similar_exercise_has_other_numbers_same_family(pack) -> None:
    exercise = pack.exercise_by_id("gen:fractions.add_unlike", 3)
    other = pack.similar_exercise(exercise, 4)
    assert other.id == exercise.id and other.statement != exercise.statement
    item = pack.exercise_by_id("item:pizza-quarters", 0)
    assert pack.similar_exercise(item, 1).skill_key == item.skill_key


def test_fixed_items_keep_their_hints_and_answers(pack) -> None:
    item = pack.exercise_by_id("item:buses-73", 0)
    assert item.hints and item.solution
    assert check_answer(item, "4").correct
    verdict = check_answer(item, "3")
    assert verdict.status == "wrong" and verdict.misconception.id == "gives_quotient"


# --- schema errors ---------------------------------------------------------------------

SKILL = """
  - key: {key}
    name: {key} skill
    description: test skill
    prerequisites: {pre}
    grade_band: [1, 2]
    bkt: {{p_init: 0.2, p_learn: 0.1, p_guess: 0.1, p_slip: 0.1}}
    sources: [{{generator: whole.add}}]
"""


def _write(tmp_path: Path, body: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _pack(tmp_path: Path, *skills: tuple[str, str], extra: str = "") -> Path:
    body = "name: t\nversion: 1\nskills:" + "".join(SKILL.format(key=k, pre=p) for k, p in skills)
    return _write(tmp_path, body + extra)


def test_a_small_valid_pack_loads(tmp_path: Path) -> None:
    pack = load_pack(_pack(tmp_path, ("b", "[a]"), ("a", "[]")))
    assert list(pack.skills) == ["a", "b"]  # prerequisites first


def test_cycle_is_named(tmp_path: Path) -> None:
    path = _pack(tmp_path, ("a", "[c]"), ("b", "[a]"), ("c", "[b]"))
    with pytest.raises(
        PackError, match=r"bad\.yaml: skills\[\d\]\.prerequisites: cycle: a -> c -> b -> a"
    ):
        load_pack(path)


def test_unknown_prerequisite_names_the_field(tmp_path: Path) -> None:
    path = _pack(tmp_path, ("a", "[]"), ("b", "[a, nope]"))
    with pytest.raises(
        PackError, match=r"bad\.yaml: skills\[1\]\.prerequisites\[1\]: unknown skill 'nope'"
    ):
        load_pack(path)


@pytest.mark.parametrize(
    ("field", "replacement", "message"),
    [
        ("    name: a skill\n", "", r"skills\[0\] \(a\)\.name: missing"),
        (
            "grade_band: [1, 2]",
            "grade_band: [3, 1]",
            r"skills\[0\] \(a\)\.grade_band: must satisfy",
        ),
        ("p_guess: 0.1", "p_guess: 0.7", r"skills\[0\] \(a\)\.bkt: p_guess must be"),
        ("p_guess: 0.1", "p_gues: 0.1", r"skills\[0\] \(a\)\.bkt\.p_gues: unknown field"),
        (
            "generator: whole.add",
            "generator: whole.nope",
            r"skills\[0\] \(a\)\.sources\[0\]\.generator: unknown generator",
        ),
        (
            "sources: [{generator: whole.add}]",
            "sources: []",
            r"skills\[0\] \(a\)\.sources: a skill needs at least one",
        ),
        ("grade_band: [1, 2]", "grade_band: one", r"skills\[0\] \(a\)\.grade_band: must be list"),
    ],
)
def test_bad_fields_are_named(tmp_path: Path, field: str, replacement: str, message: str) -> None:
    text = _pack(tmp_path, ("a", "[]")).read_text()
    assert field in text
    path = _write(tmp_path, text.replace(field, replacement))
    with pytest.raises(PackError, match=r"bad\.yaml: " + message):
        load_pack(path)


def test_missing_top_level_field(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"bad\.yaml: version: missing"):
        load_pack(_write(tmp_path, "name: t\nskills: []\n"))


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="not valid YAML"):
        load_pack(_write(tmp_path, "name: [unclosed\n"))
    with pytest.raises(PackError, match="cannot read"):
        load_pack(tmp_path / "absent.yaml")


ITEMS = """
items:
  - id: i1
    statement: What is 1/2 + 1/4?
    answers: [{answers}]
    solution: [Add them.]
    skills: [{skill}]
"""


def test_items_must_have_equivalent_answers_and_known_skills(tmp_path: Path) -> None:
    ok = _pack(tmp_path, ("a", "[]"), extra=ITEMS.format(answers='"3/4", "0.75"', skill="a"))
    assert load_pack(ok).exercise("a", 0) is not None
    bad = _pack(tmp_path, ("a", "[]"), extra=ITEMS.format(answers='"3/4", "0.7"', skill="a"))
    with pytest.raises(
        PackError, match=r"items\[0\] \(i1\)\.answers\[1\]: '0.7' is not equivalent"
    ):
        load_pack(bad)
    unknown = _pack(tmp_path, ("a", "[]"), extra=ITEMS.format(answers='"3/4"', skill="zz"))
    with pytest.raises(PackError, match=r"items\[0\]\.skills\[0\]: unknown skill 'zz'"):
        load_pack(unknown)
    unreadable = _pack(tmp_path, ("a", "[]"), extra=ITEMS.format(answers='"three"', skill="a"))
    with pytest.raises(PackError, match=r"answers\[0\]: cannot read 'three'"):
        load_pack(unreadable)
