"""Response-log readers (both layouts), grouping into sequences, and splits by student."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tutor.learner.kt_data import (
    read_responses,
    responses_from_rows,
    sequences_by_skill,
    split_by_student,
    student_folds,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "kt"


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


@pytest.mark.skipif(not DATA.is_dir(), reason="needs ../shared/data/kt (the shared data folder)")
def test_the_shared_files_read() -> None:
    long = read_responses(DATA / "assistments09_sample.csv")
    assert len(long) == 10_791 and len(long.students) == 902
    assert set(long.skill.tolist()) == {"Table", "Box and Whisker"}
    dkt = read_responses(DATA / "assistments09_train.csv")
    assert len(dkt) == 407_967 and len(dkt.students) == 3_361
    assert len(set(dkt.skill.tolist())) == 123
