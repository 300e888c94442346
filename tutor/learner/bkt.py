"""The Bayesian Knowledge Tracing update for one (student, skill), one attempt at a time.

Two hidden states, known and unknown. An attempt is first evidence about the state it was made
in (Bayes' rule with guess and slip), then a practice opportunity that may move the state
(learn, or with `p_forget` > 0, forget). This is the same model the EM fit in `fit.py` estimates,
so a fitted skill's parameters plug straight in.

One function for the tutor and the evaluator: `update` and `predict_correct` take a float (the
tutor's turn) or a numpy array of many students' P(known) at once (`tutor learner evaluate`,
which steps every held-out sequence of a skill together). Both paths run the very same
arithmetic, so the evaluator scores exactly what the tutor computes, to the last bit.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from tutor.learner.params import MASTERY_THRESHOLD, MIN_UNASSISTED_CORRECT, BktParams

P = TypeVar("P", float, np.ndarray)


def predict_correct(p_known: P, params: BktParams) -> P:
    """P(next answer correct): known and no slip, or unknown and a lucky guess."""
    return p_known * (1.0 - params.p_slip) + (1.0 - p_known) * params.p_guess


def posterior(p_known: P, correct: bool | np.ndarray, params: BktParams) -> P:
    """P(known | this answer), before the attempt's own learning or forgetting."""
    p = np.asarray(p_known, dtype=np.float64)
    right = np.asarray(correct, dtype=bool)
    evidence_known = np.where(right, p * (1.0 - params.p_slip), p * params.p_slip)
    evidence_unknown = np.where(
        right, (1.0 - p) * params.p_guess, (1.0 - p) * (1.0 - params.p_guess)
    )
    total = evidence_known + evidence_unknown
    # total is 0 only with guess or slip at 0 and an answer the model calls impossible: the
    # answer is then certain evidence, so keep the prior rather than divide by zero.
    safe = np.where(total > 0.0, total, 1.0)
    return _same_kind(np.where(total > 0.0, evidence_known / safe, p), p_known)


def transition(p_known: P, params: BktParams) -> P:
    """One practice opportunity: the unknown may learn, the known may forget."""
    return p_known * (1.0 - params.p_forget) + (1.0 - p_known) * params.p_learn


def update(p_known: P, correct: bool | np.ndarray, params: BktParams) -> P:
    """P(known) after an attempt: the posterior given the answer, then learn/forget.

    `correct` is the outcome *as the learner model counts it*: an answer given after a hint,
    a worked example or the solution is False here (see `tutor.dialogue.mastery`)."""
    p = np.asarray(p_known, dtype=np.float64)
    if np.any(~((p >= 0.0) & (p <= 1.0))):
        raise ValueError(f"p_known must be within [0, 1], got {p_known}")
    return transition(posterior(p_known, correct, params), params)


def is_mastered(p_known: float, unassisted_correct: int | None = None) -> bool:
    """Mastery as the design defines it: P(known) >= 0.95 and at least
    `MIN_UNASSISTED_CORRECT` right answers given without a hint, worked example or solution.

    `unassisted_correct=None` checks the probability alone; only a caller that has no count
    (a simulation of the model itself, the policy's unlock test without counts) may do that.
    """
    if p_known < MASTERY_THRESHOLD:
        return False
    return unassisted_correct is None or unassisted_correct >= MIN_UNASSISTED_CORRECT


def _same_kind(value: np.ndarray, like: float | np.ndarray) -> P:  # type: ignore[type-var]
    """A float for a float input (the tutor stores plain floats), else the array."""
    return float(value) if np.ndim(like) == 0 else value  # type: ignore[return-value]
