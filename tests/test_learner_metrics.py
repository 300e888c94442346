"""Metrics against small cases worked by hand and a brute-force pair count."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.learner.metrics import accuracy, auc, rmse, within_group_auc


def brute_auc(y: list[int], p: list[float]) -> float:
    pairs = [(a, b) for a, b in itertools.product(range(len(y)), repeat=2) if y[a] and not y[b]]
    return sum(1.0 if p[a] > p[b] else 0.5 if p[a] == p[b] else 0.0 for a, b in pairs) / len(pairs)


@pytest.mark.parametrize(
    ("y", "p", "expected"),
    [
        ([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], 1.0),
        ([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1], 0.0),
        ([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 0.5),
        ([0, 1, 1], [0.3, 0.2, 0.4], 0.5),  # one pair right, one wrong
        ([0, 1, 1, 0], [0.2, 0.2, 0.6, 0.1], 0.875),  # a tie counts half: (1+1+1+0.5)/4
    ],
)
def test_auc_small_cases(y, p, expected) -> None:
    assert auc(np.array(y), np.array(p)) == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])), min_size=2))
def test_auc_matches_the_pair_count(rows) -> None:
    y = [int(a) for a, _ in rows]
    p = [b for _, b in rows]
    if 0 < sum(y) < len(y):
        assert auc(np.array(y), np.array(p)) == pytest.approx(brute_auc(y, p))
    else:
        assert math.isnan(auc(np.array(y), np.array(p)))


def test_rmse_and_accuracy() -> None:
    y = np.array([1, 0, 1, 0])
    p = np.array([0.9, 0.4, 0.4, 0.0])
    assert rmse(y, p) == pytest.approx(math.sqrt((0.01 + 0.16 + 0.36 + 0.0) / 4))
    assert accuracy(y, p) == pytest.approx(0.75)


def test_within_group_auc_is_the_macro_mean_over_groups_with_both_outcomes() -> None:
    y = np.array([0, 1, 0, 1, 1, 1])
    p = np.array([0.1, 0.9, 0.8, 0.2, 0.5, 0.6])
    g = np.array(["a", "a", "b", "b", "c", "c"])  # a: 1.0, b: 0.0, c has one class: skipped
    assert within_group_auc(y, p, g) == pytest.approx(0.5)
    # Pooled AUC of the same predictions differs: it also rewards ranking across groups.
    assert auc(y, p) != pytest.approx(0.5)


def test_cross_validation_scores_each_fold_and_all_folds_pooled() -> None:
    """Two folds that each rank perfectly: their mean AUC is 1, but pooled they are not, since
    one fold's wrong answers score above the other's right ones."""
    from tutor.learner.evaluate import MODELS, Predictions, fold_results

    def fold(right: float, wrong: float) -> Predictions:
        p = np.array([right, right, wrong, wrong])
        return Predictions(
            skill=np.array(["a", "b", "a", "b"]),
            correct=np.array([True, True, False, False]),
            by_model={m: p for m in MODELS},
        )

    seconds = {m: 1.0 for m in MODELS}
    results = fold_results([fold(0.9, 0.8), fold(0.3, 0.2)], [seconds, seconds])
    for r in results:
        assert [f.auc for f in r.folds] == [1.0, 1.0]
        assert r.scores.auc == 1.0
        assert r.scores.n == r.pooled.n == 8 and [f.n for f in r.folds] == [4, 4]
        assert r.scores.rmse == pytest.approx(np.mean([f.rmse for f in r.folds]))
        # Pairs across folds: fold 1's wrong (0.8) outranks fold 2's right (0.3): 12 of 16 right.
        assert r.pooled.auc == pytest.approx(12 / 16)
