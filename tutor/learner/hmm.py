"""The two-state BKT hidden Markov model over many sequences at once, in numpy.

Why this layout: the fit must run forward-backward over ~35,000 (student, skill) sequences of
very different lengths (1 to ~1,900) several times per second. A padded (rows x longest) matrix
would be 98% padding. Instead rows are sorted longest first and stored time-major: step t holds
the responses of rows 0..k_t-1 contiguously (`obs[steps[t]:steps[t+1]]`), because exactly the
longest k_t rows are still going at step t. Each step is then a handful of numpy calls on
contiguous slices, across every skill and every restart of the fit at once (a row's parameters
come from its group: one (skill, restart) pair), and the Python loop runs once per time step,
not once per sequence.

Smoothing uses the two-state form of the Rauch-Tung-Striebel backward pass: it needs only the
filtered and predicted P(known) from the forward pass, so nothing underflows on long sequences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FORGET_FLOOR = 1e-10
"""Smallest forgetting the passes use: P(known) then never rounds to exactly 1.0 in float64
after a long run of correct answers, which would make the smoother divide 0 by 0. Its effect on
any probability is below 1e-9."""


@dataclass(frozen=True)
class Layout:
    """Sequences sorted longest first, stored time-major (see the module docstring)."""

    obs: np.ndarray  # (N,) float64 0/1
    steps: np.ndarray  # (T+1,) int64 offsets: step t is obs[steps[t]:steps[t+1]]
    row_of: np.ndarray  # (N,) int64 row of each element
    last: np.ndarray  # (N,) bool: the row's final response
    order: np.ndarray  # (n_rows,) int64: layout row r is input sequence order[r]

    @property
    def n_rows(self) -> int:
        return len(self.order)

    @property
    def n_steps(self) -> int:
        return len(self.steps) - 1


@dataclass(frozen=True)
class RowParams:
    """BKT parameters per layout row (n_rows,), gathered from the rows' groups."""

    prior: np.ndarray
    learn: np.ndarray
    forget: np.ndarray
    guess: np.ndarray
    slip: np.ndarray


@dataclass(frozen=True)
class Filtered:
    """Forward pass, per element: predicted and filtered P(known), and P(this response)."""

    predicted: np.ndarray  # P(known) before seeing the response
    filtered: np.ndarray  # P(known) after seeing it (before the transition)
    likelihood: np.ndarray  # P(response | earlier responses)


def build_layout(sequences: Sequence[np.ndarray]) -> Layout:
    """Lay non-empty 0/1 sequences out time-major, longest first."""
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    if len(lengths) == 0 or lengths.min() == 0:
        raise ValueError("build_layout needs at least one sequence and no empty ones")
    order = np.argsort(-lengths, kind="stable")
    lengths = lengths[order]
    n_steps = int(lengths[0])
    # k_t = how many rows are longer than t (lengths are descending).
    active = np.searchsorted(-lengths, -np.arange(n_steps), side="left")
    steps = np.concatenate(([0], np.cumsum(active)))
    flat = np.concatenate([np.asarray(sequences[i], dtype=np.float64) for i in order])
    rows = np.repeat(np.arange(len(order)), lengths)
    row_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    t = np.arange(len(flat)) - np.repeat(row_start, lengths)
    pos = steps[t] + rows
    obs = np.empty_like(flat)
    obs[pos] = flat
    row_of = np.empty_like(rows)
    row_of[pos] = rows
    last = np.zeros(len(flat), dtype=bool)
    last[pos] = t == lengths[rows] - 1
    return Layout(obs=obs, steps=steps, row_of=row_of, last=last, order=order)


def _emissions(layout: Layout, params: RowParams) -> tuple[np.ndarray, np.ndarray]:
    """P(response | known) and P(response | unknown) per element."""
    guess = params.guess[layout.row_of]
    slip = params.slip[layout.row_of]
    obs = layout.obs
    if_known = slip + obs * (1.0 - 2.0 * slip)  # 1 - slip if correct, slip if wrong
    if_unknown = 1.0 - guess + obs * (2.0 * guess - 1.0)  # guess if correct, 1 - guess if not
    return if_known, if_unknown


def forward(layout: Layout, params: RowParams) -> Filtered:
    """Filter every row in order: what the model believes before and after each response."""
    if_known, if_unknown = _emissions(layout, params)
    forget = np.maximum(params.forget, FORGET_FLOOR)
    slope = 1.0 - forget - params.learn  # next = filtered * slope + learn
    learn = params.learn
    predicted = np.empty_like(layout.obs)
    p = params.prior.astype(np.float64, copy=True)
    steps = layout.steps
    for t in range(layout.n_steps):
        a, b = steps[t], steps[t + 1]
        k = b - a
        pk = p[:k]
        predicted[a:b] = pk
        num = pk * if_known[a:b]
        f = num / (num + (1.0 - pk) * if_unknown[a:b])
        p[:k] = f * slope[:k] + learn[:k]
    num = predicted * if_known
    likelihood = num + (1.0 - predicted) * if_unknown
    return Filtered(predicted=predicted, filtered=num / likelihood, likelihood=likelihood)


@dataclass(frozen=True)
class Smoothed:
    """Backward pass, per element: P(known | whole sequence) and the expected transitions
    out of this step (zero on a row's last element, which has no next step)."""

    known: np.ndarray
    learned: np.ndarray  # E[unknown now, known next]
    forgot: np.ndarray  # E[known now, unknown next]


def smooth(layout: Layout, params: RowParams, filtered: Filtered) -> Smoothed:
    """Two-state RTS smoother: gamma_t from gamma_{t+1} and the forward pass's beliefs."""
    forget = np.maximum(params.forget, FORGET_FLOOR)
    keep = 1.0 - forget
    f_all, p_all = filtered.filtered, filtered.predicted
    known = f_all.copy()  # a row's last element: smoothed = filtered
    ratio_known = np.zeros_like(f_all)  # P(K_{t+1} | all) / P(K_{t+1} | up to t)
    ratio_unknown = np.zeros_like(f_all)
    steps = layout.steps
    for t in range(layout.n_steps - 2, -1, -1):
        a, b = steps[t], steps[t + 1]
        k1 = steps[t + 2] - b  # rows that go on to step t+1 are the first k1
        g1 = known[b : b + k1]
        pn = p_all[b : b + k1]
        r_k = g1 / pn
        r_u = (1.0 - g1) / (1.0 - pn)
        ratio_known[a : a + k1] = r_k
        ratio_unknown[a : a + k1] = r_u
        known[a : a + k1] = f_all[a : a + k1] * (keep[:k1] * r_k + forget[:k1] * r_u)
    learn = params.learn[layout.row_of]
    learned = (1.0 - f_all) * learn * ratio_known
    forgot = f_all * forget[layout.row_of] * ratio_unknown
    return Smoothed(known=known, learned=learned, forgot=forgot)
