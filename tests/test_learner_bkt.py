"""The online BKT update against hand-computed values, and its agreement with the batch filter."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.learner.bkt import is_mastered, posterior, predict_correct, update
from tutor.learner.evaluate import predict_in_order
from tutor.learner.params import MASTERY_THRESHOLD, BktParams

PARAMS = BktParams(p_init=0.2, p_learn=0.15, p_guess=0.2, p_slip=0.1)


@pytest.mark.parametrize(
    ("p_known", "correct", "params", "expected"),
    [
        # posterior 0.2*0.9 / (0.18 + 0.8*0.2) = 0.18/0.34; then + (1 - that) * 0.15 = 0.6
        (0.2, True, PARAMS, 0.6),
        # posterior 0.02 / (0.02 + 0.64) = 1/33; then + (32/33) * 0.15
        (0.2, False, PARAMS, 1 / 33 + (32 / 33) * 0.15),
        # with forgetting 0.1: (0.18/0.34) * 0.9 + (0.16/0.34) * 0.15
        (
            0.2,
            True,
            BktParams(0.2, 0.15, 0.2, 0.1, 0.1),
            (0.18 / 0.34) * 0.9 + (0.16 / 0.34) * 0.15,
        ),
        (1.0, False, PARAMS, 1.0),  # certainly known stays known without forgetting
        (0.0, True, PARAMS, 0.15),  # certainly unknown: only learning moves it
    ],
)
def test_update_matches_hand_computation(p_known, correct, params, expected) -> None:
    assert update(p_known, correct, params) == pytest.approx(expected, abs=1e-12)


def test_posterior_and_prediction() -> None:
    assert posterior(0.2, True, PARAMS) == pytest.approx(0.18 / 0.34)
    assert predict_correct(0.2, PARAMS) == pytest.approx(0.2 * 0.9 + 0.8 * 0.2)
    assert predict_correct(0.0, PARAMS) == pytest.approx(PARAMS.p_guess)


def test_mastery_threshold_is_inclusive() -> None:
    assert MASTERY_THRESHOLD == 0.95
    assert is_mastered(0.95) and not is_mastered(0.9499)


def test_update_refuses_a_probability_out_of_range() -> None:
    with pytest.raises(ValueError, match="p_known"):
        update(1.2, True, PARAMS)


def test_batch_filter_predicts_what_the_online_update_would() -> None:
    """The evaluation's vectorised forward pass and the tutor's update are the same model."""
    params = BktParams(0.3, 0.2, 0.25, 0.1, 0.05)
    seqs = [np.array([0, 1, 1, 0, 1, 1, 1]), np.array([1, 0]), np.array([0])]
    _, correct, predicted = predict_in_order({"k": seqs}, {"k": params}, default=BktParams())
    expected: list[tuple[int, float]] = []
    for seq in seqs:
        p = params.p_init
        for answer in seq:
            expected.append((int(answer), predict_correct(p, params)))
            p = update(p, bool(answer), params)
    got = sorted(zip(correct.astype(int).tolist(), np.round(predicted, 12).tolist(), strict=True))
    want = sorted((a, round(b, 12)) for a, b in expected)
    assert got == want
