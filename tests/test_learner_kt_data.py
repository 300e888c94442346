"""Response-log readers (both layouts), grouping into sequences, and splits by student."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.test_learner_fit import simulate
from tutor.learner.fit import fit_bkt
from tutor.learner.kt_data import (
    read_responses,
    responses_from_rows,
    sequences_by_skill,
    split_by_student,
    student_folds,
)
from tutor.learner.params import BktParams


def test_dkt_layout(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("3\n7,7,9,\n0,1,1,\n\n2\n9,9\n1,0\n")
    r = read_responses(path)
    assert r.student.tolist() == ["s0"] * 3 + ["s1"] * 2
    assert r.skill.tolist() == ["7", "7", "9", "9", "9"]
    assert r.correct.tolist() == [False, True, True, True, False]
    seqs = sequences_by_skill(r)
    assert [s.tolist() for s in seqs["7"]] == [[0, 1]]
    assert sorted(s.tolist() for s in seqs["9"]) == [[1], [1, 0]]


def test_long_layout_orders_by_order_id_and_drops_rows_without_a_skill(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(
        "order_id,user_id,skill_name,correct,extra\n"
        "30,u1,Table,1,x\n10,u1,Table,0,x\n20,u2,Table,1,x\n15,u1,,1,x\n25,u1,Table,1,x\n"
    )
    r = read_responses(path)
    assert r.student.tolist() == ["u1", "u1", "u1", "u2"]
    assert r.correct.tolist() == [False, True, True, True]
    assert [s.tolist() for s in sequences_by_skill(r)["Table"]] == [[0, 1, 1], [1]]


@pytest.mark.parametrize(
    ("text", "layout", "message"),
    [
        ("3\n1,2\n0,1\n", "dkt", r"d\.csv:1: count \[3\] does not match"),
        ("2\n1,2\n0,7\n", "dkt", r"d\.csv:3: correctness must be 0 or 1"),
        ("2\n1,x\n0,1\n", "dkt", r"d\.csv:2: skill ids must be integers"),
        ("2\n1,2\n", "dkt", "incomplete student block"),
        ("user_id,skill_name,correct\n", "long", "missing column"),
        ("user_id,skill_name,correct,order_id\nu,s,2,1\n", "long", r"d\.csv:2: correct must be"),
    ],
)
def test_bad_files_name_the_line(tmp_path: Path, text: str, layout: str, message: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_responses(path, layout)  # type: ignore[arg-type]


def test_folds_partition_the_students() -> None:
    r = responses_from_rows((f"u{i % 23}", "s", i % 2) for i in range(200))
    folds = student_folds(r, k=5, seed=3)
    together = np.concatenate(folds)
    assert sorted(together.tolist()) == sorted(r.students.tolist())
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    assert [f.tolist() for f in folds] == [f.tolist() for f in student_folds(r, k=5, seed=3)]
    train, test = split_by_student(r, test_fraction=0.25, seed=1)
    assert not set(train.student) & set(test.student)
    assert len(train) + len(test) == len(r)
    with pytest.raises(ValueError, match="folds"):
        student_folds(r, k=1)


def _simulated_log(seed: int) -> tuple[list[tuple[str, str, int]], dict[str, BktParams]]:
    """Responses of students who follow known BKT parameters, skills interleaved per student.

    Stands in for ASSISTments (its licence is research use, so none of it ships here): the same
    two layouts, made by code from parameters the fit must then recover.
    """
    truth = {
        "Table": BktParams(p_init=0.35, p_learn=0.2, p_guess=0.2, p_slip=0.1),
        "Box and Whisker": BktParams(p_init=0.1, p_learn=0.1, p_guess=0.15, p_slip=0.08),
    }
    per_skill = {
        k: simulate(p, students=STUDENTS, length=LENGTH, seed=seed + i)
        for i, (k, p) in enumerate(truth.items())
    }
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, int]] = []  # (student, skill, correct) in answering order
    for s in range(STUDENTS):
        turn = rng.permutation([k for k in truth for _ in range(LENGTH)])  # interleave the skills
        seen = dict.fromkeys(truth, 0)
        for skill in turn:
            rows.append((f"u{s}", str(skill), int(per_skill[str(skill)][s][seen[str(skill)]])))
            seen[str(skill)] += 1
    return rows, truth


STUDENTS, LENGTH = 1500, 20


def test_simulated_logs_read_alike_in_both_layouts_and_the_fit_recovers_them(
    tmp_path: Path,
) -> None:
    rows, truth = _simulated_log(seed=4)
    skill_ids = {name: str(i) for i, name in enumerate(truth, start=7)}

    # long: rows in a shuffled file order (order_id restores it), extra columns, skill-less rows
    lines = ["order_id,user_id,problem_id,skill_name,correct"]
    for n in np.random.default_rng(1).permutation(len(rows)).tolist():
        student, skill, ok = rows[n]
        lines.append(f"{100 + 3 * n},{student},{n},{skill},{ok}")
        if n % 97 == 0:
            lines.append(f"{101 + 3 * n},{student},{n},,1")  # no skill: dropped
    (tmp_path / "long.csv").write_text("\n".join(lines) + "\n")

    # dkt: three lines per student, skills as integer ids
    answers: dict[str, list[tuple[str, int]]] = {}
    for student, skill, ok in rows:
        answers.setdefault(student, []).append((skill_ids[skill], ok))
    blocks = []
    for mine in answers.values():
        blocks += [str(len(mine)), ",".join(k for k, _ in mine), ",".join(str(o) for _, o in mine)]
    (tmp_path / "dkt.csv").write_text("\n".join(blocks) + "\n")

    long = read_responses(tmp_path / "long.csv")
    dkt = read_responses(tmp_path / "dkt.csv")
    assert len(long) == len(dkt) == STUDENTS * LENGTH * 2
    assert len(long.students) == len(dkt.students) == STUDENTS
    assert set(long.skill.tolist()) == set(truth)
    assert set(dkt.skill.tolist()) == set(skill_ids.values())
    # The same answers in the same order, whichever layout carried them.
    by_student = [[ok for _, ok in answers[f"u{s}"]] for s in range(3)]
    assert [long.select_students([f"u{s}"]).correct.astype(int).tolist() for s in range(3)] == (
        by_student
    )
    assert [dkt.select_students([f"s{s}"]).correct.astype(int).tolist() for s in range(3)] == (
        by_student
    )
    long_seqs, dkt_seqs = sequences_by_skill(long), sequences_by_skill(dkt)
    for name, key in skill_ids.items():
        assert sorted(map(tuple, long_seqs[name])) == sorted(map(tuple, dkt_seqs[key]))

    fitted = fit_bkt(long_seqs, restarts=3, seed=1)
    for name, true in truth.items():
        got = fitted[name]
        assert got.p_init == pytest.approx(true.p_init, abs=0.06), name
        assert got.p_learn == pytest.approx(true.p_learn, abs=0.04), name
        assert got.p_guess == pytest.approx(true.p_guess, abs=0.04), name
        assert got.p_slip == pytest.approx(true.p_slip, abs=0.04), name
