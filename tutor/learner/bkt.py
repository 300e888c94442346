"""The online Bayesian Knowledge Tracing update for one (student, skill), one attempt at a time.

Two hidden states, known and unknown. An attempt is first evidence about the state it was made
in (Bayes' rule with guess and slip), then a practice opportunity that may move the state
(learn, or with `p_forget` > 0, forget). This is the same model the EM fit in `fit.py` estimates,
so a fitted skill's parameters plug straight in.
"""

from __future__ import annotations

from tutor.learner.params import MASTERY_THRESHOLD, BktParams


def predict_correct(p_known: float, params: BktParams) -> float:
    """P(next answer correct): known and no slip, or unknown and a lucky guess."""
    return p_known * (1.0 - params.p_slip) + (1.0 - p_known) * params.p_guess


def posterior(p_known: float, correct: bool, params: BktParams) -> float:
    """P(known | this answer), before the attempt's own learning or forgetting."""
    if correct:
        evidence_known = p_known * (1.0 - params.p_slip)
        evidence_unknown = (1.0 - p_known) * params.p_guess
    else:
        evidence_known = p_known * params.p_slip
        evidence_unknown = (1.0 - p_known) * (1.0 - params.p_guess)
    total = evidence_known + evidence_unknown
    # Only reachable with guess or slip at 0 and an answer the model calls impossible: the
    # answer is then certain evidence, so keep the prior rather than divide by zero.
    return p_known if total <= 0.0 else evidence_known / total


def transition(p_known: float, params: BktParams) -> float:
    """One practice opportunity: the unknown may learn, the known may forget."""
    return p_known * (1.0 - params.p_forget) + (1.0 - p_known) * params.p_learn


def update(p_known: float, correct: bool, params: BktParams) -> float:
    """P(known) after an attempt: the posterior given the answer, then learn/forget."""
    if not 0.0 <= p_known <= 1.0:
        raise ValueError(f"p_known must be within [0, 1], got {p_known}")
    return transition(posterior(p_known, correct, params), params)


def is_mastered(p_known: float) -> bool:
    """Mastery as the design defines it: P(known) at or above 0.95."""
    return p_known >= MASTERY_THRESHOLD
