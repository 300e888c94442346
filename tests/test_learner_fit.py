"""EM recovers BKT parameters from data simulated with known ones; bounds and restarts hold."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.learner.fit import MAX_GUESS, MAX_SLIP, fit_bkt, fit_bkt_with_likelihood, log_likelihood
from tutor.learner.params import BktParams


def simulate(params: BktParams, students: int, length: int, seed: int) -> list[np.ndarray]:
    """Responses of students who follow BKT with `params` exactly."""
    rng = np.random.default_rng(seed)
    known = rng.random(students) < params.p_init
    out = np.empty((students, length), dtype=np.int8)
    for t in range(length):
        u = rng.random(students)
        out[:, t] = np.where(known, u >= params.p_slip, u < params.p_guess)
        v = rng.random(students)
        known = np.where(known, v >= params.p_forget, v < params.p_learn)
    return list(out)


TRUE = {
    "easy": BktParams(p_init=0.4, p_learn=0.25, p_guess=0.2, p_slip=0.08),
    "hard": BktParams(p_init=0.1, p_learn=0.08, p_guess=0.15, p_slip=0.12),
}


@pytest.fixture(scope="module")
def data() -> dict[str, list[np.ndarray]]:
    return {
        k: simulate(p, students=1500, length=20, seed=i) for i, (k, p) in enumerate(TRUE.items())
    }


def test_em_recovers_the_parameters_that_made_the_data(data) -> None:
    fitted = fit_bkt(data, restarts=3, seed=1)
    assert set(fitted) == set(TRUE)
    for key, true in TRUE.items():
        got = fitted[key]
        assert got.p_init == pytest.approx(true.p_init, abs=0.05), key
        assert got.p_learn == pytest.approx(true.p_learn, abs=0.03), key
        assert got.p_guess == pytest.approx(true.p_guess, abs=0.03), key
        assert got.p_slip == pytest.approx(true.p_slip, abs=0.03), key
        assert got.p_forget == 0.0


def test_em_recovers_forgetting() -> None:
    true = BktParams(p_init=0.5, p_learn=0.2, p_guess=0.15, p_slip=0.1, p_forget=0.08)
    fitted = fit_bkt({"s": simulate(true, students=2000, length=25, seed=7)}, forgetting=True)
    assert fitted["s"].p_forget == pytest.approx(0.08, abs=0.03)
    assert fitted["s"].p_learn == pytest.approx(0.2, abs=0.05)


def test_guess_and_slip_stay_within_the_bounds() -> None:
    wild = BktParams(p_init=0.3, p_learn=0.1, p_guess=0.45, p_slip=0.45)
    fitted = fit_bkt({"s": simulate(wild, students=300, length=10, seed=3)}, restarts=2)
    assert fitted["s"].p_guess <= MAX_GUESS and fitted["s"].p_slip <= MAX_SLIP


def test_restarts_keep_the_best_likelihood(data) -> None:
    one, ll_one = fit_bkt_with_likelihood(data, restarts=1, seed=5)
    many, ll_many = fit_bkt_with_likelihood(data, restarts=4, seed=5)
    for key in TRUE:
        assert ll_many[key] >= ll_one[key] - 1e-6
    # The reported likelihood is the likelihood of the returned parameters.
    assert log_likelihood(data, many) == pytest.approx(ll_many)
    # The fitted parameters explain the data at least as well as the true ones (it is the MLE).
    truth = log_likelihood(data, TRUE)
    assert all(ll_many[k] >= truth[k] - 1.0 for k in TRUE)


def test_fit_is_deterministic_for_a_seed(data) -> None:
    assert fit_bkt(data, restarts=2, seed=11) == fit_bkt(data, restarts=2, seed=11)


def test_duplicate_sequences_count_like_repeated_students() -> None:
    seqs = [np.array([0, 1, 1]), np.array([0, 0, 1, 1]), np.array([1, 1])]
    doubled = {"s": seqs * 2}
    assert log_likelihood(doubled, {"s": BktParams()})["s"] == pytest.approx(
        2 * log_likelihood({"s": seqs}, {"s": BktParams()})["s"]
    )


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="0/1"):
        fit_bkt({"s": [np.array([0, 2, 1])]})
    with pytest.raises(ValueError, match="restarts"):
        fit_bkt({"s": [np.array([0, 1])]}, restarts=0)
    assert fit_bkt({}) == {} and fit_bkt({"s": [np.array([], dtype=int)]}) == {}
