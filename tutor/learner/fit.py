"""Our own EM fit of per-skill BKT parameters (Baum-Welch), matching pyBKT's model.

pyBKT fits each skill separately with EM from several random starts and keeps the best
log-likelihood; so do we, but every skill and every restart runs in one batch (`hmm.py`), and
(skill, restart) groups that have converged leave the batch, so the tail of slow groups does
not pay for the fast ones. Identical sequences of a skill are fitted once with a weight.

Bounds: guess and slip stay within [1e-6, 0.3] (pyBKT's default bound, and what keeps "known"
meaning known); the M-step clips them, which is the exact constrained maximum because the
expected log-likelihood is concave in each one separately. Other probabilities stay in
[1e-6, 1 - 1e-6] so no state becomes impossible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tutor.learner.hmm import Layout, RowParams, build_layout, forward, smooth
from tutor.learner.params import BktParams

SkillSequences = Mapping[str, Sequence[np.ndarray]]
"""Per skill, one ordered 0/1 array per student (that student's responses on that skill)."""

EPS = 1e-6
MAX_GUESS = 0.3
MAX_SLIP = 0.3


@dataclass(frozen=True)
class _Data:
    """Deduplicated rows of one fit: a sequence, its skill index and how often it occurred."""

    sequences: list[np.ndarray]
    skill: np.ndarray  # (rows,) int64
    weight: np.ndarray  # (rows,) float64
    skills: list[str]


def _dedupe(sequences: SkillSequences) -> _Data:
    seen: dict[tuple[int, bytes], int] = {}
    rows: list[np.ndarray] = []
    skill: list[int] = []
    weight: list[float] = []
    skills = sorted(sequences)
    for s_index, name in enumerate(skills):
        for seq in sequences[name]:
            arr = np.asarray(seq)
            if arr.size == 0:
                continue
            if not np.isin(arr, (0, 1)).all():
                raise ValueError(f"skill {name!r}: responses must be 0/1, got {np.unique(arr)}")
            arr = arr.astype(np.int8)
            key = (s_index, arr.tobytes())
            if key in seen:
                weight[seen[key]] += 1.0
            else:
                seen[key] = len(rows)
                rows.append(arr)
                skill.append(s_index)
                weight.append(1.0)
    return _Data(rows, np.array(skill, dtype=np.int64), np.array(weight), skills)


def _initial(n_skills: int, restarts: int, forgetting: bool, seed: int) -> np.ndarray:
    """Starting points, (5, skills, restarts): prior, learn, forget, guess, slip.

    Restart 0 is a plain, sensible start (BktParams' defaults); the others are random, as in
    pyBKT, within the bounds.
    """
    rng = np.random.default_rng(seed)
    shape = (n_skills, restarts)
    start = np.stack(
        [
            rng.uniform(0.05, 0.95, shape),
            rng.uniform(0.01, 0.5, shape),
            rng.uniform(0.01, 0.2, shape) if forgetting else np.zeros(shape),
            rng.uniform(0.01, MAX_GUESS, shape),
            rng.uniform(0.01, MAX_SLIP, shape),
        ]
    )
    default = BktParams()
    start[:, :, 0] = np.array(
        [
            [default.p_init],
            [default.p_learn],
            [0.05 if forgetting else 0.0],
            [default.p_guess],
            [default.p_slip],
        ]
    )
    return start


def _row_params(theta: np.ndarray, groups: np.ndarray) -> RowParams:
    prior, learn, forget, guess, slip = (theta[i][groups] for i in range(5))
    return RowParams(prior=prior, learn=learn, forget=forget, guess=guess, slip=slip)


def _ratio(num: np.ndarray, den: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """num/den where there is evidence; keep the current value where there is none."""
    out = fallback.copy()
    ok = den > 0
    out[ok] = num[ok] / den[ok]
    return out


def _em_step(
    layout: Layout, groups: np.ndarray, weight: np.ndarray, theta: np.ndarray, forgetting: bool
) -> tuple[np.ndarray, np.ndarray]:
    """One E and M step over the rows in `layout`; returns (new theta, log-likelihood)."""
    n_groups = theta.shape[1]
    params = _row_params(theta, groups)
    filt = forward(layout, params)
    post = smooth(layout, params, filt)
    g_el = groups[layout.row_of]
    w_el = weight[layout.row_of]

    def total(values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        w = w_el if mask is None else w_el * mask
        return np.bincount(g_el, weights=w * values, minlength=n_groups)

    loglik = total(np.log(filt.likelihood))
    known, unknown = post.known, 1.0 - post.known
    going_on = ~layout.last
    first = slice(0, layout.steps[1])
    new = theta.copy()
    new[0] = _ratio(
        np.bincount(g_el[first], weights=w_el[first] * known[first], minlength=n_groups),
        np.bincount(g_el[first], weights=w_el[first], minlength=n_groups),
        theta[0],
    )
    new[1] = _ratio(total(post.learned), total(unknown, going_on), theta[1])
    if forgetting:
        new[2] = _ratio(total(post.forgot), total(known, going_on), theta[2])
    new[3] = _ratio(total(unknown * layout.obs), total(unknown), theta[3])
    new[4] = _ratio(total(known * (1.0 - layout.obs)), total(known), theta[4])
    np.clip(new[:3], EPS, 1.0 - EPS, out=new[:3])
    if not forgetting:
        new[2] = 0.0
    np.clip(new[3], EPS, MAX_GUESS, out=new[3])
    np.clip(new[4], EPS, MAX_SLIP, out=new[4])
    return new, loglik


def fit_bkt(
    sequences: SkillSequences,
    *,
    forgetting: bool = False,
    restarts: int = 5,
    seed: int = 0,
    max_iter: int = 100,
    tol: float = 1e-6,
) -> dict[str, BktParams]:
    """Fit BKT parameters per skill by EM from `restarts` starts; keep each skill's best.

    A (skill, restart) is converged when an iteration improves its log-likelihood by less than
    `tol` per response; it then leaves the batch. Skills with no responses are left out.
    """
    params, _ = fit_bkt_with_likelihood(
        sequences,
        forgetting=forgetting,
        restarts=restarts,
        seed=seed,
        max_iter=max_iter,
        tol=tol,
    )
    return params


def fit_bkt_with_likelihood(
    sequences: SkillSequences,
    *,
    forgetting: bool = False,
    restarts: int = 5,
    seed: int = 0,
    max_iter: int = 100,
    tol: float = 1e-6,
) -> tuple[dict[str, BktParams], dict[str, float]]:
    """`fit_bkt`, also returning each skill's log-likelihood at the chosen parameters."""
    if restarts < 1 or max_iter < 1:
        raise ValueError("restarts and max_iter must be at least 1")
    data = _dedupe(sequences)
    if not data.sequences:
        return {}, {}
    n_skills = len(data.skills)
    # Groups are (skill, restart) pairs: group = skill * restarts + restart; theta is (5, groups).
    theta = _initial(n_skills, restarts, forgetting, seed).reshape(5, n_skills * restarts)
    rep_seqs = [seq for seq in data.sequences for _ in range(restarts)]
    rep_groups = np.repeat(data.skill * restarts, restarts) + np.tile(
        np.arange(restarts), len(data.sequences)
    )
    rep_weight = np.repeat(data.weight, restarts)
    n_responses = np.bincount(
        rep_groups,
        weights=rep_weight * np.repeat([len(s) for s in data.sequences], restarts),
        minlength=theta.shape[1],
    )
    loglik = np.full(theta.shape[1], -np.inf)
    active = np.ones(theta.shape[1], dtype=bool)
    rows = np.arange(len(rep_seqs))
    layout = build_layout(rep_seqs)
    for _ in range(max_iter):
        new, ll = _em_step(
            layout,
            rep_groups[rows][layout.order],
            rep_weight[rows][layout.order],
            theta,
            forgetting,
        )
        live = active.copy()
        theta[:, live] = new[:, live]
        done = live & (ll - loglik < tol * n_responses)
        loglik[live] = ll[live]
        active &= ~done
        if not active.any():
            break
        kept = rows[active[rep_groups[rows]]]
        if len(kept) < 0.75 * len(rows):  # rebuild only when it saves real work
            rows = kept
            layout = build_layout([rep_seqs[i] for i in rows])
    # The last step's theta was not scored: score everything once at the final parameters.
    final_ll = _loglik(data, restarts, theta)
    best = final_ll.reshape(n_skills, restarts).argmax(axis=1)
    chosen = theta.reshape(5, n_skills, restarts)[:, np.arange(n_skills), best]
    fitted = {
        name: BktParams(
            p_init=float(chosen[0, i]),
            p_learn=float(chosen[1, i]),
            p_forget=float(chosen[2, i]),
            p_guess=float(chosen[3, i]),
            p_slip=float(chosen[4, i]),
        )
        for i, name in enumerate(data.skills)
    }
    scores = {
        name: float(final_ll.reshape(n_skills, restarts)[i, best[i]])
        for i, name in enumerate(data.skills)
    }
    return fitted, scores


def _loglik(data: _Data, restarts: int, theta: np.ndarray) -> np.ndarray:
    """Log-likelihood of every (skill, restart) group at `theta`, from one forward pass."""
    rep_seqs = [seq for seq in data.sequences for _ in range(restarts)]
    groups = np.repeat(data.skill * restarts, restarts) + np.tile(
        np.arange(restarts), len(data.sequences)
    )
    weight = np.repeat(data.weight, restarts)
    layout = build_layout(rep_seqs)
    g_rows = groups[layout.order]
    filt = forward(layout, _row_params(theta, g_rows))
    w_el = weight[layout.order][layout.row_of]
    return np.bincount(
        g_rows[layout.row_of], weights=w_el * np.log(filt.likelihood), minlength=theta.shape[1]
    )


def log_likelihood(sequences: SkillSequences, params: Mapping[str, BktParams]) -> dict[str, float]:
    """Each skill's log-likelihood of its sequences under the given parameters."""
    data = _dedupe({k: v for k, v in sequences.items() if k in params})
    if not data.sequences:
        return {}
    theta = np.array(
        [
            [
                params[s].p_init,
                params[s].p_learn,
                params[s].p_forget,
                params[s].p_guess,
                params[s].p_slip,
            ]
            for s in data.skills
        ]
    ).T
    ll = _loglik(data, 1, theta)
    return {name: float(ll[i]) for i, name in enumerate(data.skills)}
